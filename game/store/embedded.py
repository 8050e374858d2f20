"""The embedded backend: a saves folder (`game.store.savestore.SaveStore`) plus PINs.

PINs live in their own `pins` table of profiles.json, so saves written before PINs existed open
unchanged (no table = every player PIN-less) and an older game ignores the table."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from tinydb import Query

from .pins import hash_pin, pin_matches
from .records import Player
from .savestore import SaveStore

if TYPE_CHECKING:
    from .learnfile import LearningStore


class EmbeddedStore(SaveStore):
    """A saves folder; see `game.store.savestore` for how files are kept safe across processes."""

    _learning: LearningStore | None = None

    @property
    def location(self) -> str:
        return str(self.saves_dir)

    @property
    def learning(self) -> LearningStore:
        """The 错题本 (review cards) and placement results: `<saves>/learning.json`, opened when
        first used (its problems join `problems`)."""
        if self._learning is None:
            from .learnfile import LearningStore  # here: it loads the play engine, which the start screen does not need

            self._learning = LearningStore(self.saves_dir)
            self.problems.extend(p for p in self._learning.problems if p not in self.problems)
        return self._learning

    def has_pin(self, player_id: str) -> bool:
        return self._pin_hash(player_id) is not None

    def _pin_hash(self, player_id: str) -> str | None:
        with self._profiles.transaction():
            doc = self._table("pins").get(Query().player_id == player_id)
        if doc is None or isinstance(doc, list) or not isinstance(doc.get("hash"), str):
            return None
        return str(doc["hash"])

    def set_pin(self, player_id: str, pin: str | None) -> None:
        if self.get_player(player_id) is None:
            raise ValueError("没有这个学员")
        hashed = hash_pin(pin) if pin is not None else None  # before the lock: scrypt is slow
        with self._profiles.transaction():
            table = self._table("pins")
            if hashed is None:
                table.remove(Query().player_id == player_id)
            else:
                table.upsert({"player_id": player_id, "hash": hashed}, Query().player_id == player_id)

    def check_pin(self, player_id: str, pin: str) -> bool:
        stored = self._pin_hash(player_id)
        return stored is None or pin_matches(pin, stored)

    def pin_hash(self, player_id: str) -> str | None:
        return self._pin_hash(player_id)

    def add_player(self, player: Player, pin_hash: str | None = None) -> bool:
        """Copy a player from another store, keeping its id (and PIN hash); False if present."""
        with self._profiles.transaction():
            players = self._table("players")
            if players.get(Query().id == player.id) is not None:
                return False
            players.insert(asdict(player))
            if pin_hash is not None:
                self._table("pins").upsert({"player_id": player.id, "hash": pin_hash}, Query().player_id == player.id)
        return True

    def pending_runs(self) -> int:
        return 0

    def close(self) -> None:
        return None
