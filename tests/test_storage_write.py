"""The cheaper write path of the store (reused parse of an unchanged file, one encoder, per-level
leaderboard blocks encoded only when they changed) writes exactly what a full rewrite would, and
never misses another writer's change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.store import atomic
from game.store.atomic import dumps
from game.store.errors import RunKept
from game.store.records import RunRecord
from game.store.savestore import SaveStore


def run(player, level: str, total: int, n: int, *, mode: str = "assessment", autoplay: bool = False) -> RunRecord:
    return RunRecord(
        run_id=f"r{n}",
        player_id=player.id,
        player=player.name,
        team=player.team,
        level_id=level,
        mode=mode,
        seed=n,
        started="2026-03-02T09:00:00+08:00",
        finished=f"2026-03-02T10:{n % 60:02d}:00+08:00",
        duration=61.5,
        inputs=[{"kind": "dialogue", "choices": [n % 3, 1]}],
        total=total,
        passed=total >= 60,
        stars=(total >= 60) + (total >= 80) + (total >= 90),
        dimensions={"合规": total},
        violations=[],
        wrong_questions=["q-01"] if total < 50 else [],
        autoplay=autoplay,
    )


def assert_files_as_full_rewrite(store: SaveStore) -> None:
    board = store.leaderboard_file.read_text(encoding="utf-8")
    profiles = store.profiles_file.read_text(encoding="utf-8")
    assert board == dumps(json.loads(board), 3)
    assert profiles == dumps(json.loads(profiles), 2)


def test_encoder_writes_what_json_dumps_writes() -> None:
    for value in [{"a": [1, 2.5, None, True, '中文"\n']}, "键", 3, [], {}, {"x": {"y": float("inf")}}]:
        assert atomic.encode_json(value) == json.dumps(value, ensure_ascii=False)
    with pytest.raises(TypeError):
        atomic.encode_json({"a": object()})


def test_many_runs_write_the_same_files_as_a_full_rewrite(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    players = [store.create_player(f"学员{i}", f"第{i % 2 + 1}组") for i in range(4)]
    n = 0
    for total in (40, 75, 75, 95, 20):
        for player in players:
            for level in ("a", "b", "c"):
                n += 1
                store.record_run(run(player, level, (total + n) % 101, n, autoplay=n % 7 == 0))
                if n % 5 == 0:
                    store.record_run(run(player, level, 100, n + 1000, mode="practice"))
    assert_files_as_full_rewrite(store)
    fresh = SaveStore(tmp_path)
    assert fresh.leaderboard(limit=0) == store.leaderboard(limit=0)
    assert fresh.all_bests() == store.all_bests()
    attempts = sum(e.attempts for e in fresh.leaderboard(limit=0))
    assert attempts == sum(1 for r in fresh.runs() if r.mode == "assessment" and not r.autoplay)


def test_a_store_sees_the_writes_of_another_store_on_the_same_folder(tmp_path: Path) -> None:
    first = SaveStore(tmp_path)
    player = first.create_player("王小明", "一组")
    second = SaveStore(tmp_path)
    for n in range(6):
        (first if n % 2 == 0 else second).record_run(run(player, "a", 50 + n, n))
    for store in (first, second, SaveStore(tmp_path)):
        (entry,) = store.leaderboard("a")
        assert (entry.score, entry.attempts) == (55, 6)
        assert store.bests(player.id)["a"].attempts == 6
    assert_files_as_full_rewrite(first)


def test_a_failed_write_forgets_what_it_knew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SaveStore(tmp_path)
    player = store.create_player("王小明", "一组")
    store.record_run(run(player, "a", 60, 1))
    real = atomic.atomic_write_text

    def full_disk(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "atomic_write_text", full_disk)
    with pytest.raises(RunKept):  # in the history; bests and board catch up later
        store.record_run(run(player, "a", 90, 2))
    monkeypatch.setattr(atomic, "atomic_write_text", real)
    store.record_run(run(player, "b", 70, 3))  # takes in the run the failed call appended
    (entry,) = store.leaderboard("a")
    assert (entry.score, entry.attempts) == (90, 2)
    assert_files_as_full_rewrite(store)
    assert SaveStore(tmp_path).leaderboard(limit=0) == store.leaderboard(limit=0)
