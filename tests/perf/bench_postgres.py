"""Benchmark: recording a run and the top-20 leaderboard on PostgreSQL, 10,000 vs 1,000,000 runs.

Not a test (pytest skips tests/perf). Run it by hand:

    .venv/bin/python tests/perf/bench_postgres.py [--small 10000] [--large 1000000] [--repeat 200]
                                                   [--url postgresql://…]   (default: a throwaway server)

Both databases get the same players (500 in 10 teams) and levels (24), so `bests` and `board` are
the same size; only `runs` differs. They are filled on the server with generate_series (runs, then
bests and board aggregated from them, as record_run would have kept them), analysed, and then timed
side by side, alternating, so drift in the machine affects both alike. Target: ratio ≤ 1.5. The
weekly board is timed with the same number of runs in the current week in both (`--small`).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import psycopg  # noqa: E402 (after the path set-up above)

from game.store.postgres import PostgresStore  # noqa: E402
from game.store.records import Player, RunRecord  # noqa: E402

PLAYERS = 500
TEAMS = 10
LEVELS = 24
IN_THE_WEEK = datetime.fromisoformat("2026-03-11T12:00:00+08:00")  # the weekly board's clock

FILL = """
INSERT INTO players (id, name, team, created)
SELECT 'p' || i, '学员' || i, '组' || (i % {teams}), '2026-03-01T09:00:00+08:00'
FROM generate_series(0, {players} - 1) AS i;

INSERT INTO runs (run_id, player_id, level_id, mode, autoplay, total, finished, finished_at, data)
SELECT 'r' || g, 'p' || (g % {players}), 'lv' || (g % {levels}), mode, false, total, finished,
       collectquest_epoch(finished),
       jsonb_build_object(
           'run_id', 'r' || g, 'player_id', 'p' || (g % {players}), 'player', '学员' || (g % {players}),
           'team', '组' || (g % {players} % {teams}), 'level_id', 'lv' || (g % {levels}), 'mode', mode,
           'seed', g, 'started', finished, 'finished', finished, 'duration', 60.0, 'inputs', '[]'::jsonb,
           'total', total, 'passed', total >= 60, 'stars', CASE WHEN total >= 60 THEN 1 ELSE 0 END,
           'dimensions', '{{}}'::jsonb, 'violations', '[]'::jsonb, 'wrong_questions', '[]'::jsonb,
           'autoplay', false, 'stage_scores', '[]'::jsonb)
