"""Audit flags are progress: "保存并返回地图" keeps them, and resuming (from the map, or after a
restart) shows them again, ready to submit."""

from __future__ import annotations

from conftest import highlight_level, login, open_level, screen_text

from tui.screens.audit import AuditScreen
from tui.screens.dialogs import LeaveLevelDialog, ResumeDialog, RulePicker
from tui.screens.map import MapScreen
from tui.screens.results import ResultsScreen


async def flag_line(pilot, rule_id: str) -> None:
    """Flag the highlighted transcript line with `rule_id` picked from the rule list."""
    await pilot.press("space")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, RulePicker)
    rules = picker.query_one("#rules")
    for _ in range(20):
        if rules.highlighted_option is not None and rules.highlighted_option.id == rule_id:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def test_audit_flags_survive_save_and_return(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-audit")
        assert isinstance(app.screen, AuditScreen)
        await flag_line(pilot, "card-recording")  # line 1
        await pilot.press("down", "down")
        await flag_line(pilot, "ind-no-impersonation")  # line 3
        assert app.screen.flags == {1: "card-recording", 3: "ind-no-impersonation"}
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveLevelDialog)
        await pilot.press("s")  # 保存并返回地图
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        saved = app.store.load_progress(app.player.id)
        assert saved["record"] == [{"kind": "audit", "flags": {"1": "card-recording", "3": "ind-no-impersonation"}}]

        await highlight_level(pilot, "t-audit")
        await pilot.press("enter")  # the saved level resumes directly
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
        assert app.screen.flags == {1: "card-recording", 3: "ind-no-impersonation"}
        text = screen_text(app)
        assert "⚑ 标记为违规：不得冒充公检法" in text
        assert "已标记 2 句" in text
        await pilot.press("escape", "s")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)

    again = make_app(tmp_path / "saves")
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the existing player
        await pilot.pause()
        assert isinstance(again.screen, ResumeDialog)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(again.screen, AuditScreen)
        assert again.screen.flags == {1: "card-recording", 3: "ind-no-impersonation"}
        assert "⚑ 标记为违规：不得冒充公检法" in screen_text(again)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(again.screen, ResultsScreen)
    run = next(iter(again.store.runs()))
    assert run.inputs[0]["flags"] == {"1": "card-recording", "3": "ind-no-impersonation"}
