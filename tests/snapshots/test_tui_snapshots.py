"""SVG snapshots of every screen at 80×24 and 120×40, from fixture data and fake time so they are
stable. Update with `pytest tests/snapshots --snapshot-update` and look at the report first."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from conftest import choose, highlight_level, login, open_level, type_text
from textual.pilot import Pilot
from textual.widgets import Input

from game.store.records import RunRecord

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch):
    """A blinking cursor would make screenshots depend on timing."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


def run(player, level_id: str, total: int, when: str, mode: str = "assessment") -> RunRecord:
    return RunRecord(
        run_id=uuid.uuid4().hex,
        player_id=player.id,
        player=player.name,
        team=player.team,
        level_id=level_id,
        mode=mode,
        seed=1,
        started=when,
        finished=when,
        duration=60.0,
        inputs=[],
        total=total,
        passed=True,
        stars=3 if total >= 90 else 2 if total >= 75 else 1,
        dimensions={"合规": total},
        violations=[],
        wrong_questions=[],
    )


async def some_history(pilot: Pilot) -> None:
    """A player with three levels passed, and two rivals on the leaderboard."""
    app = pilot.app
    store = app.store
    await login(pilot, "王小明", "催收一组")
    me = app.player
    rival = store.create_player("李雷", "催收二组")
    mate = store.create_player("韩梅梅", "催收一组")
    store.record_run(run(me, "sample-spouse", 92, "2026-03-02T10:00:00"))
    store.record_run(run(me, "t-dialogue", 78, "2026-03-02T11:00:00", mode="practice"))
    store.record_run(run(me, "t-quiz", 85, "2026-03-03T09:30:00"))
    store.record_run(run(rival, "t-quiz", 96, "2026-03-03T10:00:00"))
    store.record_run(run(rival, "sample-spouse", 70, "2026-03-03T10:10:00"))
    store.record_run(run(mate, "t-quiz", 66, "2026-03-04T16:45:00"))
    app.screen.refresh_map()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def start_screen(pilot: Pilot) -> None:
    store = pilot.app.store
    store.create_player("王小明", "催收一组")
    store.create_player("[red]李雷[/]", "催收二组")
    pilot.app.screen.refresh_players()


async def new_player_form(pilot: Pilot) -> None:
    await pilot.pause()
    await type_text(pilot, "王小明")


async def map_screen(pilot: Pilot) -> None:
    await some_history(pilot)
    await highlight_level(pilot, "t-audit")


async def briefing(pilot: Pilot) -> None:
    await login(pilot)
    await highlight_level(pilot, "t-dialogue")
    await pilot.press("enter")


