"""Where the shipped levels and handbook live, and the folder overrides. Kept free of pydantic and
YAML so the game can find its folders before it loads anything (re-exported by `game.loader`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
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


def _default_trainer_levels() -> Path:
    """Where a trainer's own levels go when no folder is named: <repo>/my-levels in a checkout,
    else the user's data folder — never inside the installed package."""
    if (ROOT / "pyproject.toml").is_file():
        return ROOT / "my-levels"
    from platformdirs import user_data_path

    return user_data_path("collectquest", appauthor=False) / "levels"


DEFAULT_TRAINER_LEVELS_DIR = _default_trainer_levels()

FolderList = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None


def _folders(value: FolderList) -> list[Path]:
    """Folders from an option (one or several) or an environment variable (os.pathsep-separated)."""
    if value is None:
        return []
    items = [value] if isinstance(value, (str, os.PathLike)) else list(value)
    return [Path(part) for item in items for part in os.fspath(item).split(os.pathsep) if part.strip()]


def level_folders(added: FolderList = None, only: FolderList = None) -> list[Path]:
    """Every folder levels are read from, shipped first.

    `only` (or $COLLECTQUEST_LEVELS_ONLY) replaces the shipped curriculum. Otherwise the shipped
    levels come first, then `added` (or $COLLECTQUEST_LEVELS, several folders separated by
    os.pathsep), then the default trainer folder if it exists (where `new-level` writes)."""
    chosen_only = _folders(only) or _folders(os.environ.get("COLLECTQUEST_LEVELS_ONLY"))
    if chosen_only:
        return chosen_only
    extra = _folders(added) or _folders(os.environ.get("COLLECTQUEST_LEVELS"))
    folders = [DEFAULT_LEVELS_DIR, *extra]
    if DEFAULT_TRAINER_LEVELS_DIR.is_dir():
        folders.append(DEFAULT_TRAINER_LEVELS_DIR)
    unique: dict[Path, Path] = {}
    for folder in folders:
        unique.setdefault(folder.resolve(), folder)
    return list(unique.values())


def trainer_folder(added: FolderList = None, only: FolderList = None) -> Path:
    """The folder a trainer's new levels go to: the first folder named, else the default one."""
    named = (
        _folders(only)
        or _folders(os.environ.get("COLLECTQUEST_LEVELS_ONLY"))
        or _folders(added)
        or _folders(os.environ.get("COLLECTQUEST_LEVELS"))
    )
    return named[0] if named else DEFAULT_TRAINER_LEVELS_DIR


def is_shipped(path: Path) -> bool:
    """True for a file of the shipped curriculum."""
    try:
        path.resolve().relative_to(DEFAULT_LEVELS_DIR.resolve())
        return True
    except (ValueError, OSError):
        return False
