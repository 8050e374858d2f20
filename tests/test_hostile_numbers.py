"""Hostile numbers and nesting in save files: a 5,000-digit integer or 100,000 nested `[` in the
shared leaderboard or the profiles, a 4,000-digit score, the same in history lines. The file is
moved aside (by a writer; viewing only reports it), and every command and the game still start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import login
from hostile import history_lines, make_env, read_board, record, run_cli, write_board

from game.store.savestore import SaveStore
from tui.screens.map import MapScreen

HUGE_INT = "9" * 5000  # over Python's int-from-text limit (4,300 digits): ValueError
DEEP = "[" * 100_000 + "]" * 100_000  # RecursionError in json
BIG_SCORE = "9" * 4000  # parses, but a team mean overflows a float


def _board_with_score(env: dict[str, str], score_text: str) -> None:
    data = read_board(env)
    text = json.dumps(data, ensure_ascii=False)
    slot = next(iter(next(iter(data["levels"].values())).values()))["autoplay"]
    old = f'"score": {slot["score"]}'
    assert old in text
    write_board(env, text.replace(old, f'"score": {score_text}', 1))


@pytest.mark.parametrize("poison", [HUGE_INT, DEEP, BIG_SCORE], ids=["5000-digits", "deep-nesting", "4000-digit-score"])
def test_hostile_number_in_the_shared_board_every_command_still_works(tmp_path: Path, poison: str) -> None:
    env = make_env(tmp_path)
    record(env, "甲", "--team", "一组")
    _board_with_score(env, poison)
    for args in (
        ["leaderboard"],
        ["leaderboard", "--teams", "--include-autoplay"],
        ["leaderboard", "--json"],
        ["report"],
        ["verify"],
    ):
        result = run_cli(env, *args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "已损坏" in result.stderr and env["board"] in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
    assert poison in Path(env["board"]).read_text(encoding="utf-8")  # viewing wrote nothing
    # A writer moves it aside, says so, and starts a fresh board with this store's runs.
    result = run_cli(env, "autoplay", "sample-spouse", "--player", "甲", "--policy", "best", "--record")
    assert result.exit_code == 0, result.output
    assert "已移到" in result.stderr
    backups = list(Path(env["board"]).parent.glob("leaderboard.json.corrupt-*"))
    assert len(backups) == 1 and poison[:100] in backups[0].read_text(encoding="utf-8")
    rows = json.loads(run_cli(env, "leaderboard", "--json", "--include-autoplay").stdout)
    assert rows and rows[0]["player"] == "甲"


@pytest.mark.parametrize("poison", [HUGE_INT, DEEP], ids=["5000-digits", "deep-nesting"])
def test_hostile_number_in_profiles_is_moved_aside_and_the_game_starts(tmp_path: Path, poison: str) -> None:
    env = make_env(tmp_path)
    record(env, "甲")
    profiles = Path(env["saves"], "profiles.json")
    profiles.write_text('{"_meta": {"1": {"format_version": 1, "n": ' + poison + "}}}", encoding="utf-8")
    store = SaveStore(Path(env["saves"]), Path(env["board"]))
    assert any("已损坏" in p and "已移到" in p for p in store.problems)
    assert [p.name for p in store.players()] == ["甲"]  # brought back from the history
    assert list(profiles.parent.glob("profiles.json.corrupt-*"))


async def test_tui_starts_on_a_board_with_a_5000_digit_number(make_app, tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    SaveStore(saves)
    (saves / "leaderboard.json").write_text(
        '{"format_version": 1, "kind": "collectquest-leaderboard", "levels": {}, "applied": {}, "x": ' + HUGE_INT + "}",
        encoding="utf-8",
    )
    app = make_app(saves)
    assert any("已损坏" in p for p in app.store.problems)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, MapScreen)
        await pilot.press("l")
        await pilot.pause()
        assert "还没有考核成绩" in "".join(str(w.render()) for w in app.screen.query("#board-note"))


def test_4000_digit_score_gives_no_overflow_in_teams(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    record(env, "甲", "--team", "一组")
    record(env, "乙", "--team", "一组")
    _board_with_score(env, BIG_SCORE)
    result = run_cli(env, "leaderboard", "--teams", "--include-autoplay")
    assert result.exit_code == 0 and "OverflowError" not in result.output


@pytest.mark.parametrize(
    "poison",
    ['"seed": ' + HUGE_INT, '"seed": ' + DEEP, '"seed": 1e999', '"seed": ' + BIG_SCORE],
    ids=["5000-digits", "deep-nesting", "infinity", "4000-digits"],
)
def test_hostile_number_in_a_history_line_skips_that_line(tmp_path: Path, poison: str) -> None:
    env = make_env(tmp_path)
    record(env, "甲")
    record(env, "甲", level="st-loop")
    lines = history_lines(env)
    assert '"seed":0' in lines[1]
    lines[1] = lines[1].replace('"seed":0', poison.replace(": ", ":"), 1)
    Path(env["saves"], "runs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = SaveStore(Path(env["saves"]), Path(env["board"]))
    assert [r.level_id for r in store.runs()] == ["st-loop"]
    assert store.unreadable_run_lines == [2]
    for command in ("report", "leaderboard"):
        assert run_cli(env, command).exit_code == 0
    result = run_cli(env, "verify")
    assert result.exit_code == 1 and "第 2 行无法读取" in result.output