async def dialogue_practice(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-dialogue")
    await pilot.press("1")


async def dialogue_red_line(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-dialogue")
    await pilot.press("2")


async def dialogue_ending(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-dialogue")
    await pilot.press("1", "2")


async def quiz_question(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-quiz")
    pilot.app.clock.advance(6)
    pilot.app.screen.tick()


async def quiz_multiple(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-quiz")
    pilot.app.clock.advance(2)
    await pilot.press("b", "enter")
    pilot.app.clock.advance(16)
    pilot.app.screen.tick()
    await pilot.press("a")


async def quiz_feedback(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-quiz")
    pilot.app.clock.advance(3)
    await pilot.press("a")


async def quiz_assessment_summary(pilot: Pilot) -> None:
    await login(pilot)
    await pilot.press("m")
    await open_level(pilot, "t-quiz")
    for keys in (["b"], ["a", "c", "enter"], ["a"], ["c"]):
        pilot.app.clock.advance(2)
        await pilot.press(*keys)


async def audit_flagged(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-audit")
    await pilot.press("down", "down", "space", "down", "enter", "down", "down")


async def audit_rule_picker(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-audit")
    await pilot.press("down", "down", "space")


async def audit_result(pilot: Pilot) -> None:
    await audit_flagged(pilot)
    await pilot.press("s", "y")


async def results_pass(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "sample-spouse")
    await pilot.press("1", "1", "enter")
    for key in ("b", "a"):
        pilot.app.clock.advance(4)
        await pilot.press(key, "enter")
    await pilot.press("enter", "down", "down", "enter", "enter", "s", "y", "enter")


async def results_red_line(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-dialogue")
    await pilot.press("2", "enter")


async def leaderboard_level(pilot: Pilot) -> None:
    await some_history(pilot)
    await highlight_level(pilot, "t-quiz")
    await pilot.press("l")
    await pilot.app.workers.wait_for_complete()  # the board is read in a worker
    await pilot.pause()


async def leaderboard_teams(pilot: Pilot) -> None:
    await leaderboard_level(pilot)
    await pilot.press("3")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def handbook(pilot: Pilot) -> None:
    await login(pilot)
    await pilot.press("h")


async def handbook_search(pilot: Pilot) -> None:
    await handbook(pilot)
    await pilot.press("slash")
    await type_text(pilot, "第三")
    await pilot.press("enter", "3")


async def help_screen(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-dialogue")
    await pilot.press("question_mark")


async def leave_dialog(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-quiz")
    await pilot.press("escape")


async def resume_dialog(pilot: Pilot) -> None:
    app = pilot.app
    player = app.store.create_player("王小明", "催收一组")
    app.store.save_progress(
        player.id,
        {
            "level": "sample-spouse",
            "mode": "practice",
            "seed": 7,
            "record": [
                {"kind": "dialogue", "choices": [0, 0]},
                {"kind": "quiz", "questions": ["inline-0", "inline-1"], "answers": []},
            ],
            "started": "2026-03-02T09:00:00",
        },
    )
    app.screen.refresh_players()
    await pilot.pause()
    await pilot.press("enter")


async def quit_confirm(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-dialogue")
    await pilot.press("ctrl+q")


async def case_file(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-dialogue")
    await pilot.press("c")


async def review_drill(pilot: Pilot) -> None:
    """A dialogue decision point replayed in the review drill (cards made by a worst run)."""
    from datetime import datetime

    from game.autoplay import autoplay
    from game.runs import run_from_session

    await login(pilot)
    app = pilot.app
    past = datetime(2026, 3, 1, 8, 0)
    session = autoplay(app.catalog.levels["sample-spouse"], app.catalog, "worst", seed=2)
    run = run_from_session(session, app.player, past, past)
    app.store.record_run(run)
    app.learning.take_in_run(run, app.catalog, past)
    app.screen.refresh_map()
    await pilot.press("v")
    await pilot.pause()


async def profile(pilot: Pilot) -> None:
    await login(pilot)
    await open_level(pilot, "t-dialogue")
    for _ in range(2):
        await choose(pilot, 0)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("i")
    await pilot.pause()


SCENARIOS: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "start": start_screen,
    "start_new_player": new_player_form,
    "map": map_screen,
    "briefing": briefing,
    "dialogue": dialogue_practice,
    "dialogue_red_line": dialogue_red_line,
    "dialogue_ending": dialogue_ending,
    "case_file": case_file,
    "quiz": quiz_question,
    "quiz_multiple": quiz_multiple,
    "quiz_feedback": quiz_feedback,
    "quiz_assessment_summary": quiz_assessment_summary,
    "audit": audit_flagged,
    "audit_rule_picker": audit_rule_picker,
    "audit_result": audit_result,
    "results": results_pass,
    "results_red_line": results_red_line,
    "leaderboard": leaderboard_level,
    "leaderboard_teams": leaderboard_teams,
    "handbook": handbook,
    "handbook_search": handbook_search,
    "help": help_screen,
    "leave_dialog": leave_dialog,
    "resume_dialog": resume_dialog,
    "quit_confirm": quit_confirm,
    "review_drill": review_drill,
    "profile": profile,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_screen(snap_compare, make_app, scenario: str, size: str) -> None:
    app = make_app()
    assert snap_compare(app, terminal_size=SIZES[size], run_before=SCENARIOS[scenario])
