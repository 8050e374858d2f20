"""What the game, the command line and the reports use from a store: one contract, two backends.

`Store` is the interface; `game.store.embedded.EmbeddedStore` (a saves folder: TinyDB profiles, a
JSON Lines history and a leaderboard file, nothing to install) and
`game.store.postgres.PostgresStore` (an organisation's PostgreSQL server) implement it, and
`tests/test_store_contract.py` runs one set of tests on both.

The contract, in words:
- players have an id, a name unique within their team, a team and a creation time; a player may
  have a PIN (see `game.store.pins`), and a player without one is a PIN-less player;
- `record_run` stores a finished run once: recording the same run id again changes nothing;
- bests count practice and assessment runs (autoplay never); the leaderboard counts assessment
  runs (autoplay apart, shown with `include_autoplay`); overall = the sum of a player's per-level
  bests; a team's score is the mean of its members' scores;
- `runs()` yields every run oldest first (for verify and reports); `leaderboard_data()` is the
  board as the leaderboard file holds it (level -> player id -> entry with its best slot and the
  inputs of that run), so `verify` re-scores the board on either backend;
- review cards (错题本) and placement results are `learning` (`game.store.learning`): in
  `<saves>/learning.json` for a folder, in the server's tables for PostgreSQL;
- the weekly board ranks like the all-time one, over the assessment runs finished since Monday
  00:00 of the current ISO week (the store's `clock` and its time zone), so a trainee new this
  week can lead the week.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..progression import BestResult
from .ranking import Clock

if TYPE_CHECKING:  # game.mistakes imports the records: only a type here
    from .learning import LearningRecords
from .records import LeaderboardEntry, Player, RunRecord


@runtime_checkable
class Store(Protocol):
    """Players, runs, bests, 错题本 (review cards), progress in a level, leaderboard and PINs."""

    clock: Clock
    """Now, in the store's time zone (injected in tests): decides the current week."""

    problems: list[str]
    """Chinese notes for the player or trainer (damaged files moved aside, runs kept offline …)."""

    @property
    def location(self) -> str:
        """Where the data lives, for messages: a folder, or a server URL without its password."""
        ...

    @property
    def learning(self) -> LearningRecords:
        """The 错题本 (review cards) and placement results (`game.store.learning`)."""
        ...

    # players
    def players(self) -> list[Player]: ...
    def create_player(self, name: str, team: str) -> Player: ...
    def get_player(self, player_id: str) -> Player | None: ...
    def find_player(self, name: str, team: str | None = None) -> Player | None: ...
    def find_or_create_player(self, name: str, team: str | None) -> Player:
        """The player with this name (in `team` if given), created if there is none; two
        processes creating the same new name at once get the same player."""
        ...

    # sign-in
    def has_pin(self, player_id: str) -> bool: ...
    def set_pin(self, player_id: str, pin: str | None) -> None:
        """Set (or with None, remove) a player's PIN. ValueError (Chinese) for a PIN too short."""
        ...

    def check_pin(self, player_id: str, pin: str) -> bool:
        """True if `pin` is the player's PIN, or the player has none."""
        ...

    def pin_hash(self, player_id: str) -> str | None:
        """The stored hash (for `store copy`), never the PIN."""
        ...

    def add_player(self, player: Player, pin_hash: str | None = None) -> bool:
        """Copy a player from another store with its id and PIN hash; False if already there."""
        ...

    # runs and results
    def record_run(self, run: RunRecord) -> None: ...
    def runs(self, player_id: str | None = None, level_id: str | None = None) -> Iterator[RunRecord]: ...
    @property
    def unreadable_run_lines(self) -> list[int]: ...
    def bests(self, player_id: str) -> dict[str, BestResult]: ...
    def all_bests(self) -> dict[str, dict[str, BestResult]]: ...
    def wrong_questions(self, player_id: str) -> list[str]: ...

    # a level in progress
    def save_progress(self, player_id: str, snapshot: dict[str, Any]) -> None: ...
    def load_progress(self, player_id: str) -> dict[str, Any] | None: ...
    def clear_progress(self, player_id: str) -> None: ...

    # leaderboard
    def leaderboard_data(self) -> dict[str, Any]: ...
    def leaderboard(
        self,
        level_id: str | None = None,
        teams: bool = False,
        include_autoplay: bool = False,
        limit: int = 20,
        week: bool = False,
    ) -> list[LeaderboardEntry]:
        """`week`: the weekly board, counting only the runs finished since Monday 00:00 of the
        current ISO week, by `clock` and in its time zone."""
        ...

    def pending_runs(self) -> int:
        """Runs kept locally because the server could not be reached (0 for a saves folder)."""
        ...

    def close(self) -> None: ...
