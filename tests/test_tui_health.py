"""The app at its boundaries: unreadable saves and failing storage never stop the game."""

from __future__ import annotations

from tui.screens.dialogs import ResumeDialog
from tui.screens.map import MapScreen


async def test_an_unreadable_save_is_dropped_with_a_message(make_app):
    app = make_app()
    player = app.store.create_player("王小明", "一组")
    app.store.save_progress(player.id, {"level": "t-audit", "seed": "not a number", "record": []})
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the existing player
        await pilot.pause()
        assert isinstance(app.screen, MapScreen) and not isinstance(app.screen, ResumeDialog)
        assert any("存档已损坏" in n.message for n in app._notifications)
    assert app.store.load_progress(player.id) is None
