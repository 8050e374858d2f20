"""Helpers for the hostile suite (tests/test_hostile_*.py): a temporary saves folder, levels and a
shared leaderboard; the CLI in-process and as a real process; stores written by hand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from game.store.records import RunRecord
from tui.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
ESCAPES = ("\x1b", "\x07", "\r", "\x9b", "\u202e")  # what must never reach a terminal from a file


def make_env(tmp_path: Path) -> dict[str, str]:
    levels = tmp_path / "levels"
    levels.mkdir()
    shutil.copy(FIXTURES / "levels" / "sample.yaml", levels / "sample.yaml")
    shutil.copy(FIXTURES / "storage" / "levels" / "loop.yaml", levels / "loop.yaml")
    return {
        "saves": str(tmp_path / "saves"),
        "levels": str(levels),
        "content": str(FIXTURES / "storage" / "content"),
        "board": str(tmp_path / "shared" / "leaderboard.json"),
    }


def base_args(env: dict[str, str]) -> list[str]:
    return [
        "--saves",
        env["saves"],
        "--only-levels",
        env["levels"],
        "--content",
        env["content"],
        "--leaderboard",
        env["board"],
    ]


def run_cli(env: dict[str, str], *args: str) -> Result:
    """The CLI in this process; an exception escaping it fails the test (a traceback for a user)."""
    return CliRunner().invoke(cli, base_args(env) + list(args), catch_exceptions=False)


def run_process(
    env: dict[str, str] | None, *args: str | bytes, timeout: float = 60, limit_memory: bool = False
) -> subprocess.CompletedProcess[bytes]:
    """`collectquest ARGS` as a real process (for hangs, memory and raw bytes on argv)."""
    command: list[str | bytes] = [sys.executable, "-m", "tui"] + (base_args(env) if env else []) + list(args)

    def limit() -> None:  # /dev/zero read whole would take gigabytes: fail fast instead
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        command,
        capture_output=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"},
        preexec_fn=limit if limit_memory else None,
    )


def record(env: dict[str, str], player: str, *extra: str, level: str = "sample-spouse", policy: str = "best") -> None:
    result = run_cli(env, "autoplay", level, "--player", player, "--policy", policy, "--record", *extra)
    assert result.exit_code == 0, result.output


def read_board(env: dict[str, str]) -> dict[str, Any]:
    return json.loads(Path(env["board"]).read_text(encoding="utf-8"))


def write_board(env: dict[str, str], data: dict[str, Any] | str) -> None:
    Path(env["board"]).parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    Path(env["board"]).write_text(text, encoding="utf-8")


def history_lines(env: dict[str, str]) -> list[str]:
    return Path(env["saves"], "runs.jsonl").read_text(encoding="utf-8").splitlines()


def make_run(player: Any, level_id: str = "lv-a", total: int = 70, **changes: Any) -> RunRecord:
    values: dict[str, Any] = {
        "run_id": uuid.uuid4().hex,
        "player_id": player.id,
        "player": player.name,
        "team": player.team,
        "level_id": level_id,
        "mode": "assessment",
        "seed": 1,
        "started": "2026-03-02T09:58:00+08:00",
        "finished": "2026-03-02T10:00:00+08:00",
        "duration": 120.0,
        "inputs": [{"kind": "dialogue", "choices": [0, 1]}],
        "total": total,
        "passed": total >= 60,
        "stars": 1 if total >= 60 else 0,
        "dimensions": {"合规": 100},
        "violations": [],
        "wrong_questions": [],
    }
    values.update(changes)
    return RunRecord(**values)
