"""Leaving, resuming and quitting a level; odd player names; leaderboard, handbook, help and the
command palette. All through keys, against a temporary saves folder."""

from __future__ import annotations

import uuid

import pytest
from conftest import choose, highlight_level, login, open_level, pick, screen_text, type_text

from game.store.records import RunRecord
from tui.screens.briefing import BriefingScreen
from tui.screens.dialogs import ConfirmDialog, LeaveLevelDialog, ResumeDialog
from tui.screens.dialogue import DialogueScreen
from tui.screens.handbook import HandbookScreen
from tui.screens.help import HelpScreen
from tui.screens.leaderboard import LeaderboardScreen
from tui.screens.map import MapScreen
from tui.screens.quiz import QuizScreen
from tui.screens.results import ResultsScreen
from tui.screens.start import StartScreen


def passed_run(player, level_id: str, total: int, mode: str = "assessment") -> RunRecord:
    """A finished, passing run as storage keeps it (for setting up a player's progress)."""
    return RunRecord(
        run_id=uuid.uuid4().hex,
        player_id=player.id,
        player=player.name,
        team=player.team,
        level_id=level_id,
        mode=mode,
        seed=1,
        started="2026-03-01T10:00:00",
        finished="2026-03-01T10:05:00",
        duration=300.0,
        inputs=[],
        total=total,
        passed=True,
        stars=3 if total >= 90 else 1,
        dimensions={"合规": total},
        violations=[],
        wrong_questions=[],
    )


async def test_leave_a_level_and_resume_it_after_restarting(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        first_order = [i for i, _ in app.screen.shown_choices]
        await choose(pilot, 0)  # "您好,我是XX银行消费金融中心的工作人员…"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveLevelDialog)
        await pilot.press("c")  # keep playing
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen)
        await pilot.press("escape", "s")  # save and leave
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert "▶ 未完成，按 Enter 继续" in screen_text(app)
        player_id = app.player.id
    saved = app.store.load_progress(player_id)
    assert saved["level"] == "t-dialogue"
    assert saved["record"] == [{"kind": "dialogue", "choices": [0], "orders": [first_order]}]

    again = make_app(tmp_path / "saves")
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the existing player
        await pilot.pause()
        assert isinstance(again.screen, ResumeDialog)
        assert "首通电话:表明身份" in screen_text(again)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(again.screen, DialogueScreen)
        text = screen_text(again)
        assert "您好,我是XX银行消费金融中心的工作人员" in text  # the part already played
        assert "以上为上次的进度" in text
        second_order = [i for i, _ in again.screen.shown_choices]
        await choose(pilot, 0)  # "好的,那您看今晚七点半方便吗?…"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(again.screen, ResultsScreen)
    assert again.store.load_progress(player_id) is None
    assert [r.inputs for r in again.store.runs()] == [
        [{"kind": "dialogue", "choices": [0, 0], "orders": [first_order, second_order]}]
    ]


