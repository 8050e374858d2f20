"""Format versions of the store's files and the migrations between them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import CorruptFile, StorageProblem

FORMAT_VERSION = 1
Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[tuple[str, int], Migration] = {}
"""(file kind, version) -> function turning data of that version into data of version + 1.
File kinds: "profiles", "leaderboard", "runs" (applied to each run line). Add an entry here when
FORMAT_VERSION goes up; files are upgraded when read and written back in the new version."""


def check_version(kind: str, version: Any) -> int:
    """The version if this program can read it (directly or by migration); else CorruptFile."""
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        # Written by a newer CollectQuest (e.g. another machine sharing the leaderboard): never
        # move it aside or overwrite it; this program must be updated instead.
        raise StorageProblem(
            f"存档文件由更新版本的催收闯关写入(格式版本 {version},本程序只支持到 "
            f"{FORMAT_VERSION}),请先升级本程序;文件未做任何改动。"
        )
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CorruptFile(f"未知的格式版本 {version!r}(本程序支持 1–{FORMAT_VERSION})")
    for step in range(version, FORMAT_VERSION):
        if (kind, step) not in MIGRATIONS:
            raise CorruptFile(f"没有从格式版本 {step} 升级的方法")
    return version


def migrate(kind: str, data: dict[str, Any], version: Any, where: Path) -> dict[str, Any]:
    """Bring `data` of `version` up to FORMAT_VERSION with the MIGRATIONS steps."""
    version = check_version(kind, version)
    while version < FORMAT_VERSION:
        data = MIGRATIONS[(kind, version)](data)
        version += 1
    return data


def raw_version(raw: Any) -> Any:
    """The format_version of a profiles or leaderboard document as read (before validation)."""
    if isinstance(raw, dict) and "format_version" in raw:
        return raw["format_version"]
    try:
        return raw["_meta"]["1"]["format_version"]
    except (KeyError, TypeError):
        return None
