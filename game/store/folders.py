"""Where a saves folder and its leaderboard file are: arguments, environment, defaults."""

from __future__ import annotations

import os
from pathlib import Path

from ..paths import ROOT


def _default_saves() -> Path:
    """A checkout keeps its saves in <repo>/saves; an installed game in the user's data folder."""
    if (ROOT / "saves").is_dir() or (ROOT / "pyproject.toml").is_file():
        return ROOT / "saves"
    from platformdirs import user_data_path

    return user_data_path("collectquest", appauthor=False) / "saves"


DEFAULT_SAVES_DIR = _default_saves()

PROFILES_FILE = "profiles.json"
RUNS_FILE = "runs.jsonl"
LEADERBOARD_FILE = "leaderboard.json"


def default_saves_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where player data lives: the argument, else $COLLECTQUEST_SAVES, else <repo>/saves in a
    checkout, else the user data folder (platformdirs)."""
    chosen = override or os.environ.get("COLLECTQUEST_SAVES")
    return Path(chosen) if chosen else DEFAULT_SAVES_DIR


def default_leaderboard_file(saves_dir: Path, override: str | os.PathLike[str] | None = None) -> Path:
    """The leaderboard: the argument, else $COLLECTQUEST_LEADERBOARD, else <saves>/leaderboard.json."""
    chosen = override or os.environ.get("COLLECTQUEST_LEADERBOARD")
    return Path(chosen) if chosen else Path(saves_dir) / LEADERBOARD_FILE
