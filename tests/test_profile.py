"""The profile: skills, badges, streak, endings found (engine), and the screen (Pilot)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from conftest import login, screen_text

from game.autoplay import autoplay
from game.catalog import Catalog
from game.profile import _streaks, build_profile
from game.runs import run_from_session
from game.store.records import Player, RunRecord
from tui.screens.map import MapScreen
from tui.screens.profile import ProfileScreen

PLAYER = Player("p1", "王小明", "一组", "2026-03-01T08:00:00")


def _run(catalog: Catalog, level_id: str, policy: str, day: date, seed: int = 0) -> RunRecord:
    session = autoplay(catalog.levels[level_id], catalog, policy, seed=seed, mode="practice")
    moment = datetime(day.year, day.month, day.day, 10, 0)
    return run_from_session(session, PLAYER, moment, moment)


def test_streaks_count_consecutive_days() -> None:
    today = date(2026, 3, 10)
    days = {date(2026, 3, d) for d in (1, 2, 3, 8, 9, 10)}
    assert _streaks(days, today) == (3, 3)
    assert _streaks(days - {today}, today) == (2, 3)  # yesterday still counts as going on
    assert _streaks({date(2026, 3, 1)}, today) == (0, 1)


def test_profile_from_runs(tui_catalog: Catalog) -> None:
    day = date(2026, 3, 2)
    runs = [
        _run(tui_catalog, "t-dialogue", "worst", day),
        _run(tui_catalog, "t-dialogue", "best", day + timedelta(days=1)),
        _run(tui_catalog, "t-quiz", "best", day + timedelta(days=1)),
    ]
    autoplayed = replace(_run(tui_catalog, "t-audit", "best", day), autoplay=True)
    profile = build_profile([*runs, autoplayed], tui_catalog, day + timedelta(days=1))
    assert profile.runs == 3 and profile.streak == 2 and profile.best_streak == 2
    dialogue_level = tui_catalog.levels["t-dialogue"]
    assert profile.trend[dialogue_level.skills[0]][:2] == [runs[0].total, runs[1].total]
    assert profile.skills["沟通技巧"] == 100
    titles = [b.title for b in profile.badges]
    assert "零失误通关" in titles and "新手全通" not in titles
    found = {e.level_id: (e.found, e.total) for e in profile.endings}
    stage = dialogue_level.stages[0]
    assert found["t-dialogue"] == (2, len(stage.endings))  # worst and best ended differently
    assert "t-audit" not in found and "t-quiz" not in found  # autoplay does not count; quizzes have no endings


async def test_profile_screen_from_the_map(make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, MapScreen)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        assert "还没有成绩" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        player = app.player
        assert player is not None
        for policy in ("worst", "best"):
            run = replace(_run(app.catalog, "t-dialogue", policy, date(2026, 3, 2)), player_id=player.id)
            app.store.record_run(run)
        await pilot.press("i")
        await pilot.pause()
        text = screen_text(app)
        assert "已解锁结局 2/" in text and "零失误通关" in text and "练习 2 次" in text
