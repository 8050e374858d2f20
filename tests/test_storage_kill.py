"""Writers killed (SIGKILL) at random moments leave readable files and lose no recorded run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from game.catalog import Catalog
from game.runs import verify_store
from game.store.savestore import SaveStore

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

WRITER = r"""
import sys, uuid
from pathlib import Path
from game.store.records import RunRecord
from game.store.savestore import SaveStore

saves, board, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
store = SaveStore(saves, board)
player = store.find_player(name) or store.create_player(name, "压测组")
print("ready", flush=True)
# Large inputs make each write take longer, so a kill often lands in the middle of one.
padding = [{"kind": "dialogue", "choices": list(range(2000))}]
n = 0
while True:
    n += 1
    total = (n * 37) % 101
    store.record_run(RunRecord(
        run_id=uuid.uuid4().hex, player_id=player.id, player=player.name, team=player.team,
        level_id=f"lv-{n % 4}", mode="assessment" if n % 2 else "practice", seed=n,
        started="2026-03-02T09:00:00+08:00", finished="2026-03-02T10:00:00+08:00", duration=1.0,
        inputs=padding, total=total, passed=total >= 60, stars=int(total >= 60), dimensions={"合规": total},
        violations=[], wrong_questions=[f"q{n % 7}"]))
    store.save_progress(player.id, {"n": n, "padding": padding})
    if n % 5 == 0:
        store.create_player(f"{name}-{n}", "压测组")
"""


def _start(saves: Path, board: Path, name: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(saves), str(board), name],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _check_consistent(store: SaveStore) -> int:
    runs = list(store.runs())
    assert store.unreadable_run_lines == []
    for player in store.players():
        mine = [r for r in runs if r.player_id == player.id]
        assert sum(b.attempts for b in store.bests(player.id).values()) == len(mine)
    board_attempts = sum(e.attempts for e in store.leaderboard(limit=10_000))
    assert board_attempts == sum(r.mode == "assessment" for r in runs)
    # These synthetic runs share seeds and inputs and have no level files: verify names them as
    # copies and as unverifiable; nothing else (no disagreement with the history) may appear.
    expected = ("不存在(或未加载)", "没有记录每一步的输入", "像是复制的成绩")
    mismatches = verify_store(store, Catalog()).mismatches
    assert [m for m in mismatches if not any(words in m.detail for words in expected)] == []
    return len(runs)


def test_writers_killed_at_random_moments_leave_a_good_state(tmp_path: Path) -> None:
    saves, board = tmp_path / "saves", tmp_path / "shared" / "board.json"
    SaveStore(saves, board)
    rng = random.Random(20260302)
    seen_runs = 0
    for _round in range(12):
        writers = [_start(saves, board, f"写入{i}") for i in range(2)]
        time.sleep(rng.uniform(0.05, 0.6))
        for w in writers:
            time.sleep(rng.uniform(0, 0.05))
            os.kill(w.pid, signal.SIGKILL)
        for w in writers:
            w.wait(timeout=30)
            assert w.stdout is not None
            w.stdout.close()

        # Every file is complete JSON as the last successful write left it.
        for path in (saves / "profiles.json", board):
            json.loads(path.read_text(encoding="utf-8"))
        store = SaveStore(saves, board)
        assert not any("已损坏" in p or "无法识别" in p for p in store.problems), store.problems
        assert not list(saves.glob("*.corrupt-*")) and not list(board.parent.glob("*.corrupt-*"))
        count = _check_consistent(store)
        assert count >= seen_runs  # nothing recorded before is ever lost
        seen_runs = count
        for player in store.players():
            progress = store.load_progress(player.id)
            assert progress is None or isinstance(progress["n"], int)
    assert seen_runs > 0
