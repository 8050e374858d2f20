"""Every figure of issue #14, measured side by side in one run, each as a ratio to its floor.

Not a test (pytest skips tests/perf). Run it by hand, on a quiet machine:

    .venv/bin/python tests/perf/run.py [--json] [--repeat 9] [--only start,paint,validate,record,bytecode]

Each figure times the program and its floor alternately (program, floor, floor, program, …) and
takes the median of each, so drift in the machine affects both alike:

- start: `collectquest --help`, `levels` and `validate` (shipped content) vs `python -c pass`,
  all as subprocesses of the same interpreter;
- paint: launch to first paint of the game vs a bare Textual app with one Static
  (tests/perf/first_paint.py; both headless, both exit after their first screen's refresh);
- validate: `collectquest validate` of 1,000 cloned shipped levels (ids changed) vs parsing the
  same files with PyYAML's C loader in a fresh interpreter; cold (empty validation cache) and
  warm (cache filled by the previous run);
- record: `SaveStore.record_run` at 200 trainees × 24 levels with 100,000 runs in the history
  vs one durable append (write + fsync of a run line) in the same folder;
- bytecode: `collectquest --help` and first paint with the project's byte code compiled vs
  compiled from source in every process (`PYTHONDONTWRITEBYTECODE=1`, project `__pycache__` gone).

Results go in tests/perf/RESULTS.md by hand (figures, machine, date).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
SCRIPT = str(Path(PYTHON).with_name("collectquest"))
FIRST_PAINT = str(Path(__file__).with_name("first_paint.py"))
LEVELS = ROOT / "levels"

TARGETS = {
    "first paint: game / bare Textual app": 1.3,
    "collectquest --help / python -c pass": 3.0,
    "collectquest levels / python -c pass": 6.0,
    "collectquest validate / python -c pass": 10.0,
    "validate 1,000 levels (warm cache) / CLoader parse": 2.0,
    "validate 1,000 levels (cold) / CLoader parse": None,
    "record_run 200x24, 100k runs / write+fsync": 10.0,
}


def run_process(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def first_paint(which: str, env: dict[str, str]) -> float:
    started = time.time()
    out = subprocess.run(
        [PYTHON, FIRST_PAINT, which], env=env, capture_output=True, text=True, check=False
    ).stdout.split()
    if not out:
        raise SystemExit(f"first_paint.py {which} printed nothing")
    return float(out[-1]) - started


def alternate(cases: dict[str, Callable[[], float]], repeat: int) -> dict[str, float]:
    """Median seconds of each case, run in alternating order `repeat` times."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for i in range(repeat):
        for name in names if i % 2 == 0 else reversed(names):
            times[name].append(cases[name]())
    return {name: statistics.median(t) for name, t in times.items()}


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def start_figures(env: dict[str, str], repeat: int) -> dict[str, float]:
    cases = {
        "python -c pass": lambda: run_process([PYTHON, "-c", "pass"], env),
        "collectquest --help": lambda: run_process([SCRIPT, "--help"], env),
        "collectquest levels": lambda: run_process([SCRIPT, "levels"], env),
        "collectquest validate": lambda: run_process([SCRIPT, "validate"], env),
    }
    return alternate(cases, repeat)


def paint_figures(env: dict[str, str], repeat: int) -> dict[str, float]:
    cases = {
        "first paint: game": lambda: first_paint("game", env),
        "first paint: bare": lambda: first_paint("bare", env),
    }
    first_paint("game", env)  # the first start writes the saves folder
    return alternate(cases, repeat)


def clone_levels(target: Path, count: int) -> list[Path]:
    """`count` copies of the shipped levels with their ids (and `requires` on them) renamed per copy."""
    shipped = sorted(LEVELS.rglob("*.yaml"))
    ids = [re.search(r"^id:\s*(\S+)", p.read_text(encoding="utf-8"), re.M) for p in shipped]
    level_ids = sorted({m.group(1) for m in ids if m}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, level_ids)) + r")(?![\w-])")
    files: list[Path] = []
    copy = 0
    while len(files) < count:
        for path in shipped:
            if len(files) == count:
                break
            text = pattern.sub(lambda m: f"{m.group(1)}-c{copy:03d}", path.read_text(encoding="utf-8"))
            out = target / f"c{copy:03d}" / path.parent.name / path.name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            files.append(out)
        copy += 1
    return files


