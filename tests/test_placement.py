"""The placement test: a blueprint draw across tiers, a verdict that opens the tiers it proves,
autoplay as a trainee, and the test played from the map (Pilot)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import login, screen_text

from game import placement
from game.catalog import Catalog
from game.loader import load_catalog
from game.models import QuizStage
from game.progression import map_states, tier_open
from game.quiz import bank_index
from game.runs import run_from_session, verify_store
from game.session import LevelSession
from game.store.learnfile import LearningStore
from game.store.savestore import SaveStore
from tui.screens.map import MapScreen
from tui.screens.quiz import QuizScreen
from tui.screens.results import ResultsScreen


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    catalog, _ = load_catalog()
    return catalog


def test_blueprint_draws_every_tier_and_tag(shipped: Catalog) -> None:
    level = placement.placement_level(shipped)
    assert level is not None and level.id == placement.PLACEMENT_ID
    session = LevelSession(level, shipped, mode="assessment", seed=11)
    keys = session.record[0]["questions"]
    _, _, tier_of = bank_index(shipped)
    assert Counter(tier_of[k] for k in keys) == {"新手": 8, "中级": 8, "主管": 8}
    assert len(set(keys)) == len(keys)
    again = LevelSession(level, shipped, mode="assessment", seed=12).record[0]["questions"]
    assert sorted(again) != sorted(keys)  # another sitting, other questions from the same blueprint
    stage = level.stages[0]
    assert isinstance(stage, QuizStage) and not stage.speed_bonus and not stage.streak_bonus


def _verdict(catalog: Catalog, right_tiers: set[str], seed: int = 1) -> placement.Placement:
    level = placement.placement_level(catalog)
    assert level is not None
    session = LevelSession(level, catalog, mode="assessment", seed=seed)
    _, _, tier_of = bank_index(catalog)
    runner = session.quiz_runner
    assert runner is not None
    while not runner.finished:
        current = runner.current
        assert current is not None
        if tier_of[current.key] in right_tiers:
            session.answer(current.question.correct_set())
        else:
            session.answer(None)
    session.finish_quiz()
    store_player = __import__("game.store.records", fromlist=["Player"]).Player("p", "甲", "一组", "2026-01-01")
    from datetime import datetime

    run = run_from_session(session, store_player, datetime(2026, 1, 1), datetime(2026, 1, 1))
    return placement.assess(run, catalog, level)


def test_verdict_opens_the_tiers_it_proves_in_order(shipped: Catalog) -> None:
    assert _verdict(shipped, {"新手", "中级", "主管"}).opened == ["中级", "主管"]
    assert _verdict(shipped, {"新手"}).opened == ["中级"]
    assert _verdict(shipped, {"新手", "中级"}).opened == ["中级", "主管"]
    # 中级 known but 新手 not: tiers are proven in order, so nothing opens.
    weak = _verdict(shipped, {"中级"})
    assert weak.opened == [] and weak.start_tier == "新手"
    assert len(weak.weakest) == placement.WEAKEST_SHOWN
    novice_skills = {r.skill for r in placement.BLUEPRINT if r.tier == "新手"}
    assert set(weak.weakest) <= novice_skills  # the lower tier's gaps come first
    assert "建议先补" in weak.summary() and "中级 8/8" in weak.summary()


def test_a_small_bank_still_gives_a_test(tui_catalog: Catalog) -> None:
    level = placement.placement_level(tui_catalog)
    assert level is not None
    session = LevelSession(level, tui_catalog, mode="assessment", seed=3)
    assert sorted(session.record[0]["questions"]) == ["q-impersonate", "q-record-years"]


def _cli(saves: Path, *args: str):  # type: ignore[no-untyped-def]
    from tui.cli import cli

    return CliRunner().invoke(cli, ["--saves", str(saves), *args])


def test_autoplay_placement_as_trainee_opens_intermediate_only_for_best(shipped: Catalog, tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    best = _cli(saves, "autoplay", "placement", "--player", "老手", "--policy", "best", "--record", "--as-trainee")
    assert best.exit_code == 0, best.output
    assert "已为你开放中级、主管关卡" in best.output
    worst = _cli(saves, "autoplay", "placement", "--player", "新人", "--policy", "worst", "--record", "--as-trainee")
    assert worst.exit_code == 0, worst.output
    assert "从新手关卡开始" in worst.output
    store = SaveStore(saves)
    learning = LearningStore(saves)
    veteran, novice = store.find_player("老手"), store.find_player("新人")
    assert veteran is not None and novice is not None
    first_intermediate = next(lv for lv in shipped.levels_in_play_order() if lv.tier == "中级")
    for player, opened in ((veteran, True), (novice, False)):
        placed = learning.opened_tiers(player.id)
        assert tier_open(shipped.levels, store.bests(player.id), "中级", placed) is opened
        state = map_states(shipped.levels, store.bests(player.id), [first_intermediate], placed)[0]
        assert state.open is opened
        assert store.bests(player.id) == {}  # placement is no best and earns no stars
    assert len(learning.cards(novice.id)) == 24 and learning.cards(veteran.id) == []
    assert store.leaderboard(include_autoplay=True) == []
    assert verify_store(store, shipped).ok
    plain = _cli(saves, "autoplay", "placement", "--player", "旁观", "--policy", "best", "--record")
    assert plain.exit_code == 0
    watcher = store.find_player("旁观")
    assert watcher is not None and learning.opened_tiers(watcher.id) == frozenset()  # not as the trainee
    listed = json.loads(_cli(saves, "autoplay", "placement", "--policy", "best", "--json").stdout)
    assert listed["level"] == "placement" and listed["score"] == 100


async def test_placement_from_the_map_opens_the_next_tier(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, MapScreen)
        assert "按 t 做定级测试" in screen_text(app)
        assert "⊘ 通过「新手晋升考核」后开放" in screen_text(app)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and not screen.run.practice
        assert screen.sub_title.count(screen.run.level.title) == 1  # its one stage is not named twice
        for number in range(2):
            current = screen.runner.current
            assert current is not None
            order = screen.run.session.option_order()
            key = "abcdefgh"[order.index(next(iter(current.question.correct_set())))]
            await pilot.press(key)
            await pilot.pause()
            if number == 0:
                assert "✓ 正确" not in screen_text(app) and "第 2/2 题" in screen_text(app)  # no feedback yet
        assert "本环节结束" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.placed() == frozenset({"中级"})
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        text = screen_text(app)
        assert "⊘ 通过「新手晋升考核」后开放" not in text and "按 t 做定级测试" not in text
    assert app.store.bests(app.player.id if app.player else "") == {}


def test_levels_json_for_a_player_says_unlocked_and_best(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    assert (
        _cli(
            saves, "autoplay", "placement", "--player", "老手", "--policy", "best", "--record", "--as-trainee"
        ).exit_code
        == 0
    )
    played = _cli(
        saves, "autoplay", "n01-identity-disclosure", "--player", "老手", "--policy", "best", "--record", "--as-trainee"
    )
    assert played.exit_code == 0, played.output
    listed = {lv["id"]: lv for lv in json.loads(_cli(saves, "levels", "--json", "--player", "老手").stdout)["levels"]}
    assert listed["n01-identity-disclosure"]["best"] == 100 and listed["n01-identity-disclosure"]["unlocked"]
    assert listed["i01-instalment-negotiation"]["unlocked"] and listed["i01-instalment-negotiation"]["best"] is None
    assert not listed["n06-exam"]["unlocked"]
    plain = json.loads(_cli(saves, "levels", "--json").stdout)["levels"]
    assert "unlocked" not in plain[0]
    missing = _cli(saves, "levels", "--player", "无人")
    assert missing.exit_code != 0 and "找不到学员" in missing.output
