"""Where saved data lives: `open_store` picks the backend from a location.

A folder (or nothing: the default saves folder) opens the embedded store; a `postgresql://` URL
opens the organisation's PostgreSQL server (needs the `server` extra: psycopg)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .contract import Store
from .errors import StorageProblem
from .folders import default_leaderboard_file, default_saves_dir
from .ranking import Clock

if TYPE_CHECKING:
    from .embedded import EmbeddedStore

__all__ = ["Store", "EmbeddedStore", "open_store", "is_server_url", "default_location", "StorageProblem"]


def __getattr__(name: str) -> Any:
    # The backends are imported when first used: the records (game.store.records), which the
    # engine's modules import, must not pull in TinyDB, the history and the review cards.
    if name == "EmbeddedStore":
        from .embedded import EmbeddedStore

        return EmbeddedStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(location: str | os.PathLike[str] | None) -> bool:
    return isinstance(location, str) and location.startswith(SERVER_SCHEMES)


def default_location(store: str | None = None, saves: str | os.PathLike[str] | None = None) -> str:
    """The argument, else $COLLECTQUEST_STORE, else the saves folder (see `default_saves_dir`)."""
    chosen = store or os.environ.get("COLLECTQUEST_STORE")
    return chosen if chosen else str(default_saves_dir(saves))


def open_store(
    location: str | os.PathLike[str] | None = None,
    leaderboard: str | os.PathLike[str] | None = None,
    *,
    outbox_dir: str | os.PathLike[str] | None = None,
    read_only: bool = False,
    clock: Clock | None = None,
) -> Store:
    """The store at `location`: a `postgresql://` URL or a saves folder (default: the saves
    folder). `leaderboard` is the shared leaderboard file of a folder store; `outbox_dir` is where
    a server store keeps runs it could not send (default: the saves folder). `read_only` opens a
    folder for viewing (no lock, no write); a server is read through its own transactions.
    `clock` (default: now, local time) decides the current week of the weekly board."""
    if is_server_url(location):
        try:
            from .postgres import PostgresStore
        except ImportError as exc:  # the optional dependency is missing
            raise StorageProblem(
                f"使用 PostgreSQL 需要安装 psycopg：pip install 'collectquest[server]'（{exc}）"
            ) from None
        return PostgresStore(
            str(location), outbox_dir=Path(outbox_dir) if outbox_dir else default_saves_dir(), clock=clock
        )
    from .embedded import EmbeddedStore

    saves = Path(location) if location else default_saves_dir()
    board = default_leaderboard_file(saves, leaderboard)
    return EmbeddedStore(saves, board, read_only=read_only, clock=clock)
