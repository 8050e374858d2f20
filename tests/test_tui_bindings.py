"""The footer shows only keys that do something now (check_action), and every binding has an id
(so a keymap can rebind it)."""

from __future__ import annotations

import inspect

from conftest import choose, login, open_level, pick

import tui.screens as screens_package
from tui.screens.audit import AuditScreen
from tui.screens.dialogue import DialogueScreen
from tui.screens.quiz import QuizScreen
from tui.screens.results import ResultsScreen


def footer_actions(app) -> set[str]:
    """The actions of the bindings the footer shows as usable now."""
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled and b.binding.show}


def enabled_actions(app) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}


async def test_quiz_option_keys_leave_the_footer_once_answered(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-quiz")
        assert isinstance(app.screen, QuizScreen)
        assert "pick(0)" in footer_actions(app) and "toggle_option" in enabled_actions(app)
        clock.advance(1)
        await pick(pilot, "B")  # practice: feedback on the answer
        assert app.screen.phase == "feedback"
        assert "pick(0)" not in footer_actions(app) and "toggle_option" not in enabled_actions(app)
        await pilot.press("a")  # an option key now does nothing
        await pilot.pause()
        assert app.screen.phase == "feedback" and len(app.screen.runner.answers) == 1
        await pilot.press("enter")
        await pilot.pause()
        assert "pick(0)" in footer_actions(app)


async def test_quiz_space_no_longer_shadows_textual_toggle() -> None:
    assert "action_toggle" not in QuizScreen.__dict__
    assert "toggle_option" in {b.action for b in QuizScreen.BINDINGS}


async def test_audit_keys_leave_the_footer_once_submitted(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-audit")
        assert isinstance(app.screen, AuditScreen)
        assert {"submit", "change_rule"} <= footer_actions(app)
        await pilot.press("s", "y")  # submit with nothing flagged: it asks, then scores
        await pilot.pause()
        assert app.screen.result is not None
        assert not {"submit", "change_rule", "flag"} & enabled_actions(app)
        assert {"case_file", "leave"} <= footer_actions(app)


async def test_hints_are_offered_in_practice_only_and_next_level_only_when_there_is_one(make_app):
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await login(pilot)
        await pilot.press("m")  # assessment
        await open_level(pilot, "t-dialogue")
        assert isinstance(app.screen, DialogueScreen)
        assert "hint" not in footer_actions(app) and "choose(1)" in footer_actions(app)
        await choose(pilot, 0)
        await choose(pilot, 0)
        assert "choose(1)" not in footer_actions(app)
        assert app.screen.check_action("continue", ()) and not app.screen.check_action("hint", ())
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert ("next_level" in footer_actions(app)) == (screen.next_level is not None)
        screen.next_level = None
        screen.refresh_bindings()
        assert "next_level" not in footer_actions(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("m")  # back to practice
        await open_level(pilot, "t-dialogue")
        assert "hint" in footer_actions(app)


def test_every_binding_has_an_id() -> None:
    import importlib
    import pkgutil

    from textual.binding import Binding

    import tui.app
    import tui.widgets as widgets_package

    modules = [tui.app]
    for package in (screens_package, widgets_package):
        modules += [
            importlib.import_module(f"{package.__name__}.{i.name}") for i in pkgutil.iter_modules(package.__path__)
        ]
    missing = []
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith("tui."):
                continue
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and not binding.id:
                    missing.append(f"{cls.__name__}: {binding.key} -> {binding.action}")
    assert not missing, missing
