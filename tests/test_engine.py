"""The engine, played without a screen: dialogue, quiz, audit, scoring, progression, sessions."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from game import audit, dialogue, quiz
from game.catalog import Catalog
from game.loader import load_catalog
from game.models import AuditStage, DialogueStage, Level, QuizStage, bucket_for_days
from game.progression import BestResult, level_state, rank_for, tier_open
from game.scoring import combine
from game.session import LevelSession, RecordError, rescore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    catalog, problems = load_catalog([FIXTURES / "levels"], [FIXTURES / "content"])
    assert problems == []
    return catalog


@pytest.fixture()
def level(catalog: Catalog) -> Level:
    return catalog.levels["sample-spouse"]


def stage_of(level: Level, kind: type):
    return next(s for s in level.stages if isinstance(s, kind))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# --- dialogue ----------------------------------------------------------------------------


def test_good_path_reaches_best_ending_with_full_marks(level: Level) -> None:
    stage = stage_of(level, DialogueStage)
    state = dialogue.start(stage)
    state, outcome = dialogue.choose(stage, state, 0)
    assert outcome.deltas == {"信任": 5} and outcome.ending is None
    assert "identified" in state.flags
    state, outcome = dialogue.choose(stage, state, 0)
    assert state.ended and state.at == "callback"
    result = dialogue.result(stage, state)
    assert (result.outcome, result.compliance, result.communication, result.score) == (100, 100, 100, 100)


def test_red_line_empties_compliance_and_ends(level: Level) -> None:
    stage = stage_of(level, DialogueStage)
    state, outcome = dialogue.choose(stage, dialogue.start(stage), 1)
    assert outcome.violation == "pipl-no-illegal-disclosure"
    assert state.meter_map["合规"] == 0 and outcome.deltas["合规"] == -100
    assert dialogue.result(stage, state).compliance == 0


def test_conditional_route_depends_on_trust(level: Level) -> None:
    stage = stage_of(level, DialogueStage)
    # Same choices, lower starting trust: the route to the call-back ending no longer holds.
    low_trust = stage.model_copy(update={"meters": {"信任": 0}})
    state = dialogue.replay(low_trust, [0, 0])
    assert state.at == "hangup"


def test_meters_are_clamped(level: Level) -> None:
    stage = stage_of(level, DialogueStage)
    state = dialogue.replay(stage, [0, 1])  # 合规 -40, 信任 -20, 情绪 +30
    meters = state.meter_map
    assert all(0 <= v <= 100 for v in meters.values())
    assert meters["合规"] == 60


def test_unavailable_choice_is_refused(level: Level) -> None:
    stage = stage_of(level, DialogueStage)
    with pytest.raises(ValueError):
        dialogue.choose(stage, dialogue.start(stage), 7)
    ended = dialogue.replay(stage, [1])
    with pytest.raises(ValueError):
        dialogue.choose(stage, ended, 0)


def test_text_variants_follow_state() -> None:
    stage = DialogueStage.model_validate(
        {
            "kind": "dialogue",
            "start": "a",
            "nodes": {
                "a": {
                    "say": "你好",
                    "choices": [
                        {"text": "x", "feedback": "f", "set": ["polite"], "next": "b"},
                        {"text": "y", "feedback": "f", "next": "b"},
                    ],
                },
                "b": {
                    "say": "嗯。",
                    "variants": [{"if": "polite", "say": "谢谢你这么客气。"}],
                    "choices": [
                        {"text": "z", "feedback": "f", "if": "not polite", "next": "end"},
                        {"text": "w", "feedback": "f", "next": "end"},
                    ],
                },
            },
            "endings": {"end": {"title": "t", "outcome": "其他", "text": "t", "score": 50}},
        }
    )
    polite = dialogue.choose(stage, dialogue.start(stage), 0)[0]
    assert dialogue.line_for(stage.nodes["b"], polite) == "谢谢你这么客气。"
    assert [i for i, _ in dialogue.available_choices(stage, polite)] == [1]
    rude = dialogue.choose(stage, dialogue.start(stage), 1)[0]
    assert dialogue.line_for(stage.nodes["b"], rude) == "嗯。"
    assert [i for i, _ in dialogue.available_choices(stage, rude)] == [0, 1]


# --- quiz --------------------------------------------------------------------------------


def test_kahoot_points_rule() -> None:
    assert quiz.speed_points(1000, 0.4, 20) == 1000
    assert quiz.speed_points(1000, 10, 20) == 750
    assert quiz.speed_points(1000, 20, 20) == 500
    assert [quiz.streak_bonus(n) for n in range(1, 9)] == [0, 100, 200, 300, 400, 500, 500, 500]


def test_quiz_runner_with_injected_clock(level: Level) -> None:
    stage = stage_of(level, QuizStage)
    planned = quiz.plan(stage, {}, random.Random(1))
    clock = FakeClock()
    runner = quiz.QuizRunner(stage, planned, clock)
    runner.begin()
    clock.now += 5
    assert runner.time_left() == pytest.approx(15)
    first = runner.answer({"错"})
    assert first.correct and first.points == round((1 - 5 / 20 / 2) * 1000) and first.streak_bonus == 0
    runner.begin()
    clock.now += 0.2
    second = runner.answer({"B"})
    assert second.points == 1000 and second.streak_bonus == 100
    result = runner.result()
    assert result.correct == 2 and result.knowledge == 100 and 0 < result.efficiency <= 100


def test_timeout_and_late_answers_are_wrong(level: Level) -> None:
    stage = stage_of(level, QuizStage)
    planned = quiz.plan(stage, {}, random.Random(1))
    clock = FakeClock()
    runner = quiz.QuizRunner(stage, planned, clock)
    runner.begin()
    clock.now += 25  # past the 20 s limit, even with the right answer
    late = runner.answer({"错"})
    assert not late.correct and late.timed_out and late.total == 0
    runner.begin()
    expired = runner.expire()
    assert expired.timed_out and not expired.correct
    assert runner.result().knowledge == 0


def test_wrong_answer_breaks_streak_and_speed_cannot_buy_it_back(level: Level) -> None:
    stage = stage_of(level, QuizStage)
    planned = quiz.plan(stage, {}, random.Random(1))
    fast_wrong = quiz.rescore(stage, planned, [(frozenset({"对"}), 0.1), (frozenset({"B"}), 0.1)])
    slow_right = quiz.rescore(stage, planned, [(frozenset({"错"}), 19.0), (frozenset({"B"}), 19.0)])
    assert fast_wrong.answers[1].streak == 1
    assert slow_right.score > fast_wrong.score


def test_bonuses_can_be_switched_off(level: Level) -> None:
    stage = stage_of(level, QuizStage).model_copy(update={"speed_bonus": False, "streak_bonus": False})
    planned = quiz.plan(stage, {}, random.Random(1))
    result = quiz.rescore(stage, planned, [(frozenset({"错"}), 19.0), (frozenset({"B"}), 19.0)])
    assert result.points == 2000 and result.efficiency == 100


def test_multiple_choice_needs_exact_set() -> None:
    stage = QuizStage.model_validate(
        {
            "kind": "quiz",
            "questions": [
                {
                    "type": "multiple",
                    "prompt": "p",
                    "options": ["a", "b", "c"],
                    "answer": ["A", "C"],
                    "explanation": "e",
                    "ref": "r",
                }
            ],
        }
    )
    planned = quiz.plan(stage, {}, random.Random(0))
    assert not quiz.rescore(stage, planned, [(frozenset({"A"}), 1)]).answers[0].correct
    assert quiz.rescore(stage, planned, [(frozenset({"A", "C"}), 1)]).answers[0].correct


def test_draw_from_bank_is_seeded_and_filtered() -> None:
    stage = QuizStage.model_validate({"kind": "quiz", "draw": [{"tags": ["时效"], "count": 2}]})
    bank = {
        f"q{i}": QuizStage.model_validate(
            {
                "kind": "quiz",
                "questions": [
                    {
                        "type": "truefalse",
                        "prompt": f"p{i}",
                        "answer": True,
                        "explanation": "e",
                        "ref": "r",
                        "tags": ["时效" if i % 2 else "其他"],
                    }
                ],
            }
        ).questions[0]
        for i in range(10)
    }
    first = [p.key for p in quiz.plan(stage, bank, random.Random(7))]
    again = [p.key for p in quiz.plan(stage, bank, random.Random(7))]
    assert first == again and len(first) == 2 and all(int(k[1:]) % 2 for k in first)
    too_many = stage.model_copy(update={"draw": [stage.draw[0].model_copy(update={"count": 9})]})
    with pytest.raises(quiz.DrawError):
        quiz.plan(too_many, bank, random.Random(7))


# --- audit -------------------------------------------------------------------------------


def test_audit_scores_hits_misses_and_false_alarms(level: Level) -> None:
    stage = stage_of(level, AuditStage)
    perfect = audit.score(stage, {3: "pipl-no-illegal-disclosure"})
    assert (perfect.hits, perfect.misses, perfect.false_alarms, perfect.score) == (1, 0, 0, 100)
    wrong_rule = audit.score(stage, {3: "ind-contact-hours"})
    assert wrong_rule.right_rule == 0 and wrong_rule.score == 50
    noisy = audit.score(stage, {1: None, 2: None, 3: "pipl-no-illegal-disclosure"})
    assert noisy.false_alarms == 2 and noisy.precision == 33 and noisy.score == 50
    nothing = audit.score(stage, {})
    assert nothing.misses == 1 and nothing.score == 0 and nothing.missed_rules == ["pipl-no-illegal-disclosure"]


# --- scoring and sessions ----------------------------------------------------------------


def play(level: Level, catalog: Catalog, choices: list[int], answers: list[str], flags: dict) -> LevelSession:
    clock = FakeClock()
    session = LevelSession(level, catalog, mode="assessment", clock=clock, seed=3)
    for index in choices:
        session.choose(index)
    session.finish_dialogue()
    for selection in answers:
        session.quiz_runner.begin()
        clock.now += 2
        session.answer({selection})
    session.finish_quiz()
    session.submit_audit(flags)
    return session


def test_level_result_and_rescore_agree(level: Level, catalog: Catalog) -> None:
    session = play(level, catalog, [0, 0], ["错", "B"], {3: "pipl-no-illegal-disclosure"})
    result = session.result()
    assert result.passed and result.stars == 3 and not result.red_line
    assert set(result.dimensions) == {"合规", "沟通", "结果", "知识", "效率"}
    assert rescore(level, catalog, session.record) == result


def test_red_line_fails_whatever_else(level: Level, catalog: Catalog) -> None:
    session = play(level, catalog, [1], ["错", "B"], {3: "pipl-no-illegal-disclosure"})
    result = session.result()
    assert result.red_line and not result.passed and result.stars == 0
    assert result.total == 0 and result.dimensions["合规"] == 0
    assert result.violations == ["pipl-no-illegal-disclosure"]


def test_edited_record_is_detected(level: Level, catalog: Catalog) -> None:
    session = play(level, catalog, [0, 0], ["错", "B"], {3: "pipl-no-illegal-disclosure"})
    record = [dict(entry) for entry in session.record]
    record[0] = {"kind": "dialogue", "choices": [0, 5]}
    with pytest.raises(RecordError):
        rescore(level, catalog, record)
    with pytest.raises(RecordError):
        rescore(level, catalog, record[:1])


def test_resume_rebuilds_a_session_mid_quiz(level: Level, catalog: Catalog) -> None:
    clock = FakeClock()
    session = LevelSession(level, catalog, mode="practice", clock=clock, seed=5)
    session.choose(0)
    session.choose(0)
    session.finish_dialogue()
    session.quiz_runner.begin()
    session.answer({"错"})
    resumed = LevelSession.resume(level, catalog, "practice", 5, session.record, clock)
    assert resumed.stage_index == 1 and resumed.quiz_runner.index == 1
    assert resumed.record == session.record
    resumed.quiz_runner.begin()
    resumed.answer({"B"})
    resumed.finish_quiz()
    resumed.submit_audit({3: "pipl-no-illegal-disclosure"})
    assert resumed.result().passed


def test_stars_thresholds(level: Level) -> None:
    assert level.star_thresholds() == (60, 75, 90)
    stage_results_fail = combine(
        level,
        [
            dialogue.result(stage_of(level, DialogueStage), dialogue.replay(stage_of(level, DialogueStage), [0, 1])),
            quiz.rescore(
                stage_of(level, QuizStage),
                quiz.plan(stage_of(level, QuizStage), {}, random.Random(0)),
                [(None, 20), (None, 20)],
            ),
            audit.score(stage_of(level, AuditStage), {}),
        ],
    )
    assert not stage_results_fail.passed and stage_results_fail.stars == 0


# --- progression -------------------------------------------------------------------------


def make_level(level_id: str, tier: str, requires: list[str] = (), exam: bool = False) -> Level:
    return Level.model_validate(
        {
            "id": level_id,
            "title": level_id,
            "tier": tier,
            "requires": list(requires),
            "exam": exam,
            "pass_score": 60,
            "skills": ["法律合规"],
            "case": {"debtor": "甲", "persona": "拖延型", "product": "信用卡", "amount": 1, "days_overdue": 1},
            "stages": [
                {
                    "kind": "quiz",
                    "questions": [{"type": "truefalse", "prompt": "p", "answer": True, "explanation": "e", "ref": "r"}],
                }
            ],
        }
    )


def test_tiers_open_after_promotion_exam() -> None:
    levels = {
        lv.id: lv
        for lv in [
            make_level("n1", "新手"),
            make_level("n2", "新手", ["n1"]),
            make_level("nx", "新手", ["n1", "n2"], exam=True),
            make_level("i1", "中级"),
        ]
    }
    none: dict[str, BestResult] = {}
    assert tier_open(levels, none, "新手") and not tier_open(levels, none, "中级")
    assert level_state(levels, none, levels["n1"]).open
    locked = level_state(levels, none, levels["n2"])
    assert not locked.open and "n1" in locked.locked_reason
    passed = {"n1": BestResult("n1", 80, 2, True), "n2": BestResult("n2", 90, 3, True)}
    assert not level_state(levels, passed, levels["i1"]).open
    passed["nx"] = BestResult("nx", 70, 1, True)
    assert level_state(levels, passed, levels["i1"]).open
    failed_exam = {**passed, "nx": BestResult("nx", 40, 0, False)}
    assert "「nx」" in level_state(levels, failed_exam, levels["i1"]).locked_reason


def tiered_levels(level: Level) -> dict[str, Level]:
    """Four levels and an exam in each tier (the supervisor tier: three and an exam)."""
    made = {}
    for tier, prefix, count in (("新手", "n", 4), ("中级", "i", 4), ("主管", "s", 3)):
        for number in range(1, count + 1):
            made[f"{prefix}{number}"] = level.model_copy(update={"id": f"{prefix}{number}", "tier": tier})
        made[f"{prefix}-exam"] = level.model_copy(update={"id": f"{prefix}-exam", "tier": tier, "exam": True})
    return made


def bests_of(*level_ids: str, stars: int = 3) -> dict[str, BestResult]:
    return {lid: BestResult(lid, 95, stars, True) for lid in level_ids}


def test_rank_titles_rise_with_stars(level: Level) -> None:
    levels = tiered_levels(level)
    novice = ("n1", "n2", "n3", "n4", "n-exam")
    intermediate = ("i1", "i2", "i3", "i4", "i-exam")
    assert rank_for(levels, {}) == "见习催收员"
    assert rank_for(levels, bests_of("n1")) == "见习催收员"  # 3 stars, but one level passed
    assert rank_for(levels, bests_of("n1", "n2", stars=1)) == "见习催收员"  # two levels, too few stars
    assert rank_for(levels, bests_of("n1", "n2")) == "催收专员"
    assert rank_for(levels, bests_of("n1", "n2", "n3", "n4")) == "催收专员"  # 12 stars, no exam yet
    assert rank_for(levels, bests_of(*novice)) == "资深催收专员"
    # 30 stars from 新手 and 中级 alone: enough stars for 主管 titles, but no 主管 level passed
    assert rank_for(levels, bests_of(*novice, *intermediate)) == "催收组长"
    assert rank_for(levels, bests_of(*novice, *intermediate, "s1")) == "催收组长"
    assert rank_for(levels, bests_of(*novice, *intermediate, "s1", "s2")) == "催收主管"
    # all three 主管 levels but not its exam: no 导师 title
    assert rank_for(levels, bests_of(*novice, *intermediate, "s1", "s2", "s3")) == "催收主管"
    assert rank_for(levels, bests_of(*novice, *intermediate, "s1", "s2", "s3", "s-exam")) == "合规催收导师"
    # titles are taken in order: 主管 levels passed without the 中级 exam do not skip ahead
    assert rank_for(levels, bests_of(*novice, "i1", "i2", "i3", "i4", "s1", "s2", "s3")) == "资深催收专员"
    # a failed best counts its stars but does not count as a passed level
    failed = {**bests_of(*novice, *intermediate, "s1"), "s2": BestResult("s2", 40, 0, False)}
    assert rank_for(levels, failed) == "催收组长"


def test_bucket_convention() -> None:
    assert [bucket_for_days(d) for d in (0, 1, 30, 31, 45, 60, 61, 180, 181)] == [
        "M0",
        "M1",
        "M1",
        "M2",
        "M2",
        "M2",
        "M3",
        "M6",
        "M7+",
    ]
