"""Errors of the store: every message is Chinese and names the file or server."""

from __future__ import annotations


class StorageProblem(Exception):
    """A save file that cannot be used (message in Chinese, with the path)."""


class StoreNotWritable(StorageProblem):
    """A lock or a write failed (disk full, read-only folder, no permission, lock held too long);
    what was there is unchanged. Reading still works."""


class RunKept(StorageProblem):
    """`record_run` appended the run to the history, but bests or the leaderboard could not be
    updated; they catch up by themselves on the next record or open. Do not record it again."""


class CorruptFile(ValueError):
    """Raised by a validator: the file's content is not what this version of the game wrote."""
