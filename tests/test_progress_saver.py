"""The progress saver: saves in order, newest wins, a slow store never holds up the caller, and
every outcome the caller did not wait for is reported exactly once."""

from __future__ import annotations

import threading

import pytest

from game.store.errors import StorageProblem
from tui.progress_saver import ProgressSaver


class SlowStore:
    """A store whose writes wait for `gate` (a lock held elsewhere), recording what lands."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.saved: dict[str, object] = {}
        self.writes: list[object] = []
        self.fail = False

    def save_progress(self, player_id: str, snapshot: dict) -> None:
        self.gate.wait(10)
        if self.fail:
            raise StorageProblem("磁盘已满")
        self.writes.append(snapshot)
        self.saved[player_id] = snapshot

    def clear_progress(self, player_id: str) -> None:
        self.gate.wait(10)
        self.writes.append(None)
        self.saved.pop(player_id, None)


def make(store: SlowStore) -> tuple[ProgressSaver, list[object], threading.Event]:
    outcomes: list[object] = []
    reported = threading.Event()

    def problem(error: Exception) -> None:
        outcomes.append(error)
        reported.set()

    def saved() -> None:
        outcomes.append("saved")
        reported.set()

    return ProgressSaver(store, on_problem=problem, on_saved=saved, wait=0.05), outcomes, reported  # type: ignore[arg-type]


def test_an_idle_store_saves_before_the_call_returns_and_reports_nothing_later() -> None:
    store = SlowStore()
    saver, outcomes, _ = make(store)
    assert saver.save("p1", {"step": 1}) is True
    assert store.saved == {"p1": {"step": 1}} and saver.pending("p1") == (False, None)
    saver.close()
    assert outcomes == []


def test_a_stuck_store_does_not_hold_the_caller_and_only_the_newest_snapshot_is_written() -> None:
    store = SlowStore()
    saver, outcomes, reported = make(store)
    store.gate.clear()
    assert saver.save("p1", {"step": 1}) is False
    for step in (2, 3, 4):
        assert saver.save("p1", {"step": step}) is False
    assert saver.pending("p1") == (True, {"step": 4})
    store.gate.set()
    saver.close()
    threading.Event().wait(0.2)
    # The stuck write lands (step 1 was already taken); then only the newest one, not 2 and 3.
    assert store.writes == [{"step": 1}, {"step": 4}]
    assert store.saved == {"p1": {"step": 4}} and saver.pending("p1") == (False, None)
    assert reported.is_set() and set(outcomes) == {"saved"}


def test_a_clear_queued_after_a_stuck_save_wins() -> None:
    store = SlowStore()
    saver, _, _ = make(store)
    store.gate.clear()
    saver.save("p1", {"step": 1})
    saver.clear("p1")
    assert saver.pending("p1") == (True, None)
    store.gate.set()
    saver.close()
    threading.Event().wait(0.2)
    assert "p1" not in store.saved


def test_a_failure_the_caller_waited_for_is_raised_and_one_it_did_not_is_reported() -> None:
    store = SlowStore()
    store.fail = True
    saver, outcomes, reported = make(store)
    with pytest.raises(StorageProblem):
        saver.save("p1", {"step": 1})
    assert outcomes == []
    store.gate.clear()
    assert saver.save("p1", {"step": 2}) is False
    store.gate.set()
    assert reported.wait(5)
    saver.close()
    assert [str(e) for e in outcomes] == ["磁盘已满"]
    assert saver.pending("p1") == (True, {"step": 2})  # still only in memory: the next save retries it
