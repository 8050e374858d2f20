"""Review cards (错题本) and placement results: what both backends keep for the learning loop.

`LearningRecords` is that part of the store contract (`Store.learning`): the embedded store keeps
it in `<saves>/learning.json` (`game.store.learnfile`), a team server in PostgreSQL
(`game.store.pglearning`). The scheduling itself (a new card, the same mistake again, a review) is
`game.mistakes`; a backend only keeps cards and says which players' old 错题本 list has been
turned into cards, so that happens once (also across `store copy`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from .. import mistakes
from ..catalog import Catalog
from ..mistakes import Mistake, ReviewCard
from .records import RunRecord


def schedule_mistakes(
    player_id: str, found: Iterable[Mistake], now: datetime, stored: Callable[[str], ReviewCard | None]
) -> list[ReviewCard]:
    """The cards that `found` creates or sets back, given the stored card of an id. A run's
    mistakes are taken once (a run id already on a card is not counted again)."""
    changed: dict[str, ReviewCard] = {}
    for mistake in found:
        old = changed.get(mistake.card_id) or stored(mistake.card_id)
        if old is None:
            card = mistakes.new_card(player_id, mistake, now)
        elif mistake.run_id and mistake.run_id in old.runs:
            continue
        else:
            card = mistakes.mistake_again(old, mistake, now)
        changed[card.card_id] = card
    return list(changed.values())


def wrong_list_mistakes(keys: Iterable[str], catalog: Catalog) -> list[Mistake]:
    """The old 错题本 list (bank question ids) as quiz mistakes; ids no longer in the banks are left out."""
    return [Mistake(f"quiz:{k}", "quiz", "", "", question=k) for k in keys if k in catalog.questions]


class LearningRecords(ABC):
    """A store's review cards and placement results."""

    problems: list[str]

    # --- kept by each backend -------------------------------------------------------------
    @abstractmethod
    def cards(self, player_id: str, *, include_retired: bool = False) -> list[ReviewCard]:
        """A player's cards, soonest due first."""

    @abstractmethod
    def save_card(self, card: ReviewCard) -> None: ...

    @abstractmethod
    def add_mistakes(self, player_id: str, found: Iterable[Mistake], now: datetime) -> list[ReviewCard]:
        """Schedule mistakes (see `schedule_mistakes`) in one transaction; the changed cards."""

    @abstractmethod
    def take_in_wrong_list(self, player_id: str, keys: list[str], catalog: Catalog, now: datetime) -> int:
        """Once per player: the old 错题本 list as quiz cards, due now; the count (0 if done before)."""

    @abstractmethod
    def wrong_list_taken(self, player_id: str) -> bool:
        """True once the player's old 错题本 list has been turned into cards."""

    @abstractmethod
    def mark_wrong_list_taken(self, player_id: str) -> None: ...

    @abstractmethod
    def placement(self, player_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def save_placement(self, player_id: str, result: dict[str, Any]) -> None: ...

    # --- the same on both -----------------------------------------------------------------
    def due(self, player_id: str, now: datetime, catalog: Catalog | None = None) -> list[ReviewCard]:
        """Cards due at `now`, soonest first; with a catalog, only those that can still be shown."""
        return [
            c for c in self.cards(player_id) if c.is_due(now) and (catalog is None or mistakes.playable(c, catalog))
        ]

    def take_in_run(self, run: RunRecord, catalog: Catalog, now: datetime) -> list[ReviewCard]:
        """The cards of a finished run (call after `record_run`)."""
        return self.add_mistakes(run.player_id, mistakes.mistakes_in_run(run, catalog), now)

    def migrate_wrong_list(self, store: Any, player_id: str, catalog: Catalog, now: datetime) -> int:
        """Once per player: turn `store`'s old 错题本 list into quiz cards, due now."""
        if self.wrong_list_taken(player_id):
            return 0
        return self.take_in_wrong_list(player_id, store.wrong_questions(player_id), catalog, now)

    def opened_tiers(self, player_id: str) -> frozenset[str]:
        """Tiers a placement test has opened for this player."""
        found = self.placement(player_id)
        return frozenset(str(t) for t in found["opened"]) if found else frozenset()

    def copy_player_from(self, other: LearningRecords, player_id: str) -> int:
        """Copy one player's cards, placement and wrong-list mark from another store (store copy);
        cards already here are kept as they are. The count of cards copied."""
        here = {c.card_id for c in self.cards(player_id, include_retired=True)}
        copied = 0
        for card in other.cards(player_id, include_retired=True):
            if card.card_id not in here:
                self.save_card(card)
                copied += 1
        placed = other.placement(player_id)
        if placed is not None and self.placement(player_id) is None:
            self.save_placement(player_id, {k: v for k, v in placed.items() if k != "player_id"})
        if other.wrong_list_taken(player_id):
            self.mark_wrong_list_taken(player_id)
        return copied
