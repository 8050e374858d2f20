"""Sign-in with a PIN on the start screen (local game and served game) and `collectquest pin`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import login, type_text

from game.store import EmbeddedStore
from tui.cli import cli
from tui.screens.map import MapScreen
from tui.screens.pin import MAX_TRIES, PinDialog
from tui.screens.start import StartScreen


async def _enter_pin(pilot, pin: str) -> None:
    await type_text(pilot, pin)
    await pilot.press("enter")
    await pilot.pause()


async def test_a_player_with_a_pin_is_asked_for_it(make_app, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "saves")
    player = store.create_player("王小明", "一组")
    store.set_pin(player.id, "4821")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the highlighted player
        await pilot.pause()
        assert isinstance(app.screen, PinDialog)
        await _enter_pin(pilot, "1111")
        assert isinstance(app.screen, PinDialog)  # a wrong PIN does not let anyone in
        assert "PIN 不对" in str(app.screen.query_one("#pin-error").render())
        assert app.player is None
        await _enter_pin(pilot, "4821")
        assert isinstance(app.screen, MapScreen)
        assert app.player == player


async def test_too_many_wrong_pins_close_the_dialog(make_app, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "saves")
    store.set_pin(store.create_player("王小明", "一组").id, "4821")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(MAX_TRIES):
            await _enter_pin(pilot, "0000")
        assert isinstance(app.screen, StartScreen)
        assert app.player is None


async def test_a_local_pin_less_player_enters_directly(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, MapScreen)


async def test_a_served_game_makes_a_new_player_set_a_pin(make_app, tmp_path: Path) -> None:
    app = make_app(require_pin=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, PinDialog)
        await type_text(pilot, "12")
        await pilot.press("enter")
        await _enter_pin(pilot, "12")
        assert "至少" in str(app.screen.query_one("#pin-error").render())
        app.screen.query_one("#pin").value = ""
        app.screen.query_one("#pin").focus()
        await type_text(pilot, "4821")
        await pilot.press("enter")
        await _enter_pin(pilot, "4822")
        assert "不一致" in str(app.screen.query_one("#pin-error").render())
        await _enter_pin(pilot, "4821")
        assert isinstance(app.screen, MapScreen)
    store = EmbeddedStore(tmp_path / "saves")
    [player] = store.players()
    assert store.has_pin(player.id) and store.check_pin(player.id, "4821")


async def test_a_served_game_asks_an_old_pin_less_player_to_set_one(make_app, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "saves")
    player = store.create_player("王小明", "一组")
    app = make_app(require_pin=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PinDialog)
        await pilot.press("escape")  # not now: nobody enters
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert app.player is None
    assert not store.has_pin(player.id)


def test_trainer_sets_and_resets_a_pin_from_the_command_line(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    store = EmbeddedStore(saves)
    player = store.create_player("王小明", "一组")
    store.create_player("李华", "一组")
    store.create_player("李华", "二组")
    runner = CliRunner()
    result = runner.invoke(cli, ["--saves", str(saves), "pin", "set", "--player", "王小明"], input="4821\n4821\n")
    assert result.exit_code == 0, result.output
    assert store.check_pin(player.id, "4821") and not store.check_pin(player.id, "1234")
    result = runner.invoke(cli, ["--saves", str(saves), "pin", "set", "--player", "王小明", "--pin", "12"])
    assert result.exit_code == 2 and "至少" in result.output
    result = runner.invoke(cli, ["--saves", str(saves), "pin", "set", "--player", "李华", "--pin", "1234"])
    assert result.exit_code == 2 and "--team" in result.output
    result = runner.invoke(cli, ["--saves", str(saves), "pin", "reset", "--player", "王小明"])
    assert result.exit_code == 0 and not store.has_pin(player.id)
    result = runner.invoke(cli, ["--saves", str(saves), "pin", "reset", "--player", "没有这人"])
    assert result.exit_code == 2 and "没有找到" in result.output
