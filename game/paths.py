"""Where the shipped levels and handbook live, and the folder overrides. Kept free of pydantic and
YAML so the game can find its folders before it loads anything (re-exported by `game.loader`)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _shipped(folder: str, package: str) -> Path:
    """The shipped `levels/` or `content/`: beside the code in a checkout (and an editable
    install); in an installed wheel, the data package it was packed into (see pyproject.toml)."""
    beside = ROOT / folder
    if beside.is_dir():
        return beside
    from importlib.util import find_spec

    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return beside  # neither there: `validate` and the game say the folder is missing
    return Path(next(iter(spec.submodule_search_locations)))


DEFAULT_LEVELS_DIR = _shipped("levels", "collectquest_levels")
DEFAULT_CONTENT_DIR = _shipped("content", "collectquest_content")


def levels_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where levels live: the argument, else $COLLECTQUEST_LEVELS, else the shipped levels/."""
    chosen = override or os.environ.get("COLLECTQUEST_LEVELS")
    return Path(chosen) if chosen else DEFAULT_LEVELS_DIR


def content_dir(override: str | os.PathLike[str] | None = None) -> Path:
    chosen = override or os.environ.get("COLLECTQUEST_CONTENT")
    return Path(chosen) if chosen else DEFAULT_CONTENT_DIR