PARSE = (
    "import sys, yaml\n"
    "from pathlib import Path\n"
    "for p in sorted(Path(sys.argv[1]).rglob('*.yaml')):\n"
    "    yaml.load(p.read_text(encoding='utf-8'), Loader=yaml.CLoader)\n"
)


def validate_figures(env: dict[str, str], repeat: int, cold_repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="cq-perf-levels-") as tmp:
        folder = Path(tmp) / "levels"
        clone_levels(folder, 1000)
        cache = Path(tmp) / "cache"
        env = {**env, "COLLECTQUEST_CACHE": str(cache)}
        command = [SCRIPT, "--levels", str(folder), "validate"]

        def cold() -> float:
            shutil.rmtree(cache, ignore_errors=True)
            return run_process(command, env)

        parse = lambda: run_process([PYTHON, "-c", PARSE, str(folder)], env)  # noqa: E731
        result = alternate({"validate 1,000 cold": cold, "parse 1,000 (CLoader)": parse}, cold_repeat)
        run_process(command, env)  # fill the cache
        warm = alternate({"validate 1,000 warm": lambda: run_process(command, env), "parse": parse}, repeat)
        result["validate 1,000 warm"] = warm["validate 1,000 warm"]
        result["parse 1,000 (CLoader)"] = statistics.median([result["parse 1,000 (CLoader)"], warm["parse"]])
        return result


def record_figures(repeat: int, players: int = 200, levels: int = 24, runs: int = 100_000) -> dict[str, float]:
    from game.store.records import RunRecord
    from game.store.savestore import SaveStore

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_storage import make_run

    level_ids = [f"bench-{i:02d}" for i in range(levels)]
    rng = random.Random(14)
    with tempfile.TemporaryDirectory(prefix="cq-perf-store-") as tmp:
        folder = Path(tmp) / "saves"
        store = SaveStore(folder)
        team = [store.create_player(f"学员{i:03d}", f"第{i % 8 + 1}组") for i in range(players)]
        first = make_run(rng, team[0], 0).to_dict()
        store.record_run(RunRecord(**{**first, "mode": "assessment"}))  # the history header and the board
        # Every player has an assessment best on every level, then random runs up to `runs`; the
        # store takes them in on open, as it does after a killed writer.
        with open(store.runs_file, "a", encoding="utf-8") as history:
            for n in range(1, runs):
                if n <= players * levels:
                    player, level, mode = team[(n - 1) // levels], level_ids[(n - 1) % levels], "assessment"
                else:
                    player, level, mode = rng.choice(team), rng.choice(level_ids), None
                run = make_run(rng, player, n).to_dict()
                run["level_id"] = level
                run["mode"] = mode or run["mode"]
                history.write(json.dumps(run, ensure_ascii=False, separators=(",", ":")) + "\n")
        store = SaveStore(folder)
        sizes = {
            "profiles": store.profiles_file.stat().st_size,
            "leaderboard": store.leaderboard_file.stat().st_size,
            "history": store.runs_file.stat().st_size,
        }
        print(
            "  store: "
            + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sizes.items())
            + f" ({players} players × {levels} levels, {runs:,} runs)",
            file=sys.stderr,
        )
        line = (json.dumps(make_run(rng, team[0], 0).to_dict(), ensure_ascii=False) + "\n").encode()
        floor_path = folder / "floor.jsonl"

        def append() -> float:
            started = time.perf_counter()
            with open(floor_path, "ab") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
            return time.perf_counter() - started

        counter = iter(range(10_000_000, 20_000_000))

        def record() -> float:
            run = make_run(rng, rng.choice(team), next(counter)).to_dict()
            run.update(level_id=rng.choice(level_ids), mode="assessment")
            record = RunRecord(**run)
            started = time.perf_counter()
            store.record_run(record)
            return time.perf_counter() - started

        return alternate({"record_run": record, "write+fsync": append}, repeat)


