"""Chinese typography on screen: prose widgets and toasts are set by game.typeset, and wide
characters survive overlays (toasts over panel edges)."""

from __future__ import annotations

import re

import pytest
from conftest import screen_text
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from game.typeset import NO_LINE_START, cell_width
from tui.widgets.prose import Prose

LONG = "您好，我是星河银行信用卡中心的催收专员。您的欠款 6,480 元已经逾期 38 天，请在 12 月 15 日前联系我们。"


class Panels(App[None]):
    """Three bordered panels side by side: their edges cut every line of the screen."""

    CSS = "Horizontal > Static { width: 1fr; height: 1fr; border: round green; }"

    def compose(self) -> ComposeResult:
        with Horizontal():
            for _ in range(3):
                yield Static("")


async def test_toast_keeps_every_character_over_panel_edges() -> None:
    message = "没有可挑战的下一关了。"
    for width in (80, 99, 100, 101, 120):
        app = Panels()
        async with app.run_test(size=(width, 30), notifications=True) as pilot:
            await pilot.pause()
            app.notify(message, markup=False)
            app.notify("已放弃「谁接电话、谁是本人：核实身份」。", markup=False)
            await pilot.pause(0.2)
            text = screen_text(app)
            assert message in text, (width, text)
            # A partial update (what a terminal receives when one panel redraws) keeps it too.
            compositor = app.screen._compositor
            compositor._dirty_regions.add(app.screen.region)
            update = compositor.render_partial_update()
            assert update is not None
            drawn = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", update.render_segments(app.console))
            assert "挑战的下一关" in drawn, width


async def test_toast_lines_follow_chinese_line_breaking() -> None:
    app = Panels()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        app.notify("已放弃「谁接电话、谁是本人：核实身份」。", markup=False)
        await pilot.pause(0.2)
        lines = [line.split("▌ ", 1)[1] for line in screen_text(app).splitlines() if "▌ " in line]
        assert lines and all(line.strip()[:1] not in NO_LINE_START for line in lines), lines


class OneProse(App[None]):
    def compose(self) -> ComposeResult:
        yield Prose(LONG, id="prose")


async def test_prose_rewraps_on_resize_without_breaking_rules() -> None:
    app = OneProse()
    async with app.run_test(size=(30, 12)) as pilot:
        for width in (30, 24, 41, 57):
            await pilot.resize_terminal(width, 12)
            await pilot.pause()
            lines = [line for line in screen_text(app).splitlines() if line.strip()]
            assert "".join(lines) == LONG.replace(" ", "") or "".join(lines).replace(" ", "") == LONG.replace(" ", "")
            for index, line in enumerate(lines):
                assert cell_width(line) <= width
                if index:
                    assert line[:1] not in NO_LINE_START, (width, lines)
            joined = "\n".join(lines)
            for kept in ("6,480 元", "38 天", "12 月", "15 日"):
                assert kept in joined, (width, lines)


async def test_prose_shows_strings_literally() -> None:
    class Markup(App[None]):
        def compose(self) -> ComposeResult:
            yield Prose("[bold]不是标记[/bold]")

    app = Markup()
    async with app.run_test(size=(40, 5)):
        assert "[bold]不是标记[/bold]" in screen_text(app)


# --- the audit rule picker at 80×24 ----------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_catalog():
    from game.loader import content_dir, levels_dir, load_catalog

    catalog, _ = load_catalog([levels_dir()], [content_dir()])
    return catalog


def audit_stage(catalog, level_id: str):
    from game.models import AuditStage

    return next(s for s in catalog.levels[level_id].stages if isinstance(s, AuditStage))


async def test_rule_picker_shows_and_keys_every_rule_at_80x24(shipped_catalog) -> None:
    from game import audit
    from tui.screens.dialogs import RULE_KEYS, RulePicker

    stage = audit_stage(shipped_catalog, "s01-call-audit")
    rules = audit.rule_options(stage)
    assert len(rules) > 9
    titles = [shipped_catalog.rules[r].title for r in rules]
    for number in (1, 9, 10, len(rules)):
        picked: list[str | None] = []
        app = App()
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(RulePicker(shipped_catalog, rules, stage.transcript[0].text), picked.append)
            await pilot.pause()
            text = screen_text(app)
            assert f"{RULE_KEYS[number - 1]}. " in text or number > 3  # keys are written beside rules
            await pilot.press("end")
            await pilot.pause()
            # The last rule scrolls into view inside the dialog, above the footer.
            assert titles[-1] in screen_text(app)
            await pilot.press(RULE_KEYS[number - 1])
            await pilot.pause()
        assert picked == [rules[number - 1]]


# --- Textual's own words in Chinese ------------------------------------------------------------

ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
# Key names and the product name are Latin by nature.
ALLOWED_LATIN = {
    "shift",
    "super",
    "home",
    "end",
    "pgup",
    "pgdn",
    "tab",
    "del",
    "alt",
    "Enter",
    "Esc",
    "SVG",
    "CollectQuest",
}


async def test_keys_panel_and_palette_are_chinese(make_app) -> None:
    from conftest import login

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for step in ("start", "map", "handbook"):
            if step == "map":
                await login(pilot)
            if step == "handbook":
                await pilot.press("h")
            await pilot.pause()
            app.action_show_help_panel()
            await pilot.pause()
            panel = app.screen.query_one("HelpPanel")
            words = set(ENGLISH_WORD.findall(_panel_text(app, panel))) - ALLOWED_LATIN
            assert not words, (step, words)
            app.action_hide_help_panel()
            await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        text = screen_text(app)
        assert "搜索命令" in text and "主题" in text and "截图" in text
        assert not {"Theme", "Quit", "Keys", "Screenshot", "palette", "Search"} & set(ENGLISH_WORD.findall(text))
    assert "palette" not in text


def _panel_text(app, panel) -> str:
    """The lines of the screen inside the Keys panel (right of its left edge)."""
    x = panel.region.x
    from rich.cells import chop_cells

    lines = []
    for line in screen_text(app).splitlines():
        cells = chop_cells(line, 1)
        lines.append("".join(cells[x:]))
    return "\n".join(lines)