FROM (SELECT g, CASE WHEN g % 3 = 0 THEN 'practice' ELSE 'assessment' END AS mode,
             ((g::bigint * 7919) % 101)::int AS total,
             -- one run a second, the last {week_runs} in the week of Monday 9 March (the weekly board's)
             to_char(timestamp '2026-03-09 00:00' + (g - 1 - {runs} + {week_runs}) * interval '1 second',
                     'YYYY-MM-DD"T"HH24:MI:SS+08:00') AS finished
      FROM generate_series(1, {runs}) AS g) AS r;

INSERT INTO bests (player_id, level_id, score, stars, passed, attempts, reached, run_id)
SELECT player_id, level_id, MAX(total), MAX(CASE WHEN total >= 60 THEN 1 ELSE 0 END), bool_or(total >= 60),
       COUNT(*), MIN(finished), MIN(run_id)
FROM runs GROUP BY player_id, level_id;

INSERT INTO board (level_id, player_id, autoplay, player, team, score, stars, passed, attempts, reached,
                   reached_at, run_id, seed, inputs)
SELECT level_id, player_id, false, MAX(data->>'player'), MAX(data->>'team'), MAX(total), 1, bool_or(total >= 60),
       COUNT(*), MIN(finished), 0, MIN(run_id), 0, '[]'::jsonb
FROM runs WHERE mode = 'assessment' GROUP BY level_id, player_id;
ANALYZE;
"""


def new_database(admin_url: str) -> str:
    name = "cq_bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def filled(admin_url: str, runs: int, week_runs: int, outbox: Path) -> PostgresStore:
    url = new_database(admin_url)
    store = PostgresStore(url, outbox_dir=outbox, clock=lambda: IN_THE_WEEK)  # creates the schema
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        fill = FILL.format(players=PLAYERS, teams=TEAMS, levels=LEVELS, runs=runs, week_runs=min(runs, week_runs))
        conn.execute(fill.encode())
    print(f"  filled {runs:>9,} runs in {time.perf_counter() - started:6.1f} s")
    return store


def a_run(rng: random.Random, n: int) -> RunRecord:
    i = rng.randrange(PLAYERS)
    player = Player(f"p{i}", f"学员{i}", f"组{i % TEAMS}", "2026-03-01T09:00:00+08:00")
    total = rng.randint(0, 100)
    return RunRecord(
        run_id=f"bench-{uuid.uuid4().hex}",
        player_id=player.id,
        player=player.name,
        team=player.team,
        level_id=f"lv{rng.randrange(LEVELS)}",
        mode="assessment",
        seed=n,
        started="2026-03-03T09:00:00+08:00",
        finished="2026-03-03T09:05:00+08:00",
        duration=300.0,
        inputs=[{"kind": "dialogue", "choices": [0, 1, 2]}],
        total=total,
        passed=total >= 60,
        stars=1 if total >= 60 else 0,
        dimensions={"合规": total},
        violations=[],
        wrong_questions=[f"q{n % 7}"],
    )


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--url", help="an existing server to create the two databases on (admin URL)")
    args = parser.parse_args()

    server = None
    if args.url:
        admin_url = args.url
    else:
        from pgserver import PgServer, missing_reason

        reason = missing_reason()
        if reason:
            sys.exit(f"cannot start PostgreSQL: {reason}")
        server = PgServer().init()
        server.start()
        admin_url = server.url()
    try:
        with tempfile.TemporaryDirectory() as outbox:
            # The same runs this week in both (the small history's all): the weekly board must cost
            # what the week holds, not what the history holds.
            stores = {size: filled(admin_url, size, args.small, Path(outbox)) for size in (args.small, args.large)}
            rng = random.Random(7)
            times: dict[tuple[str, int], list[float]] = {}
            for n in range(args.repeat):
                for size, store in stores.items():  # alternate, so both see the same machine
                    run = a_run(rng, n)
                    times.setdefault(("record", size), []).append(timed(lambda: store.record_run(run)))
                    times.setdefault(("top-20", size), []).append(timed(lambda: store.leaderboard(limit=20)))
                    level = f"lv{n % LEVELS}"
                    times.setdefault(("level top-20", size), []).append(
                        timed(lambda: store.leaderboard(level, limit=20))
                    )
                    times.setdefault(("bests", size), []).append(timed(lambda: store.bests(run.player_id)))
                    times.setdefault(("week top-20", size), []).append(
                        timed(lambda: store.leaderboard(limit=20, week=True))
                    )
            print(f"\n{'operation':<14}{args.small:>12,} runs{args.large:>14,} runs   ratio (median)")
            worst = 0.0
            for what in ("record", "top-20", "level top-20", "bests", "week top-20"):
                small = statistics.median(times[(what, args.small)]) * 1000
                large = statistics.median(times[(what, args.large)]) * 1000
                ratio = large / small
                worst = max(worst, ratio) if what in ("record", "top-20") else worst
                print(f"{what:<14}{small:>13.2f} ms{large:>15.2f} ms   {ratio:5.2f}×")
            verdict = "meets" if worst <= 1.5 else "MISSES"
            print(f"\nrecord and top-20: worst ratio {worst:.2f}× — {verdict} the target of ≤ 1.5×")
            for store in stores.values():
                store.close()
    finally:
        if server is not None:
            server.destroy()


if __name__ == "__main__":
    main()