def bytecode_figures(env: dict[str, str], repeat: int) -> dict[str, float]:
    """--help and first paint with the project compiled from source in every process."""
    for cache in [*ROOT.glob("game/__pycache__"), *ROOT.glob("tui/**/__pycache__")]:
        shutil.rmtree(cache, ignore_errors=True)
    source = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        cases = {
            "--help, from source": lambda: run_process([SCRIPT, "--help"], source),
            "first paint: game, from source": lambda: first_paint("game", source),
        }
        result = alternate(cases, repeat)
    finally:
        run_process([PYTHON, "-m", "compileall", "-q", str(ROOT / "game"), str(ROOT / "tui")], env)
    cases = {
        "--help, compiled": lambda: run_process([SCRIPT, "--help"], env),
        "first paint: game, compiled": lambda: first_paint("game", env),
    }
    return {**result, **alternate(cases, repeat)}


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def ratios(f: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}

    def put(name: str, a: str, b: str) -> None:
        if a in f and b in f:
            out[name] = f[a] / f[b]

    put("first paint: game / bare Textual app", "first paint: game", "first paint: bare")
    put("collectquest --help / python -c pass", "collectquest --help", "python -c pass")
    put("collectquest levels / python -c pass", "collectquest levels", "python -c pass")
    put("collectquest validate / python -c pass", "collectquest validate", "python -c pass")
    put("validate 1,000 levels (warm cache) / CLoader parse", "validate 1,000 warm", "parse 1,000 (CLoader)")
    put("validate 1,000 levels (cold) / CLoader parse", "validate 1,000 cold", "parse 1,000 (CLoader)")
    put("record_run 200x24, 100k runs / write+fsync", "record_run", "write+fsync")
    put("--help: from source / compiled", "--help, from source", "--help, compiled")
    put("first paint: from source / compiled", "first paint: game, from source", "first paint: game, compiled")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--repeat", type=int, default=9, help="runs of each side per figure (default 9)")
    parser.add_argument("--cold-repeat", type=int, default=1, help="cold validations of 1,000 levels (default 1)")
    parser.add_argument("--record-repeat", type=int, default=100, help="recorded runs (default 100)")
    parser.add_argument("--only", default="start,paint,validate,record,bytecode", help="comma-separated sections")
    args = parser.parse_args()
    sections = set(args.only.split(","))
    saves = tempfile.mkdtemp(prefix="cq-perf-saves-")
    env = {**os.environ, "COLLECTQUEST_SAVES": saves, "COLLECTQUEST_CACHE": str(Path(saves) / "cache")}
    for key in ("COLLECTQUEST_LEVELS", "COLLECTQUEST_CONTENT", "COLLECTQUEST_LEADERBOARD", "PYTHONDONTWRITEBYTECODE"):
        env.pop(key, None)
    figures: dict[str, float] = {}
    try:
        run_process([SCRIPT, "validate"], env)  # warm the OS file cache and the byte code
        if "start" in sections:
            figures.update(start_figures(env, args.repeat))
        if "paint" in sections:
            figures.update(paint_figures(env, args.repeat))
        if "validate" in sections:
            figures.update(validate_figures(env, max(3, args.repeat // 3), args.cold_repeat))
        if "record" in sections:
            figures.update(record_figures(args.record_repeat))
        if "bytecode" in sections:
            figures.update(bytecode_figures(env, args.repeat))
    finally:
        shutil.rmtree(saves, ignore_errors=True)
    result = ratios(figures)
    if args.json:
        json.dump(
            {
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                },
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "seconds": figures,
                "ratios": {k: {"ratio": v, "target": TARGETS.get(k)} for k, v in result.items()},
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
        return
    print(f"{'median':<40} {'seconds':>10}")
    for name, seconds in figures.items():
        print(f"{name:<40} {seconds:>10.4f}")
    print(f"\n{'ratio':<52} {'now':>8} {'target':>8}")
    for name, ratio in result.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("  ok" if ratio <= target else "  ABOVE")
        print(f"{name:<52} {ratio:>7.2f}× {f'≤ {target:.1f}×' if target else '':>8}{verdict}")


if __name__ == "__main__":
    main()
