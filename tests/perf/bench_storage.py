"""Benchmark: recording a run and the top-20 leaderboard query, with 1,000 vs 100,000 runs stored.

Not a test (pytest skips tests/perf). Run it by hand:

    .venv/bin/python tests/perf/bench_storage.py [--small 1000] [--large 100000] [--repeat 200]

Both stores get the same players (60 in 4 teams) and levels (12), so their bests and leaderboard
files are the same size; only the history differs. The history is written as JSON Lines (its
documented format) and taken in by opening the store, which folds runs a killed writer left behind
into bests and the leaderboard; then both stores are timed side by side, alternating, so drift in
the machine affects both alike. The target is a large/small ratio of at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from game.store.records import Player, RunRecord  # noqa: E402 (after the path set-up above)
from game.store.savestore import SaveStore  # noqa: E402

PLAYERS = 60
TEAMS = 4
LEVELS = [f"bench-{i:02d}" for i in range(12)]
INPUTS = [
    {"kind": "dialogue", "choices": [0, 1, 0, 2, 1]},
    {
        "kind": "quiz",
        "questions": ["q-01", "q-02", "q-03", "q-04", "q-05"],
        "answers": [{"selection": ["B"], "elapsed": 3.21}] * 5,
    },
    {"kind": "audit", "flags": {"3": "pipl-no-illegal-disclosure", "5": "ind-contact-hours"}, "submitted": True},
]


def make_run(rng: random.Random, player: Player, n: int) -> RunRecord:
    total = rng.randint(0, 100)
    return RunRecord(
        run_id=f"{player.id}-{n}-{rng.getrandbits(32):08x}",
        player_id=player.id,
        player=player.name,
        team=player.team,
        level_id=rng.choice(LEVELS),
        mode="assessment" if rng.random() < 0.6 else "practice",
        seed=n,
        started="2026-03-02T09:00:00+08:00",
        finished=f"2026-03-{1 + n % 28:02d}T10:00:00+08:00",
        duration=round(rng.uniform(60, 600), 3),
        inputs=INPUTS,
        total=total,
        passed=total >= 60,
        stars=(total >= 60) + (total >= 80) + (total >= 90),
        dimensions={"合规": total, "沟通": 100 - total},
        violations=[],
        wrong_questions=["q-02"] if total < 50 else [],
    )


def build(folder: Path, runs: int, seed: int) -> tuple[SaveStore, list[Player]]:
    rng = random.Random(seed)
    store = SaveStore(folder)
    players = [store.create_player(f"学员{i:03d}", f"第{i % TEAMS + 1}组") for i in range(PLAYERS)]
    # Every player plays every level once through the API, so both stores hold the same bests.
    n = 0
    for player in players:
        for level in LEVELS:
            run = make_run(rng, player, n)
            store.record_run(RunRecord(**{**run.to_dict(), "level_id": level, "mode": "assessment"}))
            n += 1
    with open(store.runs_file, "a", encoding="utf-8") as history:
        for _ in range(runs - n):
            n += 1
            run = make_run(rng, rng.choice(players), n)
            history.write(json.dumps(run.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
    started = time.perf_counter()
    store = SaveStore(folder)  # takes the appended history into bests and the leaderboard
    print(
        f"  {runs:>7,} runs: history {store.runs_file.stat().st_size / 1e6:6.1f} MB, "
        f"profiles {store.profiles_file.stat().st_size / 1e3:6.1f} kB, "
        f"leaderboard {store.leaderboard_file.stat().st_size / 1e3:6.1f} kB "
        f"(taken in on open in {time.perf_counter() - started:.1f} s)"
    )
    return store, players


def timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cq-bench-") as tmp:
        print("Building stores …")
        small, small_players = build(Path(tmp) / "small", args.small, 1)
        large, large_players = build(Path(tmp) / "large", args.large, 2)
        rng = random.Random(3)
        timings: dict[str, dict[str, list[float]]] = {"small": {}, "large": {}}
        cases = {"small": (small, small_players), "large": (large, large_players)}
        for i in range(args.repeat):
            order = ("small", "large") if i % 2 == 0 else ("large", "small")
            for name in order:
                store, players = cases[name]
                run = make_run(rng, rng.choice(players), 10_000_000 + i)
                run = RunRecord(**{**run.to_dict(), "mode": "assessment"})
                t = timings[name]
                t.setdefault("record a run", []).append(timed(lambda: store.record_run(run)))
                t.setdefault("top-20 overall", []).append(timed(lambda: store.leaderboard(limit=20)))
                t.setdefault("top-20 one level", []).append(timed(lambda: store.leaderboard(LEVELS[0], limit=20)))
                t.setdefault("top-20 teams", []).append(timed(lambda: store.leaderboard(teams=True, limit=20)))
                t.setdefault("bests of a player", []).append(timed(lambda: store.bests(players[0].id)))
        print(f"\nMedian of {args.repeat} (ms)   {args.small:>10,} runs {args.large:>10,} runs   ratio")
        worst = 0.0
        for operation in timings["small"]:
            a = statistics.median(timings["small"][operation]) * 1000
            b = statistics.median(timings["large"][operation]) * 1000
            ratio = b / a
            worst = max(worst, ratio)
            print(f"{operation:<22} {a:>14.2f} {b:>16.2f}   {ratio:5.2f}x")
        verdict = "OK" if worst <= 1.5 else "ABOVE TARGET"
        print(f"\nWorst ratio {worst:.2f}x (target <= 1.5x): {verdict}")


if __name__ == "__main__":
    main()
