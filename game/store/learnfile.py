"""The embedded store's learning file: review cards (错题本) and placement results, in
`<saves>/learning.json` (see `game.store.learning` for the contract).

A TinyDB database of its own, kept by the same `AtomicJSONStorage` as the profiles (a cross-process
file lock for every read-modify-write, atomic replace, a damaged file moved aside and reported).
Tables:

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

from ..catalog import Catalog
from ..mistakes import Mistake, ReviewCard
from .atomic import AtomicJSONStorage
from .errors import CorruptFile
from .learning import LearningRecords, schedule_mistakes, wrong_list_mistakes

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


class LearningStore(LearningRecords):
    """Review cards and placement results of one saves folder."""

    def __init__(self, saves_dir: Path) -> None:
        self.path = Path(saves_dir) / LEARNING_FILE
        self.problems: list[str] = []
        self._db = AtomicJSONStorage(self.path, _validate, fresh_learning, self._note)
        with self._db.transaction():
            self._db.read()

    def _note(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def _table(self, name: str) -> Table:
        return Table(self._db, name, cache_size=0)  # no cache: other processes write the file too

    # --- cards ---------------------------------------------------------------------------
    def cards(self, player_id: str, *, include_retired: bool = False) -> list[ReviewCard]:
        with self._db.transaction():
            docs = self._table("cards").search(Query().player_id == player_id)
        cards = [ReviewCard.from_dict(dict(d)) for d in docs]
        kept = [c for c in cards if include_retired or not c.retired]
        return sorted(kept, key=lambda c: (c.due_at, c.card_id))

    def save_card(self, card: ReviewCard) -> None:
        q = Query()
        with self._db.transaction():
            self._table("cards").upsert(card.to_dict(), (q.player_id == card.player_id) & (q.card_id == card.card_id))

    def add_mistakes(self, player_id: str, found: Iterable[Mistake], now: datetime) -> list[ReviewCard]:
        q = Query()
        with self._db.transaction():
            table = self._table("cards")

            def stored(card_id: str) -> ReviewCard | None:
                doc = table.get((q.player_id == player_id) & (q.card_id == card_id))
                return None if doc is None or isinstance(doc, list) else ReviewCard.from_dict(dict(doc))

            changed = schedule_mistakes(player_id, found, now, stored)
            for card in changed:
                table.upsert(card.to_dict(), (q.player_id == player_id) & (q.card_id == card.card_id))
        return changed

    def take_in_wrong_list(self, player_id: str, keys: list[str], catalog: Catalog, now: datetime) -> int:
        with self._db.transaction():  # checked and marked under one lock: once, whoever comes first
            if self.wrong_list_taken(player_id):
                return 0
            added = self.add_mistakes(player_id, wrong_list_mistakes(keys, catalog), now)
            self.mark_wrong_list_taken(player_id)
        return len(added)

    def wrong_list_taken(self, player_id: str) -> bool:
        with self._db.transaction():
            return player_id in self._db.read()["_meta"]["1"]["migrated"]

    def mark_wrong_list_taken(self, player_id: str) -> None:
        with self._db.transaction():
            data = self._db.read()
            if player_id not in data["_meta"]["1"]["migrated"]:
                data["_meta"]["1"]["migrated"].append(player_id)
                self._db.write(data)

    # --- placement -----------------------------------------------------------------------
    def placement(self, player_id: str) -> dict[str, Any] | None:
        with self._db.transaction():
            doc = self._table("placements").get(Query().player_id == player_id)
        return None if doc is None or isinstance(doc, list) else dict(doc)

    def save_placement(self, player_id: str, result: dict[str, Any]) -> None:
        with self._db.transaction():
            self._table("placements").upsert({**result, "player_id": player_id}, Query().player_id == player_id)
