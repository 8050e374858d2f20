"""Saving the run in play without making the player wait on storage.

Every answer saves the level's progress. On a shared folder the save takes a file lock, and a lock
held by a stopped process (a frozen PC on the network, a laptop put to sleep mid-write) holds every
other writer for the store's whole lock timeout. Saved on the UI thread, each move would freeze the
game that long. So saves go to one background thread, in order, and only the newest snapshot of a
player is written: the UI waits a moment for an idle store (the usual case, so a save is on disk
when the move is shown) and otherwise plays on while the write waits for the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from game.store import Store

Snapshot = dict[str, Any] | None
"""A level's saved progress, or None for "no level in progress" (a clear)."""


class ProgressSaver:
    """Writes players' progress snapshots on one thread, newest first, never out of order.

    `on_problem` and `on_saved` are called from the writer thread when a write that the caller did
    not wait for fails (a StorageProblem, or any other error: a bug the app must not swallow) or
    succeeds; the app hands them to its UI thread.
    """

    def __init__(
        self,
        store: Store,
        *,
        on_problem: Callable[[Exception], None],
        on_saved: Callable[[], None],
        wait: float = 1.0,
    ) -> None:
        self.store = store
        self.on_problem = on_problem
        self.on_saved = on_saved
        self.wait = wait
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="progress-saver")
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[int, Snapshot]] = {}
        self._written: dict[str, int] = {}
        self._generation = 0
        self._in_flight: Future[None] | None = None
        self._unwaited: set[Future[None]] = set()

    def save(self, player_id: str, snapshot: Snapshot) -> bool:
        """Queue `snapshot` as the player's progress. True if it is on disk when this returns;
        False if it is still waiting for the store (reported later through the callbacks).
        A failure the caller waited for is raised here, as StorageProblem."""
        with self._lock:
            self._generation += 1
            self._latest[player_id] = (self._generation, snapshot)
            busy = self._in_flight is not None and not self._in_flight.done()
            future = self._executor.submit(self._write_latest, player_id)
            future.add_done_callback(self._report)
            self._in_flight = future
        if not busy:
            try:
                future.result(timeout=self.wait)
                return True
            except FutureTimeout:
                pass
        # Not waited for (an earlier write is stuck on the store, or this one is slow): the outcome
        # comes through the callbacks. Decided under the lock, so it is reported exactly once even
        # when the write finishes just now.
        with self._lock:
            finished = future.done()
            if not finished:
                self._unwaited.add(future)
        if finished:
            future.result()  # raises a failure here, for the caller
            return True
        return False

    def clear(self, player_id: str) -> bool:
        """Queue "no level in progress" for the player (see `save`)."""
        return self.save(player_id, None)

    def pending(self, player_id: str) -> tuple[bool, Snapshot]:
        """(True, newest snapshot) while the player's newest progress is not yet on disk: read it
        from here rather than from the store, which still holds an older one."""
        with self._lock:
            latest = self._latest.get(player_id)
            if latest is None or latest[0] <= self._written.get(player_id, 0):
                return False, None
            return True, latest[1]

    def close(self) -> None:
        """Stop taking saves. Writes already queued still finish (Python waits for them at exit),
        so quitting right after a move does not lose it."""
        self._executor.shutdown(wait=False)

    def _write_latest(self, player_id: str) -> None:
        with self._lock:
            generation, snapshot = self._latest[player_id]
            if generation <= self._written.get(player_id, 0):
                return  # a later task already wrote this or a newer snapshot
        if snapshot is None:
            self.store.clear_progress(player_id)
        else:
            self.store.save_progress(player_id, snapshot)
        with self._lock:
            self._written[player_id] = max(self._written.get(player_id, 0), generation)

    def _report(self, future: Future[None]) -> None:
        with self._lock:
            if future not in self._unwaited:
                return  # the caller waited for it and had the outcome
            self._unwaited.discard(future)
        error = future.exception()
        if error is None:
            self.on_saved()
        elif isinstance(error, Exception):
            self.on_problem(error)
