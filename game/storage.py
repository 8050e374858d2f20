"""Saved progress, run history and the shared leaderboard.

PUBLIC API (the TUI codes against these names; the implementation follows in the next commit).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .progression import BestResult

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SAVES_DIR = ROOT / "saves"
FORMAT_VERSION = 1


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


class StorageProblem(Exception):
    """A save file that cannot be used (message in Chinese, with the path)."""


def default_saves_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where player data lives: the argument, else $COLLECTQUEST_SAVES, else <repo>/saves."""
    chosen = override or os.environ.get("COLLECTQUEST_SAVES")
    return Path(chosen) if chosen else DEFAULT_SAVES_DIR


class SaveStore:
    """All saved data of one saves folder plus one (possibly shared) leaderboard file."""

    problems: list[str]

    def __init__(self, saves_dir: Path, leaderboard_file: Path | None = None) -> None:
        raise NotImplementedError

    def players(self) -> list[Player]:
        raise NotImplementedError

    def create_player(self, name: str, team: str) -> Player:
        raise NotImplementedError

    def get_player(self, player_id: str) -> Player | None:
        raise NotImplementedError

    def find_player(self, name: str) -> Player | None:
        raise NotImplementedError

    def record_run(self, run: RunRecord) -> None:
        raise NotImplementedError

    def bests(self, player_id: str) -> dict[str, BestResult]:
        raise NotImplementedError

    def runs(self, player_id: str | None = None, level_id: str | None = None) -> Iterator[RunRecord]:
        raise NotImplementedError

    def wrong_questions(self, player_id: str) -> list[str]:
        raise NotImplementedError

    def save_progress(self, player_id: str, snapshot: dict[str, Any]) -> None:
        raise NotImplementedError

    def load_progress(self, player_id: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def clear_progress(self, player_id: str) -> None:
        raise NotImplementedError

    def leaderboard(self, level_id: str | None = None, teams: bool = False, include_autoplay: bool = False,
                    limit: int = 20) -> list[LeaderboardEntry]:
        raise NotImplementedError
