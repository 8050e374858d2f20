"""The typed channel from screens to the app that hosts them.

Screens and widgets must not import `tui.app` (import-linter contract 3), yet some of them ask the
app to do things: leave the level, open the handbook, resume a run. `GameHost` names exactly what
they may ask for; `CollectQuestApp` implements it (checked by mypy in tui/app.py) and `host()` gives
a screen its app as a `GameHost`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.app import App

if TYPE_CHECKING:  # annotations only: the start screen imports this before the level models load
    from game.catalog import Catalog
    from game.models import Level
    from game.progress import SavedProgress
    from game.progression import BestResult
    from game.store.records import Player
    from tui.progress_saver import ProgressSaver


@runtime_checkable
class GameHost(Protocol):
    """What screens may read from and ask of the app."""

    player: Player | None
    """Who is playing (None on the start screen)."""
    preferred_mode: str
    """The mode last chosen on the map or a briefing: practice or assessment."""
    progress_saver: ProgressSaver
    """Progress saves on their way to the store (read a pending one rather than the store's)."""

    @property
    def catalog(self) -> Catalog | None:
        """Levels and handbook (None while they load)."""
        ...

    def bests(self) -> dict[str, BestResult]: ...

    def saved_progress(self) -> SavedProgress | None:
        """The current player's unfinished level, if any (also one whose save is still being written)."""
        ...

    def offer_resume(self) -> None:
        """Ask whether to resume the player's unfinished level, if there is one."""
        ...

    def resume_run(self) -> None: ...

    def leave_level(self) -> None:
        """Esc in a stage: ask whether to keep playing, save and leave, or abandon."""
        ...

    def open_briefing(self, level_id: str, mode: str | None = None, *, replace: bool = False) -> None: ...

    def open_leaderboard(self, level_id: str | None = None) -> None: ...

    def open_handbook(self, query: str = "", ref: str | None = None) -> None: ...

    def open_review(self) -> None:
        """A short timed drill of the player's due 错题本 cards."""
        ...

    def open_profile(self) -> None: ...

    def open_replay(self, level: Level, seed: int, record: list[dict[str, Any]]) -> None:
        """Pick a decision point of this finished run and play on from it in practice mode."""
        ...

    def open_replay_of(self, level_id: str) -> None:
        """The same, for the player's latest finished run of a level."""
        ...

    def handbook_open(self) -> bool:
        """Whether the handbook may open now (not during an assessment question)."""
        ...

    async def jump_to_level(self, level_id: str) -> None: ...

    def retry_save(self, run_id: str) -> None:
        """Try again to store a finished run that storage refused."""
        ...


def host(app: App[object]) -> GameHost:
    """The app as a `GameHost`; a screen of this game runs in no other app."""
    if not isinstance(app, GameHost):
        raise TypeError(f"{type(app).__name__} does not host the game's screens")
    return app
