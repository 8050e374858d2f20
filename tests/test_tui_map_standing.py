"""The map reads the player's standing (bests, saved progress) from the store in a worker, and a
storage failure there is told in Chinese while the game goes on (issue #16)."""

from __future__ import annotations

import threading

from conftest import login, screen_text

from game.store.errors import StorageProblem


async def test_map_reads_bests_off_the_ui_thread_and_shows_the_stars(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 36)) as pilot:
        await login(pilot)
        store = app.store
        readers: list[str] = []
        real_bests = store.bests

        def bests(player_id: str):
            readers.append(threading.current_thread().name)
            return real_bests(player_id)

        store.bests = bests  # type: ignore[method-assign]
        app.screen.refresh_map()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "MapScreen"
        assert readers and threading.main_thread().name not in readers
        assert "称号" in screen_text(app) and "★ 0" in screen_text(app)


async def test_a_storage_problem_reading_bests_is_told_and_the_map_stays(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 36)) as pilot:
        await login(pilot)

        def broken(player_id: str):
            raise StorageProblem("存档文件被占用")

        app.store.bests = broken  # type: ignore[method-assign]
        app.screen.refresh_map()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and type(app.screen).__name__ == "MapScreen"
        assert "成绩暂时读不出来" in screen_text(app)
        notices = [n.message for n in app._notifications]
        assert any("读取成绩失败" in n and "存档文件被占用" in n for n in notices), notices
