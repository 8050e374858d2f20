"""The learning file: review cards (错题本) and placement results, in `<saves>/learning.json`.

A TinyDB database of its own, kept by the same `AtomicJSONStorage` as the profiles (a cross-process
file lock for every read-modify-write, atomic replace, a damaged file moved aside and reported), so
it can later move behind the store contract without touching the profiles. Tables:

- `cards`: one document per (player, card id), see `game.mistakes.ReviewCard`;
- `placements`: a player's latest placement result (tiers it opened, weakest skills);
- `_meta`: format version, and the players whose old 错题本 list (profiles.json `wrong`) has been
  turned into cards, so that migration happens once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb import Query
from tinydb.table import Table

from . import mistakes
from .catalog import Catalog
from .mistakes import Mistake, ReviewCard
from .store.atomic import AtomicJSONStorage
from .store.contract import Store
from .store.errors import CorruptFile
from .store.records import RunRecord

LEARNING_FILE = "learning.json"
LEARNING_KIND = "collectquest-learning"
LEARNING_VERSION = 1


def fresh_learning() -> dict[str, Any]:
    return {"_meta": {"1": {"format_version": LEARNING_VERSION, "kind": LEARNING_KIND, "migrated": []}}}


def _validate(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CorruptFile("顶层不是对象")
    meta = raw.get("_meta", {}).get("1") if isinstance(raw.get("_meta"), dict) else None
    if not isinstance(meta, dict) or meta.get("kind") != LEARNING_KIND:
        raise CorruptFile("不是 CollectQuest 学习记录文件")
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= LEARNING_VERSION:
        raise CorruptFile(f"未知的格式版本 {version!r}(本程序支持 1–{LEARNING_VERSION})")
    if not isinstance(meta.setdefault("migrated", []), list):
        raise CorruptFile("_meta 中的 migrated 结构不对")
    for name, table in raw.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) and k.isdigit() for k, d in table.items()):
            raise CorruptFile(f"表 {name} 的结构不对")
    for doc in raw.get("cards", {}).values():
        try:
            ReviewCard.from_dict(doc)
        except ValueError as exc:
            raise CorruptFile(f"错题卡片结构不对:{exc}") from None
    for doc in raw.get("placements", {}).values():
        if not isinstance(doc.get("player_id"), str) or not isinstance(doc.get("opened"), list):
            raise CorruptFile("定级记录结构不对")
    return raw


class LearningStore:
    """Review cards and placement results of one saves folder."""

    def __init__(self, saves_dir: Path) -> None:
        self.path = Path(saves_dir) / LEARNING_FILE
        self.problems: list[str] = []
        self._db = AtomicJSONStorage(self.path, _validate, fresh_learning, self._note)
        with self._db.transaction():
            self._db.read()

    @classmethod
    def beside(cls, store: object) -> LearningStore:
        """Beside a saves folder; for a team server, in the local folder that holds its outbox
        (review cards are not on the server yet)."""
        folder = getattr(store, "saves_dir", None)
        if folder is None:
            folder = Path(getattr(store, "outbox_file", Path("outbox"))).parent
        return cls(Path(folder))

    def _note(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def _table(self, name: str) -> Table:
        return Table(self._db, name, cache_size=0)  # no cache: other processes write the file too

    # --- cards ---------------------------------------------------------------------------
    def cards(self, player_id: str, *, include_retired: bool = False) -> list[ReviewCard]:
        """A player's cards, soonest due first."""
        with self._db.transaction():
            docs = self._table("cards").search(Query().player_id == player_id)
        cards = [ReviewCard.from_dict(dict(d)) for d in docs]
        kept = [c for c in cards if include_retired or not c.retired]
        return sorted(kept, key=lambda c: (c.due_at, c.card_id))

    def due(self, player_id: str, now: datetime, catalog: Catalog | None = None) -> list[ReviewCard]:
        """Cards due at `now`, soonest first; with a catalog, only those that can still be shown."""
        return [
            c for c in self.cards(player_id) if c.is_due(now) and (catalog is None or mistakes.playable(c, catalog))
        ]

    def save_card(self, card: ReviewCard) -> None:
        q = Query()
        with self._db.transaction():
            self._table("cards").upsert(card.to_dict(), (q.player_id == card.player_id) & (q.card_id == card.card_id))

    def add_mistakes(self, player_id: str, found: Iterable[Mistake], now: datetime) -> list[ReviewCard]:
        """Schedule mistakes: a new card each, or the existing card set back. A run's mistakes
        are taken once (a run id already on a card is not counted again)."""
        changed: list[ReviewCard] = []
        q = Query()
        with self._db.transaction():
            table = self._table("cards")
            for mistake in found:
                doc = table.get((q.player_id == player_id) & (q.card_id == mistake.card_id))
                if doc is None or isinstance(doc, list):
                    card = mistakes.new_card(player_id, mistake, now)
                else:
                    old = ReviewCard.from_dict(dict(doc))
                    if mistake.run_id and mistake.run_id in old.runs:
                        continue
                    card = mistakes.mistake_again(old, mistake, now)
                table.upsert(card.to_dict(), (q.player_id == player_id) & (q.card_id == card.card_id))
                changed.append(card)
        return changed

    def take_in_run(self, run: RunRecord, catalog: Catalog, now: datetime) -> list[ReviewCard]:
        """The cards of a finished run (call after `SaveStore.record_run`)."""
        return self.add_mistakes(run.player_id, mistakes.mistakes_in_run(run, catalog), now)

    def migrate_wrong_list(self, store: Store, player_id: str, catalog: Catalog, now: datetime) -> int:
        """Once per player: turn the old 错题本 list (bank question ids kept in profiles.json) into
        quiz cards, due now. Keys that are no longer in the banks are left out. Returns the count."""
        with self._db.transaction():
            meta = self._db.read()["_meta"]["1"]
            if player_id in meta["migrated"]:
                return 0
            keys = [k for k in store.wrong_questions(player_id) if k in catalog.questions]
            found = [Mistake(f"quiz:{k}", "quiz", "", "", question=k) for k in keys]
            added = self.add_mistakes(player_id, found, now)
            data = self._db.read()
            data["_meta"]["1"]["migrated"].append(player_id)
            self._db.write(data)
        return len(added)

    # --- placement -----------------------------------------------------------------------
    def placement(self, player_id: str) -> dict[str, Any] | None:
        with self._db.transaction():
            doc = self._table("placements").get(Query().player_id == player_id)
        return None if doc is None or isinstance(doc, list) else dict(doc)

    def save_placement(self, player_id: str, result: dict[str, Any]) -> None:
        with self._db.transaction():
            self._table("placements").upsert({**result, "player_id": player_id}, Query().player_id == player_id)

    def opened_tiers(self, player_id: str) -> frozenset[str]:
        """Tiers a placement test has opened for this player."""
        found = self.placement(player_id)
        return frozenset(str(t) for t in found["opened"]) if found else frozenset()
