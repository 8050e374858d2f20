"""The learning loop's second half: mid and post tests with the gain per skill, adaptive practice
(a drill after two failures, the next level by weakest skill), replay from a decision point, and
`--as-trainee` runs in the report. Engine tests on the shipped levels, Pilot tests on the fixtures."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FakeClock, choose, highlight_level, login, screen_text

from game import adaptive, gains, placement, replay
from game.autoplay import autoplay
from game.catalog import Catalog
from game.drill import DrillItem
from game.loader import load_catalog
from game.mistakes import mistakes_in_run, new_card
from game.progression import BestResult
from game.quiz import bank_index
from game.report import build_report
from game.runs import run_from_session, verify_store
from game.store.records import Player, RunRecord
from game.store.savestore import SaveStore
from tui.screens.dialogs import ConfirmDialog
from tui.screens.dialogue import DialogueScreen
from tui.screens.drill import DrillScreen
from tui.screens.map import MapScreen
from tui.screens.profile import ProfileScreen
from tui.screens.quiz import QuizScreen
from tui.screens.replay import DecisionPicker
from tui.screens.results import ResultsScreen

PLAYER = Player("p1", "王小明", "一组", "2026-03-01T08:00:00")
DAY = datetime(2026, 3, 2, 10, 0)


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    catalog, _ = load_catalog()
    return catalog


def _played(
    level_id: str,
    catalog: Catalog,
    policy: str,
    *,
    drawn_from: Catalog | None = None,
    player: Player = PLAYER,
    minutes: int = 0,
    seed: int = 1,
    **flags: bool,
) -> RunRecord:
    level = placement.level_for(catalog, level_id)
    assert level is not None
    session = autoplay(level, drawn_from or catalog, policy, seed, mode="assessment")
    moment = DAY + timedelta(minutes=minutes)
    return run_from_session(session, player, moment, moment, **flags)


def _keys(run: RunRecord) -> list[str]:
    return [str(k) for k in run.inputs[0]["questions"]]


# --------------------------------------------------------------------------------------------
# Mid and post tests
# --------------------------------------------------------------------------------------------


def test_gain_tests_share_the_blueprint_but_not_the_questions(shipped: Catalog) -> None:
    pre = _played("placement", shipped, "worst")
    found = gains.gain_test(shipped, placement.MIDTEST_ID, [pre])
    assert found is not None
    mid_level, drawn_from = found
    assert mid_level.id == "midtest" and mid_level.title == "中测"
    mid = _played("midtest", shipped, "best", drawn_from=drawn_from, minutes=5)
    _, _, tier_of = bank_index(shipped)
    assert Counter(tier_of[k] for k in _keys(mid)) == Counter(tier_of[k] for k in _keys(pre))
    assert not set(_keys(mid)) & set(_keys(pre))  # same blueprint, other questions
    post_found = gains.gain_test(shipped, placement.POSTTEST_ID, [pre, mid])
    assert post_found is not None
    post = _played("posttest", shipped, "best", drawn_from=post_found[1], minutes=10)
    assert not set(_keys(post)) & (set(_keys(pre)) | set(_keys(mid)))
    stage = mid_level.stages[0]
    assert getattr(stage, "speed_bonus", True) is False  # knowledge, not speed, as in placement
    with pytest.raises(ValueError):
        gains.gain_test(shipped, placement.PLACEMENT_ID, [])


def test_gain_per_skill_is_latest_minus_first(shipped: Catalog) -> None:
    pre = _played("placement", shipped, "worst")
    mid_catalog = gains.gain_test(shipped, "midtest", [pre])
    assert mid_catalog is not None
    mid = _played("midtest", shipped, "best", drawn_from=mid_catalog[1], minutes=5)
    found = gains.gains([pre, mid], shipped)
    assert found.taken == ["placement", "midtest"]
    assert found.overall("placement") == 0 and found.overall("midtest") == 100
    blueprint_skills = [row.skill for row in placement.BLUEPRINT]
    assert list(found.gain) == [s for s in blueprint_skills if s in found.gain]  # in blueprint order
    assert len(found.gain) >= len(blueprint_skills) - 2 and set(found.gain.values()) == {100}
    assert "提升最多" in gains.summary(found) and "+100" in gains.summary(found)
    # A trainee who did worse at the post test than at placement sees a loss, not a gain.
    post = _played("posttest", shipped, "worst", minutes=9)
    best_pre = replace(_played("placement", shipped, "best"), run_id="pre-best")
    assert set(gains.gains([best_pre, post], shipped).gain.values()) == {-100}
    # Without a second test there is no gain; plain autoplay is not the trainee's test.
    assert gains.gains([pre], shipped).gain == {}
    assert gains.gains([pre, replace(mid, autoplay=True)], shipped).gain == {}
    assert gains.gains([pre, replace(mid, autoplay=True, as_trainee=True)], shipped).gain != {}
    assert gains.gain_text(12) == "+12" and gains.gain_text(-3) == "−3" and gains.gain_text(0) == "±0"


def test_a_gain_test_is_due_after_its_exam(shipped: Catalog) -> None:
    novice_exam = next(lv for lv in shipped.levels.values() if lv.tier == "新手" and lv.exam)
    supervisor_exam = next(lv for lv in shipped.levels.values() if lv.tier == "主管" and lv.exam)
    failed = replace(_played(novice_exam.id, shipped, "worst"), passed=False)
    passed = replace(failed, passed=True, run_id="passed")
    assert gains.due_test([], shipped) is None
    assert gains.due_test([failed], shipped) is None
    assert gains.due_test([passed], shipped) == "midtest"
    mid = replace(_played("midtest", shipped, "best"), run_id="mid")
    assert gains.due_test([passed, mid], shipped) is None
    top = replace(passed, level_id=supervisor_exam.id, run_id="top")
    assert gains.due_test([passed, mid, top], shipped) == "posttest"
    assert gains.due_test([replace(passed, autoplay=True)], shipped) is None  # a demo run is not the trainee's


def test_report_counts_as_trainee_runs_and_shows_the_gain(shipped: Catalog) -> None:
    other = Player("p2", "李四", "一组", "2026-03-01T08:00:00")
    pre = _played("placement", shipped, "worst", autoplay=True, as_trainee=True)
    mid = _played("midtest", shipped, "best", minutes=3, autoplay=True, as_trainee=True)
    demo = _played("n01-identity-disclosure", shipped, "best", player=other, minutes=4, autoplay=True)
    report = build_report([pre, mid, demo], shipped.levels, catalog=shipped)
    assert [t.player for t in report.trainees] == ["王小明"]  # the plain autoplay run stays out
    trainee = report.trainees[0]
    assert trainee.tests == {"placement": 0, "midtest": 100}
    assert set(trainee.gain.values()) == {100} and report.teams[0].gain == trainee.gain
    assert report.to_json()["trainees"][0]["gain"] == trainee.gain  # type: ignore[index]
    with_demo = build_report([pre, mid, demo], shipped.levels, catalog=shipped, include_autoplay=True)
    assert {t.player for t in with_demo.trainees} == {"王小明", "李四"}
    assert with_demo.teams[0].gain == trainee.gain  # the team mean is over members who have a gain
    assert build_report([pre, mid], shipped.levels).trainees[0].gain == {}  # no catalog, no gain


def _cli(saves: Path, *args: str):  # type: ignore[no-untyped-def]
    from tui.cli import cli

    return CliRunner().invoke(cli, ["--saves", str(saves), *args])


def test_autoplay_midtest_as_trainee_then_report(tmp_path: Path, shipped: Catalog) -> None:
    saves = tmp_path / "saves"
    args = ("--player", "老手", "--record", "--as-trainee")
    assert _cli(saves, "autoplay", "placement", "--policy", "worst", *args).exit_code == 0
    mid = _cli(saves, "autoplay", "midtest", "--policy", "best", *args)
    assert mid.exit_code == 0, mid.output
    assert "前测 0，中测 100" in mid.output and "提升最多" in mid.output
    runs = list(SaveStore(saves).runs())
    assert not set(_keys(runs[0])) & set(_keys(runs[1]))
    assert verify_store(SaveStore(saves), shipped).ok  # the mid test re-scores from its keys
    shown = _cli(saves, "report")
    assert shown.exit_code == 0 and "测验提升" in shown.output and "+100" in shown.output
    data = json.loads(_cli(saves, "report", "--json").stdout)
    assert set(data["trainees"][0]["gain"].values()) == {100}
    book = tmp_path / "r.xlsx"
    assert _cli(saves, "report", "--xlsx", str(book)).exit_code == 0
    rows = list(openpyxl.load_workbook(book)["提升"].values)
    assert rows[0] == ("团队", "学员", "技能", "前测", "中测", "后测", "提升(百分点)")
    assert ("未分组", "老手", placement.BLUEPRINT[0].skill, 0, 100, None, 100) in rows
    plain = _cli(saves, "autoplay", "n01-identity-disclosure", "--player", "演示", "--policy", "best", "--record")
    assert plain.exit_code == 0

    def demo_runs(*flags: str) -> int:
        data = json.loads(_cli(saves, "report", "--json", *flags).stdout)
        row = next(t for t in data["trainees"] if t["player"] == "演示")
        return int(row["practice_runs"]) + int(row["assessment_runs"])

    assert demo_runs() == 0 and demo_runs("--include-autoplay") == 1  # plain autoplay stays out unless asked
    veteran = next(t for t in data["trainees"] if t["player"] == "老手")
    assert veteran["assessment_runs"] == 2  # the --as-trainee runs count as played ones


# --------------------------------------------------------------------------------------------
# Adaptive practice
# --------------------------------------------------------------------------------------------


def test_a_drill_is_due_after_every_second_failure() -> None:
    def bests(attempts: int, passed: bool = False) -> dict[str, BestResult]:
        return {"x": BestResult("x", 40, 0, passed, attempts)}

    assert [adaptive.drill_due(bests(n), "x") for n in range(1, 6)] == [False, True, False, True, False]
    assert not adaptive.drill_due(bests(2, passed=True), "x") and not adaptive.drill_due({}, "x")


def test_practice_drill_uses_the_levels_mistakes_and_the_rules_behind_them(shipped: Catalog) -> None:
    level = shipped.levels["n01-identity-disclosure"]
    run = _played(level.id, shipped, "first", seed=4)
    now = datetime(2026, 3, 2, tzinfo=UTC)
    cards = [new_card(PLAYER.id, m, now) for m in mistakes_in_run(run, shipped)]
    assert {c.kind for c in cards} == {"quiz", "dialogue"}
    rules = adaptive.rules_behind(cards, shipped)
    assert rules and all(r in shipped.rules for r in rules)
    drill = adaptive.practice_drill(level, cards, shipped, PLAYER.id, FakeClock(), 3, now)
    own = [i for i in drill.items if i.in_book]
    extra = [i for i in drill.items if not i.in_book]
    assert len(drill.items) == 5 and len(own) == 3 and len(extra) == adaptive.RULE_QUESTIONS_KEPT
    assert all(i.card.level_id == level.id for i in own)
    assert all(isinstance(i, DrillItem) and i.question is not None and i.question.ref in rules for i in extra)
    assert not {i.card.card_id for i in extra} & {c.card_id for c in cards}  # never a card already in the book
    other_level = shipped.levels["n02-contact-hours"]
    assert all(
        not i.in_book for i in adaptive.practice_drill(other_level, cards, shipped, "p", FakeClock(), 3, now).items
    )


def test_next_level_is_suggested_by_the_weakest_skill(shipped: Catalog) -> None:
    assert adaptive.suggest_next(shipped, {}) is None  # nothing to compare yet
    novice = [lv for lv in shipped.levels_in_play_order() if lv.tier == "新手" and not lv.exam]
    first = novice[0]
    bests = {first.id: BestResult(first.id, 100, 3, True, 1)}
    weak_level = next(lv for lv in novice[1:] if set(lv.skills) - set(first.skills))
    weak_skill = sorted(set(weak_level.skills) - set(first.skills))[0]
    bests[weak_level.id] = BestResult(weak_level.id, 30, 0, False, 1)
    found = adaptive.suggest_next(shipped, bests)
    assert found is not None and found.skill == weak_skill and found.score == 30
    assert weak_skill in found.level.skills and found.level.tier == "新手" and found.level.id != first.id
    assert adaptive.skill_scores(shipped.levels, bests)[weak_skill] == 30
    # A tier whose skills are all new: its first open level, for a skill not trained yet.
    fixtures = {lv.id: lv for lv in shipped.levels.values()}
    exam = next(lv for lv in fixtures.values() if lv.tier == "新手" and lv.exam)
    only = Catalog(levels={exam.id: exam, first.id: first}, rules=shipped.rules)
    assert adaptive.suggest_next(only, {exam.id: BestResult(exam.id, 90, 3, True, 1)}) is not None


# --------------------------------------------------------------------------------------------
# Replay from a decision point
# --------------------------------------------------------------------------------------------


def test_replay_stands_where_the_trainee_stood(shipped: Catalog) -> None:
    level = shipped.levels["n01-identity-disclosure"]
    run = _played(level.id, shipped, "first", seed=4)
    points = replay.decision_points(level, run.inputs)
    choices = run.inputs[0]["choices"]
    assert [p.step for p in points] == list(range(len(choices)))
    assert points[0].lost and points[0].said and points[0].chosen
    third = points[2]
    session = replay.replay_session(level, shipped, run.seed, run.inputs, third, FakeClock())
    assert session.mode == "practice" and session.stage_index == third.stage
    assert session.dialogue_state is not None and session.dialogue_state.at == third.node
    assert session.dialogue_state.meter_map == third.meters
    assert session.record[0]["choices"] == choices[:2]
    assert replay.decision_points(level, [{"kind": "quiz"}]) == []  # a record that does not fit


# --------------------------------------------------------------------------------------------
# Screens (Pilot)
# --------------------------------------------------------------------------------------------


async def test_replay_from_the_results_is_not_recorded(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await highlight_level(pilot, "t-dialogue")
        await pilot.press("enter", "enter")
        await pilot.pause()
        await choose(pilot, 0)
        await choose(pilot, 0)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, DecisionPicker)
        text = screen_text(app)
        assert "从决策点重玩" in text and "你选了" in text and "喂,你好,哪位?" in text
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen)
        assert "回放" in screen_text(app) and "喂,你好,哪位?" in screen_text(app)
        await choose(pilot, 0)
        await choose(pilot, 0)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen) and app.current_run is None
    assert len(list(app.store.runs())) == 1  # the replay counted nowhere
    assert app.store.load_progress(app.player.id if app.player else "") is None


async def test_profile_endings_open_a_replay(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        player = app.player
        assert player is not None and app.catalog is not None
        app.store.record_run(_played("t-dialogue", app.catalog, "best", player=player))
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen) and "j 从决策点重玩" in screen_text(app)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, DecisionPicker)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("j")
        await pilot.pause()
        await pilot.press("end", "enter")  # the last decision point: the turns before it are shown
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen) and app.current_run is not None
        text = screen_text(app)
        assert "以上为回放起点之前的对话" in text and "上次的进度" not in text


async def test_two_failures_offer_a_practice_drill_before_the_third_try(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        player = app.player
        assert player is not None and app.catalog is not None
        for minutes in (0, 1):
            run = _played("t-dialogue", app.catalog, "worst", player=player, minutes=minutes)
            assert not run.passed
            app.store.record_run(run)
            app.learning.take_in_run(run, app.catalog, DAY)
        await highlight_level(pilot, "t-dialogue")
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "已经 2 次没有通过" in screen_text(app) and "关前小练" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen) and "关前小练" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen)  # the third try starts after the drill
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")  # abandon the level
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen)  # offered once per failure count


async def test_map_offers_the_mid_test_and_the_profile_shows_the_gain(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        player = app.player
        catalog = app.catalog
        assert player is not None and catalog is not None
        app.store.record_run(_played("placement", catalog, "worst", player=player))
        exam = _played("t-exam", catalog, "best", player=player, minutes=1)
        assert exam.passed
        app.store.record_run(exam)
        app.screen.refresh_map()
        await pilot.pause()
        text = screen_text(app)
        assert "中测已开放（t）" in text and "建议下一关：分期协商（还没练过：谈判）" in text
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.run.level.id == "midtest" and not screen.run.practice
        while screen.runner.current is not None:
            current = screen.runner.current
            order = screen.run.session.option_order()
            await pilot.press("abcdefgh"[order.index(next(iter(current.question.correct_set())))])
            await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert "中测已开放" not in screen_text(app)
        await pilot.press("i")
        await pilot.pause()
        text = screen_text(app)
        assert "测验提升" in text and "前测 0 → 中测 100" in text and "提升 +100" in text
