"""Review cards (错题本) and placement results on the team server (tables `cards`, `placements`,
`cards_migrated` of schema version 2, see `game.store.pgschema`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import psycopg

from ..catalog import Catalog
from ..mistakes import Mistake, ReviewCard
from .errors import StorageProblem
from .learning import LearningRecords, schedule_mistakes, wrong_list_mistakes

if TYPE_CHECKING:
    from .postgres import PostgresStore

_CARD_UPSERT = (
    "INSERT INTO cards (player_id, card_id, due_at, card) VALUES (%s, %s, %s, %s::jsonb)"
    " ON CONFLICT (player_id, card_id) DO UPDATE SET due_at = EXCLUDED.due_at, card = EXCLUDED.card"
)


OFFLINE_NOTE = "暂时连不上成绩服务器：错题本显示的是上次读取的内容，复习结果会在服务器恢复后保存。"


class PostgresLearning(LearningRecords):
    """The learning records of a `PostgresStore`, through its connection.

    While the server cannot be reached, reads give what was last read (with a note in
    `problems`) and review results wait in memory to be saved with the next write, so a review
    drill goes on instead of failing."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self._seen: dict[str, list[ReviewCard]] = {}  # player id -> cards last read
        self._placed: dict[str, dict[str, Any] | None] = {}
        self._unsaved: dict[tuple[str, str], ReviewCard] = {}  # review results not yet on the server

    def _offline(self) -> None:
        if OFFLINE_NOTE not in self._store.problems:
            self._store.problems.append(OFFLINE_NOTE)

    def _flush(self) -> None:
        """Send review results kept while the server was unreachable (StorageProblem if it still is)."""
        for key, card in list(self._unsaved.items()):
            self._store._fetch(_CARD_UPSERT, _card_params(card))
            del self._unsaved[key]

    @property
    def problems(self) -> list[str]:  # type: ignore[override]
        return self._store.problems

    def cards(self, player_id: str, *, include_retired: bool = False) -> list[ReviewCard]:
        try:
            self._flush()
            rows = self._store._fetch("SELECT card FROM cards WHERE player_id = %s", (player_id,))
        except StorageProblem:
            self._offline()
            last = {c.card_id: c for c in self._seen.get(player_id, [])}
            last.update({c.card_id: c for (pid, _), c in self._unsaved.items() if pid == player_id})
            cards = list(last.values())
        else:
            cards = []
            for (data,) in rows:
                try:
                    cards.append(ReviewCard.from_dict(dict(data)))
                except (ValueError, TypeError):
                    continue  # rows are checked when written; one changed by hand is left out
            self._seen[player_id] = cards
        kept = [c for c in cards if include_retired or not c.retired]
        return sorted(kept, key=lambda c: (c.due_at, c.card_id))

    def save_card(self, card: ReviewCard) -> None:
        self._unsaved[(card.player_id, card.card_id)] = card
        try:
            self._flush()
        except StorageProblem:
            self._offline()

    def _in_transaction(self, work: Any) -> Any:
        """Run `work(cursor)` in one transaction; StorageProblem if the server cannot be reached."""
        try:
            conn = self._store._connection()
            with conn.transaction(), conn.cursor() as cur:
                return work(cur)
        except psycopg.OperationalError as exc:
            self._store._drop()
            raise StorageProblem(f"数据库 {self._store.location} 连接中断：{exc}") from None

    def add_mistakes(self, player_id: str, found: Iterable[Mistake], now: datetime) -> list[ReviewCard]:
        found = list(found)

        def work(cur: psycopg.Cursor[Any]) -> list[ReviewCard]:
            return _schedule_locked(cur, player_id, found, now)

        result: list[ReviewCard] = self._in_transaction(work)
        return result

    def take_in_wrong_list(self, player_id: str, keys: list[str], catalog: Catalog, now: datetime) -> int:
        found = wrong_list_mistakes(keys, catalog)

        def work(cur: psycopg.Cursor[Any]) -> int:
            # The mark first: a second process waits on it, then finds it taken and adds nothing.
            cur.execute(
                "INSERT INTO cards_migrated (player_id) VALUES (%s) ON CONFLICT DO NOTHING RETURNING player_id",
                (player_id,),
            )
            if cur.fetchone() is None:
                return 0
            return len(_schedule_locked(cur, player_id, found, now))

        count: int = self._in_transaction(work)
        return count

    def wrong_list_taken(self, player_id: str) -> bool:
        try:
            return bool(self._store._fetch("SELECT 1 FROM cards_migrated WHERE player_id = %s", (player_id,)))
        except StorageProblem:
            self._offline()
            return True  # nothing to migrate into while offline; it is done once the server is back

    def mark_wrong_list_taken(self, player_id: str) -> None:
        self._store._fetch("INSERT INTO cards_migrated (player_id) VALUES (%s) ON CONFLICT DO NOTHING", (player_id,))

    def placement(self, player_id: str) -> dict[str, Any] | None:
        try:
            rows = self._store._fetch("SELECT result FROM placements WHERE player_id = %s", (player_id,))
        except StorageProblem:
            self._offline()
            return self._placed.get(player_id)
        self._placed[player_id] = {**dict(rows[0][0]), "player_id": player_id} if rows else None
        return self._placed[player_id]

    def save_placement(self, player_id: str, result: dict[str, Any]) -> None:
        text = json.dumps({**result, "player_id": player_id}, ensure_ascii=False)
        self._store._fetch(
            "INSERT INTO placements (player_id, result) VALUES (%s, %s::jsonb)"
            " ON CONFLICT (player_id) DO UPDATE SET result = EXCLUDED.result",
            (player_id, text),
        )


def _card_params(card: ReviewCard) -> tuple[str, str, str, str]:
    return card.player_id, card.card_id, card.due, json.dumps(card.to_dict(), ensure_ascii=False)


def _schedule_locked(cur: psycopg.Cursor[Any], player_id: str, found: list[Mistake], now: datetime) -> list[ReviewCard]:
    """`schedule_mistakes` in the cursor's transaction, each stored card locked while it is changed."""

    def stored(card_id: str) -> ReviewCard | None:
        cur.execute("SELECT card FROM cards WHERE player_id = %s AND card_id = %s FOR UPDATE", (player_id, card_id))
        row = cur.fetchone()
        return ReviewCard.from_dict(dict(row[0])) if row else None

    changed = schedule_mistakes(player_id, found, now, stored)
    for card in changed:
        cur.execute(_CARD_UPSERT, _card_params(card))
    return changed
