"""The records a store keeps and hands out: players, runs, leaderboard rows; names cleaned."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from ..textsafe import has_visible_text, safe_text

NAME_MAX = 24
DEFAULT_TEAM = "未分组"
WRONG_KEEP = 300  # 错题本 entries kept per player
UNRANKED_LEVELS = frozenset({"placement", "midtest", "posttest"})
"""Runs of these levels (the placement, mid and post tests: game.placement, game.gains) are kept
in the history only: they open tiers or measure gain through their own verdict, never count as a
best or on the leaderboard."""


@dataclass(frozen=True)
class Player:
    id: str
    name: str
    team: str
    created: str  # ISO 8601


@dataclass(frozen=True)
class RunRecord:
    """One finished play of one level, with the inputs it was scored from."""

    run_id: str
    player_id: str
    player: str
    team: str
    level_id: str
    mode: str  # "practice" | "assessment"
    seed: int
    started: str  # ISO 8601
    finished: str  # ISO 8601
    duration: float  # seconds
    inputs: list[dict[str, Any]]  # LevelSession.record
    total: int
    passed: bool
    stars: int
    dimensions: dict[str, int]
    violations: list[str]
    wrong_questions: list[str]
    autoplay: bool = False
    stage_scores: list[int] = field(default_factory=list)
    as_trainee: bool = False  # an autoplay run that counts like a played one (bests, unlocks)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> RunRecord:
        """Build a record from stored data; ValueError if a field is missing or of the wrong kind."""
        if not isinstance(data, dict):
            raise ValueError("a run must be a JSON object")
        kinds: dict[str, tuple[type, ...]] = {
            "run_id": (str,),
            "player_id": (str,),
            "player": (str,),
            "team": (str,),
            "level_id": (str,),
            "mode": (str,),
            "seed": (int,),
            "started": (str,),
            "finished": (str,),
            "duration": (int, float),
            "inputs": (list,),
            "total": (int,),
            "passed": (bool,),
            "stars": (int,),
            "dimensions": (dict,),
            "violations": (list,),
            "wrong_questions": (list,),
            "autoplay": (bool,),
            "stage_scores": (list,),
            "as_trainee": (bool,),
        }
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                if f.name in ("autoplay", "stage_scores", "as_trainee"):
                    continue
                raise ValueError(f"missing field {f.name!r}")
            value = data[f.name]
            allowed = kinds[f.name]
            if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
                raise ValueError(f"field {f.name!r} has the wrong type")
            values[f.name] = value
        if values["mode"] not in ("practice", "assessment"):
            raise ValueError(f"unknown mode {values['mode']!r}")
        return cls(**values)


@dataclass(frozen=True)
class LeaderboardEntry:
    """One row of a leaderboard. For team rows `player` is the team name and `members` its size."""

    player: str
    team: str
    score: int
    attempts: int  # the runs counted for this entry
    when: str  # ISO 8601: when the counted best was reached
    level_id: str | None = None
    player_id: str | None = None
    members: int = 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "player": self.player,
            "team": self.team,
            "score": self.score,
            "attempts": self.attempts,
            "when": self.when,
        }
        if self.level_id is not None:
            data["level"] = self.level_id
        if self.members:
            data["members"] = self.members
        return data


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


def clean_name(raw: str, what: str = "名字") -> str:
    """A name as shown on screens: no control characters, single spaces, at most 24 characters.

    Names are literal text: Rich markup such as "[red]x[/]" is kept as typed (the screens escape
    it). Raises ValueError (in Chinese) if nothing is left."""
    if not isinstance(raw, str):
        raise ValueError(f"{what}必须是文字")
    if any(unicodedata.category(ch) == "Cs" for ch in raw):
        # Bytes that were not UTF-8 (kept by surrogateescape from a command line or a file).
        raise ValueError(f"{what}中有无法识别的字符(不是 UTF-8 编码的文字),请检查终端或输入法的编码设置")
    kept = "".join(" " if ch.isspace() else ch for ch in safe_text(raw))
    name = re.sub(r" +", " ", kept).strip()
    name = name[:NAME_MAX].rstrip("\u200d ")
    if not has_visible_text(name):
        # Also a name of only zero-width characters: an invisible player on every board.
        raise ValueError(f"{what}不能为空")
    return name
