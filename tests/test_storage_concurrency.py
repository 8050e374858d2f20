"""Many processes recording runs into the same saves folder and leaderboard at once lose nothing."""

from __future__ import annotations

import multiprocessing
import random
from collections import defaultdict
from pathlib import Path

from game.catalog import Catalog
from game.runs import verify_store
from game.store.records import RunRecord
from game.store.savestore import SaveStore

PROCESSES = 8
RUNS_EACH = 50
LEVELS = ("lv-a", "lv-b", "lv-c")


def _worker(saves: str, board: str, index: int, ready: multiprocessing.synchronize.Barrier) -> None:
    store = SaveStore(Path(saves), Path(board))
    player = store.create_player(f"学员{index}", f"组{index % 3}")
    rng = random.Random(index)
    ready.wait()  # start recording together, so the writes really overlap
    for n in range(RUNS_EACH):
        total = rng.randint(0, 100)
        mode = "assessment" if n % 3 else "practice"
        store.record_run(
            RunRecord(
                run_id=f"{index}-{n}",
                player_id=player.id,
                player=player.name,
                team=player.team,
                level_id=LEVELS[n % len(LEVELS)],
                mode=mode,
                seed=n,
                started="2026-03-02T09:00:00+08:00",
                finished=f"2026-03-02T10:{n:02d}:00+08:00",
                duration=60.0,
                inputs=[],
                total=total,
                passed=total >= 60,
                stars=1 if total >= 60 else 0,
                dimensions={"合规": total},
                violations=[],
                wrong_questions=[f"q{index}-{n}"],
            )
        )


def test_eight_processes_fifty_runs_each_lose_nothing(tmp_path: Path) -> None:
    saves, board = tmp_path / "saves", tmp_path / "shared" / "leaderboard.json"
    SaveStore(saves, board)
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(PROCESSES)
    workers = [context.Process(target=_worker, args=(str(saves), str(board), i, ready)) for i in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=240)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    store = SaveStore(saves, board)
    assert store.problems == []
    runs = list(store.runs())
    assert len(runs) == PROCESSES * RUNS_EACH
    assert len({r.run_id for r in runs}) == PROCESSES * RUNS_EACH
    assert store.unreadable_run_lines == []
    assert len(store.players()) == PROCESSES

    # Bests and the leaderboard agree exactly with the history.
    expected_best: dict[tuple[str, str], list[int]] = defaultdict(list)
    expected_board: dict[str, dict[str, int]] = defaultdict(dict)
    board_attempts: dict[str, int] = defaultdict(int)
    for r in runs:
        expected_best[(r.player_id, r.level_id)].append(r.total)
        if r.mode == "assessment":
            expected_board[r.player_id][r.level_id] = max(expected_board[r.player_id].get(r.level_id, 0), r.total)
            board_attempts[r.player_id] += 1
    for player in store.players():
        bests = store.bests(player.id)
        assert set(bests) == set(LEVELS)
        for level_id, best in bests.items():
            totals = expected_best[(player.id, level_id)]
            assert (best.score, best.attempts, best.passed) == (max(totals), len(totals), max(totals) >= 60)
        assert len(store.wrong_questions(player.id)) == RUNS_EACH
    overall = {e.player_id: (e.score, e.attempts) for e in store.leaderboard(limit=100)}
    assert overall == {pid: (sum(levels.values()), board_attempts[pid]) for pid, levels in expected_board.items()}
    assert sum(e.attempts for e in store.leaderboard(teams=True)) == sum(board_attempts.values())
    # verify finds no bests or leaderboard entry that disagrees with the history.
    # (These runs have no level files and no inputs, which verify reports about every entry;
    # nothing else may be reported.)
    report = verify_store(store, Catalog())
    unverifiable = ("不存在(或未加载)", "没有记录每一步的输入")
    assert [m for m in report.mismatches if not any(words in m.detail for words in unverifiable)] == []
    assert report.checked_runs == PROCESSES * RUNS_EACH
