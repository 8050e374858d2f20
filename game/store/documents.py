"""The JSON documents of a saves folder: profiles.json (TinyDB) and the leaderboard file —
their fresh shape and the validators that check (and migrate) what is read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import versions
from .errors import CorruptFile

LEADERBOARD_KIND = "collectquest-leaderboard"


def fresh_profiles() -> dict[str, Any]:
    return {"_meta": {"1": {"format_version": versions.FORMAT_VERSION, "kind": "collectquest-profiles"}}}


def profiles_validator(path: Path) -> Callable[[Any], dict[str, Any]]:
    def validate(raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise CorruptFile("顶层不是对象")
        meta = raw.get("_meta")
        if not isinstance(meta, dict) or not isinstance(meta.get("1"), dict):
            raise CorruptFile("缺少 _meta 版本信息")
        version = meta["1"].get("format_version")
        data = versions.migrate("profiles", raw, version, path)
        data["_meta"]["1"]["format_version"] = versions.FORMAT_VERSION
        if not valid_marker(data["_meta"]["1"].get("applied")):
            raise CorruptFile("_meta 中的 applied 结构不对")
        for name, table in data.items():
            if not isinstance(table, dict) or not all(isinstance(d, dict) and k.isdigit() for k, d in table.items()):
                raise CorruptFile(f"表 {name} 的结构不对")
        expected: dict[str, dict[str, type | tuple[type, ...]]] = {
            "players": {"id": str, "name": str, "team": str, "created": str},
            "bests": {"player_id": str, "level_id": str, "score": int, "stars": int, "passed": bool, "attempts": int},
            "wrong": {"player_id": str, "keys": list},
            "progress": {"player_id": str, "snapshot": dict},
        }
        for name, shape in expected.items():
            for doc in data.get(name, {}).values():
                for key, kind in shape.items():
                    if not isinstance(doc.get(key), kind):
                        raise CorruptFile(f"表 {name} 中有一条记录的 {key} 缺失或类型不对")
        return data

    return validate


def valid_marker(marker: Any) -> bool:
    """How far a file has taken in the history: {"history": id, "offset": bytes}, or absent."""
    return marker is None or (
        isinstance(marker, dict) and isinstance(marker.get("history"), str) and isinstance(marker.get("offset"), int)
    )


def fresh_leaderboard() -> dict[str, Any]:
    return {"format_version": versions.FORMAT_VERSION, "kind": LEADERBOARD_KIND, "levels": {}, "applied": {}}


def _valid_slot(slot: Any) -> bool:
    return slot is None or (
        isinstance(slot, dict)
        and isinstance(slot.get("score"), int)
        and not isinstance(slot.get("score"), bool)
        and isinstance(slot.get("attempts"), int)
        and isinstance(slot.get("when"), str)
    )


def leaderboard_validator(path: Path) -> Callable[[Any], dict[str, Any]]:
    def validate(raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict) or raw.get("kind") != LEADERBOARD_KIND:
            raise CorruptFile("不是 CollectQuest 排行榜文件")
        data = versions.migrate("leaderboard", raw, raw.get("format_version"), path)
        data["format_version"] = versions.FORMAT_VERSION
        levels = data.get("levels")
        if not isinstance(levels, dict):
            raise CorruptFile("缺少 levels")
        applied = data.setdefault("applied", {})
        if not isinstance(applied, dict) or not all(valid_marker(m) for m in applied.values()):
            raise CorruptFile("applied 的结构不对")
        if not isinstance(data.get("week_start", ""), str) or not _valid_levels(data.get("week_levels", {})):
            # The weekly board is derived from the runs of this week: a damaged one is dropped
            # (it starts again with the next run), the all-time board is kept.
            data.pop("week_start", None)
            data.pop("week_levels", None)
        for players in levels.values():
            if not isinstance(players, dict):
                raise CorruptFile("levels 的结构不对")
            for entry in players.values():
                if not (
                    isinstance(entry, dict)
                    and isinstance(entry.get("player"), str)
                    and isinstance(entry.get("team"), str)
                    and _valid_slot(entry.get("best"))
                    and _valid_slot(entry.get("autoplay"))
                ):
                    raise CorruptFile("排行榜中有一条记录的结构不对")
        return data

    return validate


def _valid_levels(levels: Any) -> bool:
    """The weekly board: level -> player id -> {"b"/"a": [score, attempts, when]}."""

    def slot(value: Any) -> bool:
        return value is None or (
            isinstance(value, list)
            and len(value) == 3
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[:2])
            and isinstance(value[2], str)
        )

    return isinstance(levels, dict) and all(
        isinstance(players, dict)
        and all(
            isinstance(entry, dict) and set(entry) <= {"a", "b"} and all(slot(v) for v in entry.values())
            for entry in players.values()
        )
        for players in levels.values()
    )
