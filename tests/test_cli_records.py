"""The leaderboard, autoplay, verify and report commands."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from game.autoplay import autoplay
from game.loader import load_catalog
from game.runs import run_from_session
from game.store.savestore import SaveStore
from tui.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
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


def run(env: dict[str, str], *args: str, use_env_vars: bool = False):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    if use_env_vars:
        variables = {
            "COLLECTQUEST_SAVES": env["saves"],
            "COLLECTQUEST_LEVELS_ONLY": env["levels"],
            "COLLECTQUEST_CONTENT": env["content"],
            "COLLECTQUEST_LEADERBOARD": env["board"],
        }
        return runner.invoke(cli, list(args), env=variables, catch_exceptions=False)
    base = [
        "--saves",
        env["saves"],
        "--only-levels",
        env["levels"],
        "--content",
        env["content"],
        "--leaderboard",
        env["board"],
    ]
    return runner.invoke(cli, base + list(args), catch_exceptions=False)


def board_json(env: dict[str, str], *extra: str) -> list[dict]:
    result = run(env, "leaderboard", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def record(env: dict[str, str], player: str, policy: str, *extra: str, level: str = "sample-spouse") -> None:
    result = run(env, "autoplay", level, "--player", player, "--policy", policy, "--record", *extra)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", ["leaderboard", "autoplay", "verify", "report"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "collectquest" in result.output


def test_empty_leaderboard(env: dict[str, str]) -> None:
    result = run(env, "leaderboard")
    assert result.exit_code == 0 and "还没有成绩" in result.output
    assert board_json(env) == []


def test_autoplay_without_record_stores_nothing(env: dict[str, str]) -> None:
    result = run(env, "autoplay", "sample-spouse", "--player", "演示", "--policy", "best")
    assert result.exit_code == 0
    assert "总分 100" in result.output and "通过" in result.output
    assert not Path(env["saves"], "runs.jsonl").exists()


def test_autoplay_record_and_leaderboard(env: dict[str, str]) -> None:
    record(env, "[red]阿强[/]", "best", "--team", "一组")
    record(env, "小美", "random", "--team", "一组", "--seed", "3")
    record(env, "老王", "worst", "--team", "二组")
    record(env, "老王", "best", "--team", "二组", "--mode", "practice")  # practice: not on the board
    assert board_json(env) == []  # autoplay runs stay off unless asked
    rows = board_json(env, "--include-autoplay")
    assert [(r["player"], r["team"], r["attempts"]) for r in rows] == [
        ("[red]阿强[/]", "一组", 1),
        ("小美", "一组", 1),
        ("老王", "二组", 1),
    ]
    assert rows[0]["score"] == 100 and rows[-1]["score"] == 0
    assert all(set(r) >= {"player", "team", "score", "attempts", "when"} for r in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert "T" in rows[0]["when"]  # ISO 8601

    table = run(env, "leaderboard", "--include-autoplay")
    assert table.exit_code == 0 and "[red]阿强[/]" in table.output  # markup shown as typed

    teams = board_json(env, "--include-autoplay", "--teams")
    assert [(t["team"], t["members"]) for t in teams] == [("一组", 2), ("二组", 1)]
    assert teams[0]["score"] == round((rows[0]["score"] + rows[1]["score"]) / 2)

    assert board_json(env, "--include-autoplay", "--level", "st-loop") == []
    assert len(board_json(env, "--include-autoplay", "--level", "sample-spouse")) == 3
    assert len(board_json(env, "--include-autoplay", "--limit", "1")) == 1


def test_environment_variables_are_honoured(env: dict[str, str]) -> None:
    result = run(
        env, "autoplay", "sample-spouse", "--player", "环境", "--policy", "best", "--record", use_env_vars=True
    )
    assert result.exit_code == 0, result.output
    assert Path(env["saves"], "runs.jsonl").exists() and Path(env["board"]).exists()
    assert [r["player"] for r in board_json(env, "--include-autoplay")] == ["环境"]


def test_autoplay_bad_input_gives_messages_not_tracebacks(env: dict[str, str]) -> None:
    unknown = run(env, "autoplay", "sample-spouce", "--player", "x", "--policy", "best")
    assert unknown.exit_code == 2 and "找不到关卡" in unknown.output and "sample-spouse" in unknown.output
    empty = run(env, "autoplay", "sample-spouse", "--player", "  ", "--policy", "best", "--record")
    assert empty.exit_code == 2 and "不能为空" in empty.output
    policy = run(env, "autoplay", "sample-spouse", "--player", "x", "--policy", "cheat")
    assert policy.exit_code == 2 and "Traceback" not in policy.output


def test_verify_passes_on_honest_data(env: dict[str, str]) -> None:
    record(env, "甲", "best")
    record(env, "乙", "random", "--seed", "5", level="st-loop")
    result = run(env, "verify")
    assert result.exit_code == 0, result.output
    assert "已核对 2 条运行记录" in result.output and "全部一致" in result.output


def test_verify_catches_a_hand_edited_leaderboard(env: dict[str, str]) -> None:
    record(env, "甲", "random", "--seed", "3")
    board = json.loads(Path(env["board"]).read_text(encoding="utf-8"))
    entry = next(iter(board["levels"]["sample-spouse"].values()))
    stored = entry["autoplay"]["score"]
    entry["autoplay"]["score"] = 100
    Path(env["board"]).write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    assert board_json(env, "--include-autoplay")[0]["score"] == 100  # the edit is on the board …
    result = run(env, "verify")
    assert result.exit_code == 1  # … and verify exposes it
    assert "排行榜" in result.output and "100" in result.output and str(stored) in result.output


def record_real(
    env: dict[str, str], name: str, level_id: str, policy: str, mode: str = "assessment", minutes: int = 7
) -> None:
    """A non-autoplay run, recorded as the game records one."""
    catalog, _ = load_catalog([Path(env["levels"])], [Path(env["content"])])
    store = SaveStore(Path(env["saves"]), Path(env["board"]))
    player = store.find_player(name) or store.create_player(name, "一组")
    started = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
    session = autoplay(catalog.levels[level_id], catalog, policy, mode=mode)
    store.record_run(run_from_session(session, player, started, started + timedelta(minutes=minutes)))


def test_verify_catches_an_edited_history(env: dict[str, str]) -> None:
    record(env, "甲", "worst", "--mode", "practice")
    runs_file = Path(env["saves"], "runs.jsonl")
    lines = runs_file.read_text(encoding="utf-8").splitlines()
    run_data = json.loads(lines[1])
    assert run_data["total"] == 0
    lines[1] = json.dumps({**run_data, "total": 95}, ensure_ascii=False)
    runs_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(env, "verify")
    assert result.exit_code == 1 and "运行记录" in result.output and "95" in result.output


def test_verify_catches_hand_edited_bests(env: dict[str, str]) -> None:
    record_real(env, "甲", "sample-spouse", "worst", mode="practice")
    assert run(env, "verify").exit_code == 0
    profiles_file = Path(env["saves"], "profiles.json")
    profiles = json.loads(profiles_file.read_text(encoding="utf-8"))
    (best,) = profiles["bests"].values()
    best.update(score=99, passed=True, stars=3)
    profiles_file.write_text(json.dumps(profiles, ensure_ascii=False), encoding="utf-8")
    result = run(env, "verify")
    assert result.exit_code == 1 and "最佳成绩" in result.output and "99" in result.output


def test_verify_catches_a_hand_edited_leaderboard_entry_of_a_real_run(env: dict[str, str]) -> None:
    record_real(env, "甲", "st-loop", "worst")
    board = json.loads(Path(env["board"]).read_text(encoding="utf-8"))
    (entry,) = board["levels"]["st-loop"].values()
    entry["best"]["score"] = 88
    Path(env["board"]).write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    result = run(env, "verify")
    assert result.exit_code == 1 and "88" in result.output
    assert board_json(env)[0]["score"] == 88


def test_verify_reports_an_unreadable_history_line(env: dict[str, str]) -> None:
    record(env, "甲", "best")
    runs_file = Path(env["saves"], "runs.jsonl")
    with open(runs_file, "a", encoding="utf-8") as handle:
        handle.write('{"run_id": "tampered"}\n')
    result = run(env, "verify")
    assert result.exit_code == 1 and "无法读取" in result.output


def test_corrupt_files_are_reported_by_commands(env: dict[str, str]) -> None:
    Path(env["board"]).parent.mkdir(parents=True)
    Path(env["board"]).write_text("{broken", encoding="utf-8")
    result = run(env, "leaderboard")
    assert result.exit_code == 0
    assert "已损坏" in result.stderr and env["board"] in result.stderr
    # Viewing never writes (it must work on a read-only share); the next writer moves it aside.
    assert "未做改动" in result.stderr
    assert Path(env["board"]).read_text(encoding="utf-8") == "{broken"
    record(env, "甲", "best")
    assert list(Path(env["board"]).parent.glob("leaderboard.json.corrupt-*"))


def test_report_tables_json_and_csv(env: dict[str, str], tmp_path: Path) -> None:
    record(env, "王小丽", "best", "--team", "一组", "--mode", "practice")
    assert run(env, "report").exit_code == 0  # autoplay runs are left out of reports
    text = run(env, "report", "--json")
    assert text.exit_code == 0
    data = json.loads(text.stdout)
    assert data["trainees"][0]["player"] == "王小丽" and data["trainees"][0]["attempts"] == 0

    record_real(env, "王小丽", "st-loop", "worst")  # a real (non-autoplay) run

    data = json.loads(run(env, "report", "--json", "--team", "一组").stdout)
    (wang,) = data["trainees"]
    assert wang["violations"] == {"pipl-no-illegal-disclosure": 1} and wang["time_spent"] == 420
    assert json.loads(run(env, "report", "--json", "--team", "二组").stdout)["trainees"] == []
    assert json.loads(run(env, "report", "--json", "--since", "2026-03-03").stdout)["trainees"][0]["attempts"] == 0

    csv_path = tmp_path / "out" / "报告.csv"
    csv_path.parent.mkdir()
    result = run(env, "report", "--csv", str(csv_path))
    assert result.exit_code == 0 and "王小丽" in result.output
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][:3] == ["学员", "一组", "王小丽"]


def test_report_bad_input(env: dict[str, str], tmp_path: Path) -> None:
    bad_date = run(env, "report", "--since", "yesterday")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output and "Traceback" not in bad_date.output
    unwritable = run(env, "report", "--csv", str(tmp_path / "missing-dir" / "x.csv"))
    assert unwritable.exit_code == 2 and "无法写入" in unwritable.output


def test_leaderboard_week_shows_this_weeks_runs_only(env: dict[str, str]) -> None:
    from test_store_contract import make_run

    store = SaveStore(Path(env["saves"]), Path(env["board"]))
    veteran, new = store.create_player("老将", "一组"), store.create_player("新人", "二组")
    now = datetime.now().astimezone()
    store.record_run(make_run(veteran, "sample-spouse", 95, finished=(now - timedelta(days=8)).isoformat()))
    store.record_run(make_run(new, "sample-spouse", 70, finished=now.isoformat()))
    all_time = json.loads(run(env, "leaderboard", "--json").output)
    assert [e["player"] for e in all_time] == ["老将", "新人"]
    week = json.loads(run(env, "leaderboard", "--week", "--json").output)
    assert [(e["player"], e["score"]) for e in week] == [("新人", 70)]
    teams = json.loads(run(env, "leaderboard", "--teams", "--week", "--json").output)
    assert [(e["player"], e["members"]) for e in teams] == [("二组", 1)]
    shown = run(env, "leaderboard", "--week")
    assert shown.exit_code == 0 and "本周（周一 0 点起）" in shown.output and "老将" not in shown.output
