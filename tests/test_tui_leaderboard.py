"""The leaderboard screen: read in a worker (加载中… first), this week or all time, and a storage
problem told on the screen."""

from __future__ import annotations

import threading
from datetime import datetime

from conftest import login, screen_text
from test_store_contract import make_run

from tui.screens.leaderboard import LeaderboardScreen
from tui.screens.map import MapScreen

WEDNESDAY = datetime.fromisoformat("2026-03-04T15:00:00+08:00")


async def board_ready(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_weekly_board_is_a_key_away_and_a_new_trainee_leads_it(make_app):
    app = make_app()
    app.store.clock = lambda: WEDNESDAY
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, "王小明", "一组")
        veteran = app.store.create_player("老将", "二组")
        app.store.record_run(make_run(veteran, "t-quiz", 95, finished="2026-02-25T10:00:00+08:00"))
        app.store.record_run(make_run(app.player, "t-quiz", 70, finished="2026-03-03T10:00:00+08:00"))
        await pilot.press("l")
        await board_ready(pilot)
        await pilot.press("2")  # overall
        await board_ready(pilot)
        text = screen_text(app)
        assert text.index("老将") < text.index("王小明  ◀ 你")
        assert "W 本周" in text and "W 总榜" not in text  # the footer names the board W switches to
        await pilot.press("w")
        await board_ready(pilot)
        board = app.screen
        assert isinstance(board, LeaderboardScreen) and board.week
        text = screen_text(app)
        assert "本周（周一 0 点起）" in text and "王小明  ◀ 你" in text and "老将" not in text
        assert "W 总榜" in text and "W 本周" not in text
        assert [e.player for e in board.loaded or []] == ["王小明"]
        await pilot.press("3")  # teams, still this week
        await board_ready(pilot)
        assert [(e.player, e.score) for e in board.loaded or []] == [("一组", 70)]
        await pilot.press("w")  # back to all time
        await board_ready(pilot)
        assert [e.player for e in board.loaded or []] == ["二组", "一组"]


async def test_the_board_says_loading_until_the_store_answers(make_app, monkeypatch):
    app = make_app()
    answer = threading.Event()
    real = app.store.leaderboard

    def slow(*args, **kwargs):
        answer.wait(10)
        return real(*args, **kwargs)

    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        app.store.record_run(make_run(app.player, "t-quiz", 80))
        monkeypatch.setattr(app.store, "leaderboard", slow)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LeaderboardScreen)
        assert "加载中…" in screen_text(app)  # the UI thread is free while the store is read
        await pilot.press("escape")  # and keys still work: leave, then come back
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        await pilot.press("l")
        await pilot.pause()
        answer.set()
        await board_ready(pilot)
        assert "加载中…" not in screen_text(app)
        await pilot.press("2")  # overall
        await board_ready(pilot)
        assert "王小明  ◀ 你" in screen_text(app)
