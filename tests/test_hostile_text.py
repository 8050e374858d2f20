"""Hostile text: control, escape, bidi and zero-width characters written into a shared leaderboard,
a history or a level file never reach the terminal raw, and never crash a screen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import TUI_CONTENT, TUI_LEVELS, login, screen_text
from hostile import ESCAPES, FIXTURES, history_lines, make_env, read_board, record, run_cli

from game.loader import load_catalog
from game.store.savestore import SaveStore
from game.textsafe import has_visible_text, safe_text, unsafe_characters
from tui.screens.leaderboard import LeaderboardScreen

HOSTILE = "坏\x07名\r字\x1b[2J\x1b]0;pwned\x07\u202e\u2066\u200b\x9b31m"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("王小明", "王小明"),
        ("坏\x07名", "坏名"),  # BEL
        ("a\rb", "a b"),  # CR rewinds the line
        ("\x1b[2J清屏", "[2J清屏"),  # ESC: the sequence can no longer start
        ("\x1b]0;title\x07x", "]0;titlex"),  # OSC window title
        ("\x9b31m红", "31m红"),  # C1 CSI
        ("abc\u202edef", "abcdef"),  # RLO
        ("\u202dx\u202c\u2066y\u2069\u2067z\u2068", "xyz"),  # LRO, PDF, isolates
        ("隐\u200b藏\u2060文\ufeff字", "隐藏文字"),  # zero-width space, word joiner, BOM
        ("tag\U000e0041\U000e0042", "tag"),  # tag characters smuggle invisible ASCII
        ("一家👨\u200d👩\u200d👧", "一家👨\u200d👩\u200d👧"),  # emoji joiners kept
        ("《民法典》第一千零九条,“请”。", "《民法典》第一千零九条,“请”。"),
        ("坏\udcff字", "坏\ufffd字"),  # a byte that was not UTF-8
    ],
)
def test_safe_text(raw: str, expected: str) -> None:
    assert safe_text(raw) == expected
    assert safe_text(expected) == expected


def test_safe_text_keeps_line_breaks_only_when_asked() -> None:
    assert safe_text("一\n二\u2028三") == "一 二 三"
    assert safe_text("一\n二\r\n三", keep_newlines=True) == "一\n二\n\n三"
    assert unsafe_characters("标题\a") == ["U+0007 响铃 BEL"]
    assert not has_visible_text("\u200b\u200d \u3000") and has_visible_text("\u200b甲")


def _poison_board_names(board_file: Path) -> None:
    data = json.loads(board_file.read_text(encoding="utf-8"))
    for players in data["levels"].values():
        for entry in players.values():
            entry["player"], entry["team"] = HOSTILE, "组\x07\r"
    board_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


async def test_bel_and_cr_in_a_shared_board_do_not_crash_the_tui_leaderboard(make_app, tmp_path: Path) -> None:
    # Before the fix: "RuntimeError: generator raised StopIteration" when the table was drawn.
    from test_tui_flow import passed_run

    saves = tmp_path / "saves"
    store = SaveStore(saves)
    rival = store.create_player("李雷", "二组")
    store.record_run(passed_run(rival, "t-quiz", 95))
    _poison_board_names(saves / "leaderboard.json")
    app = make_app(saves)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, "王小明", "一组")
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LeaderboardScreen)
        for _ in range(3):
            await pilot.press("tab")
            await pilot.pause()
            text = screen_text(app)
            assert not any(ch in text for ch in ESCAPES)
        await pilot.press("tab")  # back to overall
        await pilot.pause()
        assert "坏名 字[2J]0;pwned31m" in screen_text(app)


def test_cli_leaderboard_prints_no_escape_sequences_from_a_shared_board(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    record(env, "甲", "--team", "一组")
    _poison_board_names(Path(env["board"]))
    for args in (["leaderboard", "--include-autoplay"], ["leaderboard", "--teams", "--include-autoplay"]):
        result = run_cli(env, *args)
        assert result.exit_code == 0, result.output
        assert not any(ch in result.output for ch in ESCAPES), repr(result.output)
        assert "坏名 字" in result.output or "组" in result.output
    as_json = run_cli(env, "leaderboard", "--json", "--include-autoplay").stdout
    assert json.loads(as_json)[0]["player"] == safe_text(HOSTILE)
    assert read_board(env)["levels"]  # viewing left the file as it was


def test_cli_report_and_verify_print_no_escape_sequences_from_the_history(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    record(env, "甲")
    lines = history_lines(env)
    run = json.loads(lines[1])
    run.update(player=HOSTILE, team="\x1b[31m组", violations=["\x1b]0;x\x07"])
    lines[1] = json.dumps(run, ensure_ascii=False)
    Path(env["saves"], "runs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in ("report", "verify"):
        result = run_cli(env, command)
        assert result.exit_code in (0, 1), result.output
        assert not any(ch in result.output for ch in ESCAPES), (command, repr(result.output))


def test_level_title_with_bel_cr_rlo_is_rejected_by_validate_in_chinese(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    source = (FIXTURES / "levels" / "sample.yaml").read_text(encoding="utf-8")
    assert "\ntitle: " in source
    bad = Path(env["levels"]) / "bad.yaml"
    head, rest = source.split("\ntitle: ", 1)
    rest = rest.split("\n", 1)[1]
    bad.write_text(
        head.replace("id: sample-spouse", "id: bad-title") + '\ntitle: "标题\\a响铃\\r回车\\u202e反向"\n' + rest,
        encoding="utf-8",
    )
    result = run_cli(env, "validate", str(bad))
    assert result.exit_code != 0
    assert "CQ040" in result.output and "U+0007 响铃 BEL" in result.output and "U+202E 方向控制 RLO" in result.output
    assert f"{bad}:" in result.output
    assert not any(ch in result.output for ch in ESCAPES)
    # The game still loads every other level.
    catalog, diagnostics = load_catalog([Path(env["levels"])], [Path(env["content"])])
    assert "bad-title" not in catalog.levels and "sample-spouse" in catalog.levels
    assert [d.code for d in diagnostics] == ["CQ040"]


async def test_tui_starts_with_the_other_levels_when_one_has_control_characters(make_app, tmp_path: Path) -> None:
    levels = tmp_path / "levels"
    shutil.copytree(FIXTURES / "tui" / "levels", levels)
    (levels / "evil.yaml").write_text(
        (FIXTURES / "broken" / "unsafe-text.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    from game.store.savestore import SaveStore as Store
    from tui.app import CollectQuestApp

    app = CollectQuestApp(Store(tmp_path / "saves"), [TUI_LEVELS[0], levels], TUI_CONTENT)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        for _ in range(50):
            if app.catalog is not None:
                break
            await pilot.pause(0.1)
        assert app.catalog is not None and "broken-unsafe-text" not in app.catalog.levels
        assert len(app.catalog.levels) >= 5
        assert [d.code for d in app.diagnostics] == ["CQ040", "CQ040"]
        await login(pilot)
        assert not any(ch in screen_text(app) for ch in ESCAPES)
