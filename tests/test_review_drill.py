"""The review drill: the engine that asks due cards and the screen that shows it (Pilot)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from conftest import FakeClock, login, screen_text

from game import mistakes
from game.autoplay import autoplay
from game.catalog import Catalog
from game.drill import DIALOGUE_SECONDS, build_drill
from game.runs import run_from_session
from game.store.learnfile import LearningStore
from game.store.records import Player
from game.store.savestore import SaveStore
from tui.screens.drill import DrillScreen
from tui.screens.map import MapScreen

PAST = datetime(2026, 3, 1, 8, 0)


def _cards(catalog: Catalog, store: SaveStore, player: Player, learning: LearningStore) -> None:
    session = autoplay(catalog.levels["sample-spouse"], catalog, "worst", seed=2)
    run = run_from_session(session, player, PAST, PAST)
    store.record_run(run)
    learning.take_in_run(run, catalog, PAST)


def _right_key(item) -> str:  # type: ignore[no-untyped-def]
    if item.question is not None:
        return "".join(sorted(item.question.correct_set()))
    return next(k for k, _ in item.options if mistakes.is_right_choice(item.stage, item.state, int(k)))


def test_drill_judges_answers_and_schedules_cards(tui_catalog: Catalog, tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    player = store.create_player("王小明", "一组")
    learning = LearningStore(store.saves_dir)
    _cards(tui_catalog, store, player, learning)
    now = PAST + timedelta(hours=1)
    due = learning.due(player.id, now, tui_catalog)
    clock = FakeClock()
    drill = build_drill(due, tui_catalog, clock, seed=5)
    assert [i.card.kind for i in drill.items] == ["dialogue", "quiz", "quiz"]
    first = drill.items[0]
    assert first.line == "喂,哪位?" and first.time_limit == DIALOGUE_SECONDS
    assert sorted(k for k, _ in first.options) == ["0", "1", "2"]
    right = drill.answer(frozenset({_right_key(first)}), now)
    assert right.right and right.card.streak == 1 and right.card.due_at > first.card.due_at
    wrong_item = drill.items[1]
    wrong = next(k for k, _ in wrong_item.options if k not in wrong_item.question.correct_set())
    assert not drill.answer(frozenset({wrong}), now).right
    drill.begin()
    clock.advance(drill.items[2].time_limit + 1)
    late = drill.answer(frozenset({_right_key(drill.items[2])}), now)
    assert late.timed_out and not late.right and late.card.streak == 0
    assert drill.finished and drill.right == 1


def test_option_order_is_shuffled_per_seed(tui_catalog: Catalog, tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    player = store.create_player("王小明", "一组")
    learning = LearningStore(store.saves_dir)
    _cards(tui_catalog, store, player, learning)
    card = next(c for c in learning.cards(player.id) if c.kind == "dialogue")
    orders = {
        tuple(k for k, _ in build_drill([card], tui_catalog, FakeClock(), seed).items[0].options) for seed in range(12)
    }
    assert len(orders) > 1


async def test_map_shows_due_cards_and_v_opens_a_drill(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, MapScreen)
        assert "错题本" not in screen_text(app)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)  # nothing due: a note, no drill
        _cards(app.catalog, app.store, app.player, app.learning)
        app.screen.refresh_map()
        await pilot.pause()
        assert "错题本 3 张 · 3 张待复习（v）" in screen_text(app)
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        text = screen_text(app)
        assert "第 1/3 张" in text and "喂,哪位?" in text and "对方状态" in text and "信任 30" in text
        item = screen.drill.current
        number = [k for k, _ in item.options].index(_right_key(item)) + 1
        await pilot.press(str(number))
        await pilot.pause()
        assert "✓ 正确" in screen_text(app) and "下次复习" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        item = screen.drill.current
        assert item.question is not None and "第 2/3 张" in screen_text(app)
        wrong = next(i for i, (k, _) in enumerate(item.options) if k not in item.question.correct_set())
        await pilot.press("abcdefgh"[wrong])
        await pilot.pause()
        assert "✗ 错误" in screen_text(app) and "✓ 正确答案" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        app.clock.advance(screen.drill.current.time_limit + 1)
        screen.tick()  # what the screen's interval does; not left to real time on a loaded machine
        await pilot.pause()
        assert "✗ 超时" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "本次复习 3 张，答对 1 张" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        cards = {c.kind + str(c.streak) for c in app.learning.cards(app.player.id)}
        assert cards == {"dialogue1", "quiz0"}


def test_the_drill_clock_stops_while_paused(tui_catalog: Catalog, tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    player = store.create_player("王小明", "一组")
    learning = LearningStore(store.saves_dir)
    _cards(tui_catalog, store, player, learning)
    clock = FakeClock()
    drill = build_drill(learning.due(player.id, PAST + timedelta(hours=1), tui_catalog), tui_catalog, clock, seed=1)
    drill.begin()
    clock.advance(10)
    drill.pause()
    clock.advance(100)
    assert drill.elapsed() == 10
    drill.begin()
    clock.advance(5)
    assert drill.time_left() == drill.items[0].time_limit - 15


async def test_a_damaged_learning_file_is_reported_at_start(make_app, tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    (saves / "learning.json").write_text("[1, 2", encoding="utf-8")
    app = make_app(saves)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert "learning.json" in screen_text(app) and "已损坏" in screen_text(app)