async def test_abandon_a_level(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        await pick(pilot, "B")
        assert app.store.load_progress(app.player.id) is not None
        await pilot.press("escape", "x")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert app.store.load_progress(app.player.id) is None
        assert list(app.store.runs()) == []


async def test_quitting_mid_level_asks_first(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "进度已保存" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert not app.is_running
    assert app.store.load_progress(app.player.id)["level"] == "t-dialogue"


async def test_quitting_from_the_map_does_not_ask(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


@pytest.mark.parametrize("name", ["[red]x[/]", "[b]粗体[/b] $accent", "欧阳 娜娜", "Zoë O'Brien", "\\[x]"])
async def test_odd_player_names_are_shown_literally(make_app, name):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, name, "[green]二组[/]")
        assert isinstance(app.screen, MapScreen)
        assert f"{name} · [green]二组[/]" in screen_text(app)  # the header shows name and team as typed
        await pilot.press("escape")  # back to the player list
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert name in screen_text(app)
        app.store.record_run(passed_run(app.store.players()[0], "t-quiz", 88))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        await highlight_level_on_board(pilot, "t-quiz")
        assert f"{name}  ◀ 你" in screen_text(app)


async def highlight_level_on_board(pilot, level_id: str) -> None:
    board = pilot.app.screen
    assert isinstance(board, LeaderboardScreen)
    for _ in range(10):
        if board.level_id == level_id:
            return
        await pilot.press("right")
    raise AssertionError(level_id)


async def test_an_empty_name_is_refused_with_a_message(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await type_text(pilot, "   ")
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert "✗ 学员名字不能为空" in screen_text(app)


async def test_leaderboard_highlights_the_current_player_and_shows_teams(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, "王小明", "一组")
        store = app.store
        me = app.player
        rival = store.create_player("李雷", "二组")
        mate = store.create_player("韩梅梅", "一组")
        store.record_run(passed_run(rival, "t-quiz", 95))
        store.record_run(passed_run(me, "t-quiz", 80))
        store.record_run(passed_run(mate, "t-dialogue", 70))
        store.record_run(passed_run(me, "t-dialogue", 60, mode="practice"))  # practice never counts
        await highlight_level(pilot, "t-quiz")
        await pilot.press("l")
        await pilot.pause()
        text = screen_text(app)
        assert "合规快问快答" in text
        assert text.index("李雷") < text.index("王小明  ◀ 你")
        await pilot.press("tab")  # overall
        await pilot.pause()
        text = screen_text(app)
        assert "各关最佳考核成绩之和" in text and "王小明  ◀ 你" in text and "韩梅梅" in text
        await pilot.press("tab")  # teams: 一组 = mean(80, 70) = 75, 二组 = 95
        await pilot.pause()
        text = screen_text(app)
        assert "一组  ◀ 你的小组" in text
        assert text.index("二组") < text.index("一组  ◀ 你的小组")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)


async def test_exam_is_always_played_in_assessment_mode(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        for level_id in ("sample-spouse", "t-dialogue", "t-quiz", "t-audit"):
            app.store.record_run(passed_run(app.player, level_id, 90, mode="practice"))
        app.screen.refresh_map()
        await highlight_level(pilot, "t-exam")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.mode == "assessment"
        await pilot.press("m")  # refused
        await pilot.pause()
        assert app.screen.mode == "assessment"
        assert "晋升考核固定为考核模式" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and app.current_run.mode == "assessment"


async def test_locked_level_says_why(make_app):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        await highlight_level(pilot, "i-first")
        text = screen_text(app)
        assert "⊘ 通过「新手晋升考核」后开放" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)  # nothing opens


async def test_help_opens_from_every_screen(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "开始（当前页面）" in screen_text(app)
        palette_rows = [line for line in screen_text(app).splitlines()[:-1] if "^p" in line]  # not the footer
        assert len(palette_rows) == 1 and "命令面板" in palette_rows[0]  # listed once, saying what it does
        await pilot.press("escape")
        await login(pilot)
        for keys, name in ((["question_mark"], "关卡地图"), (["l", "question_mark"], "排行榜")):
            await pilot.press(*keys)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert f"{name}（当前页面）" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("escape")
        await open_level(pilot, "t-dialogue")
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "对话（当前页面）" in text and "1-9" in text and "离开" in text


async def test_handbook_search_finds_rules_terms_and_scripts(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HandbookScreen)
        assert "规则卡 5" in screen_text(app)
        await pilot.press("slash")
        await type_text(pilot, "第三")
        await pilot.pause()
        text = screen_text(app)
        assert "规则卡 1" in text and "术语 1" in text and "话术 1" in text
        assert "个人信息保护法》第10条" in text
        await pilot.press("enter", "3")
        await pilot.pause()
        text = screen_text(app)
        assert "第三方接听" in text and "✓ 推荐" in text and "✗ 避免" in text


async def test_command_palette_jumps_to_a_level(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "首通电话")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level.id == "t-dialogue"
        assert [type(s).__name__ for s in app.screen_stack[-2:]] == ["MapScreen", "BriefingScreen"]


async def test_command_palette_searches_the_handbook(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "录音")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, HandbookScreen)
        assert "催收录音至少保存2年" in screen_text(app)


async def test_starting_another_level_asks_before_dropping_saved_progress(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        await choose(pilot, 0)
        await pilot.press("escape", "s")  # leave it for later
        await pilot.pause()
        await open_level(pilot, "t-quiz")
        assert isinstance(app.screen, ConfirmDialog)
        assert "首通电话:表明身份" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.store.load_progress(app.player.id)["level"] == "t-dialogue"
        await pilot.press("enter", "y")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert app.store.load_progress(app.player.id)["level"] == "t-quiz"
