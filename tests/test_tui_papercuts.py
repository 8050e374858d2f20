"""Papercuts from a trainee's play-through (issue #15): help from an empty name field,
duplicate names, the mode a new player starts in, fuzzy handbook search, the 情绪 meter's
colour, and audit marks and false-alarm reasons after submitting."""

from __future__ import annotations

from conftest import login, open_level, screen_text, type_text
from textual.app import App, ComposeResult
from textual.widgets import Input

from game.loader import content_dir, levels_dir, load_catalog
from game.search import SearchIndex
from tui.screens.audit import AuditScreen
from tui.screens.dialogs import ConfirmDialog, RulePicker
from tui.screens.handbook import HandbookScreen, entries
from tui.screens.help import HelpScreen
from tui.screens.map import MapScreen
from tui.screens.start import StartScreen
from tui.widgets.meters import Meter, MeterPanel


async def test_question_mark_opens_help_from_an_empty_name_field_and_types_otherwise(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "name"  # first launch: no players
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        name = app.screen.query_one("#name", Input)
        assert name.value == ""
        await type_text(pilot, "王?")
        assert name.value == "王?"  # with text in the field, ? is a character
        name.value = ""
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_same_name_and_team_offers_to_continue_as_that_player(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, "王小明", "一组")
        first = app.player
        await pilot.press("escape")  # back to the start screen
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await login(pilot, "王小明", "一组")
        assert isinstance(app.screen, ConfirmDialog)
        assert "已经有玩家「王小明」" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert app.player.id == first.id
        assert len(app.store.players()) == 1


async def test_declining_the_existing_player_keeps_the_form_and_says_why(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, "王小明", "一组")
        await pilot.press("escape")
        await pilot.pause()
        await login(pilot, "王小明", "一组")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert "请换一个" in screen_text(app)
        assert len(app.store.players()) == 1


async def test_a_new_player_starts_in_practice_mode(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, "甲", "一组")
        await pilot.press("m")  # 甲 switches to assessment
        await pilot.pause()
        assert app.preferred_mode == "assessment"
        await pilot.press("escape")
        await pilot.pause()
        await login(pilot, "乙", "一组")
        assert isinstance(app.screen, MapScreen)
        assert app.preferred_mode == "practice"
        assert "◉ 练习" in screen_text(app)


async def test_handbook_search_is_fuzzy_and_ranked(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HandbookScreen)
        await pilot.press("slash")
        await type_text(pilot, "保存录音")  # the card says "催收录音至少保存2年"
        await pilot.pause()
        shown = app.screen.shown["rules"]
        assert shown and shown[0].id == "card-recording"


def test_shipped_handbook_finds_violent_collection():
    catalog, _ = load_catalog([levels_dir()], [content_dir()])
    rules = entries(catalog)["rules"]
    found = [rules[i].id for i in SearchIndex([e.fields for e in rules]).rank("暴力催收")]
    assert found and found[0] == "crim-illegal-debt-collection"
    # Ranked: the card titled with the words beats one that only mentions them in an example.
    assert SearchIndex([e.fields for e in rules]).rank("录音")[0] == [e.id for e in rules].index("card-recording")


async def test_agitation_rising_is_shown_in_red_and_trust_rising_in_green():
    class Meters(App[None]):
        def compose(self) -> ComposeResult:
            yield MeterPanel({"信任": 30, "情绪": 30, "合规": 100})

    app = Meters()
    async with app.run_test() as pilot:
        app.query_one(MeterPanel).update_meters({"信任": 40, "情绪": 50, "合规": 100})
        await pilot.pause()
        styles = {}
        for meter in app.query(Meter):
            content = meter.render()
            arrow = content.plain.index("▲") if "▲" in content.plain else None
            if arrow is not None:
                styles[meter.meter_name] = next(str(s.style) for s in content.spans if s.start <= arrow < s.end)
        assert "$error" in styles["情绪"] and "$success" in styles["信任"]


async def test_audit_keeps_marks_and_says_why_a_false_alarm_is_lawful(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-audit")
        assert isinstance(app.screen, AuditScreen)
        await pilot.press("space")  # line 1 is lawful: a false alarm
        await pilot.pause()
        assert isinstance(app.screen, RulePicker)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        text = screen_text(app)
        assert "⚑ 你的标记：" in text  # the mark stays beside the verdict
        assert "✗ 误报" in text and "这句合规" in text
