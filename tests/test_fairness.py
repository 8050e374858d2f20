"""Fair play in the engine: option orders drawn from the run's seed (reproducible, pinnable, checked
on re-scoring), naive players that pick by place or by length, stage minimums, the clean-合规 rule
for three stars, and when a run is announced as a personal best."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pytest

from game import shuffle
from game.autoplay import NAIVE_POLICIES, autoplay
from game.catalog import Catalog
from game.cues import text_length
from game.loader import load_catalog
from game.models import Choice, Level, Question
from game.progression import BestResult, is_new_record
from game.scoring import stars_for
from game.session import LevelSession, RecordError, planned_from_keys, rescore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    catalog, problems = load_catalog([FIXTURES / "levels"], [FIXTURES / "content"])
    assert problems == []
    return catalog


@pytest.fixture()
def level(catalog: Catalog) -> Level:
    return catalog.levels["sample-spouse"]


def make_choice(text: str, pin: str | None = None) -> Choice:
    data = {"text": text, "feedback": "点评", "next": "end"}
    if pin:
        data["pin"] = pin
    return Choice.model_validate(data)


FOUR = [(i, make_choice(f"选项{i}")) for i in range(4)]
QUESTION = Question.model_validate(
    {"prompt": "哪一项?", "options": ["甲", "乙", "丙", "丁"], "answer": "B", "explanation": "因为", "ref": "r"}
)


# --- shuffle ------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_order() -> None:
    for seed in range(20):
        assert shuffle.choice_order(seed, 0, 0, FOUR) == shuffle.choice_order(seed, 0, 0, FOUR)
        assert shuffle.option_order(seed, 1, 2, QUESTION) == shuffle.option_order(seed, 1, 2, QUESTION)
    # An order is a permutation of what is offered, nothing lost or added.
    assert sorted(i for i, _ in shuffle.choice_order(3, 0, 0, FOUR)) == [0, 1, 2, 3]
    assert sorted(shuffle.option_order(3, 0, 0, QUESTION)) == ["A", "B", "C", "D"]


def test_across_seeds_every_option_comes_first_sometimes() -> None:
    first_choice = Counter(shuffle.choice_order(seed, 0, 0, FOUR)[0][0] for seed in range(50))
    assert set(first_choice) == {0, 1, 2, 3}
    first_letter = Counter(shuffle.option_order(seed, 0, 0, QUESTION)[0] for seed in range(50))
    assert set(first_letter) == {"A", "B", "C", "D"}
    # and the order really depends on the seed (not one fixed rotation)
    assert len({tuple(i for i, _ in shuffle.choice_order(seed, 0, 0, FOUR)) for seed in range(50)}) > 10


def test_steps_and_stages_draw_their_own_orders() -> None:
    by_step = {tuple(i for i, _ in shuffle.choice_order(5, 0, step, FOUR)) for step in range(10)}
    by_stage = {shuffle.option_order(5, stage, 0, QUESTION) for stage in range(10)}
    assert len(by_step) > 1 and len(by_stage) > 1


def test_true_false_keeps_its_fixed_order() -> None:
    question = Question.model_validate(
        {"type": "truefalse", "prompt": "对吗?", "answer": False, "explanation": "因为", "ref": "r"}
    )
    assert {shuffle.option_order(seed, 0, 0, question) for seed in range(30)} == {("对", "错")}


def test_a_session_shows_the_same_orders_for_the_same_seed(level: Level, catalog: Catalog) -> None:
    one = LevelSession(level, catalog, seed=42)
    two = LevelSession(level, catalog, seed=42)
    assert [i for i, _ in one.shown_choices()] == [i for i, _ in two.shown_choices()]
    seen = {tuple(i for i, _ in LevelSession(level, catalog, seed=s).shown_choices()) for s in range(30)}
    assert len(seen) > 1


# --- pins ---------------------------------------------------------------------------------------


def test_pinned_choices_keep_their_place() -> None:
    choices = [
        (0, make_choice("先说")),
        (1, make_choice("甲")),
        (2, make_choice("以上都不是", pin="last")),
        (3, make_choice("乙")),
        (4, make_choice("开场白", pin="first")),
    ]
    middles = set()
    for seed in range(50):
        order = [i for i, _ in shuffle.choice_order(seed, 0, 0, choices)]
        assert order[0] == 4 and order[-1] == 2
        middles.add(tuple(order[1:-1]))
    assert len(middles) > 1  # the unpinned ones are still shuffled


def test_pinned_quiz_options_keep_their_place() -> None:
    question = Question.model_validate(
        {
            "prompt": "哪些?",
            "options": ["甲", "乙", "丙", "以上都对"],
            "answer": "D",
            "pin": {"D": "last"},
            "explanation": "因为",
            "ref": "r",
        }
    )
    orders = {shuffle.option_order(seed, 0, 0, question) for seed in range(50)}
    assert all(order[-1] == "D" for order in orders)
    assert {order[0] for order in orders} == {"A", "B", "C"}
    with pytest.raises(ValueError, match="pin names E"):
        Question.model_validate(
            {
                "prompt": "?",
                "options": ["甲", "乙"],
                "answer": "A",
                "pin": {"E": "last"},
                "explanation": "因为",
                "ref": "r",
            }
        )


# --- re-scoring checks the orders ---------------------------------------------------------------


def test_rescore_accepts_the_orders_the_game_showed(level: Level, catalog: Catalog) -> None:
    session = autoplay(level, catalog, "best", seed=9)
    record = session.record
    assert record[0]["orders"] and record[1]["orders"]
    assert rescore(level, catalog, record, seed=9) == session.result()
    # Runs recorded before shuffling carry no orders and are taken as they are.
    legacy = copy.deepcopy(record)
    for entry in legacy:
        entry.pop("orders", None)
    assert rescore(level, catalog, legacy, seed=9) == session.result()


def tampered(record: list[dict], change) -> list[dict]:
    edited = copy.deepcopy(record)
    change(edited)
    return edited


def test_rescore_rejects_a_tampered_order(level: Level, catalog: Catalog) -> None:
    record = autoplay(level, catalog, "best", seed=9).record

    def swap_dialogue(r):
        r[0]["orders"][0] = list(reversed(r[0]["orders"][0]))

    def drop_a_choice(r):
        r[0]["orders"][0] = [i for i in r[0]["orders"][0] if i != r[0]["choices"][0]]

    def swap_options(r):
        single = next(i for i, o in enumerate(r[1]["orders"]) if len(o) > 2)
        r[1]["orders"][single] = list(reversed(r[1]["orders"][single]))

    def missing_step(r):
        r[0]["orders"].pop()

    for change in (swap_dialogue, drop_a_choice, swap_options, missing_step):
        with pytest.raises(RecordError):
            rescore(level, catalog, tampered(record, change), seed=9)
    # A record from another seed does not pass as this one (its orders differ somewhere).
    other = next(s for s in range(100) if autoplay(level, catalog, "best", seed=s).record != record)
    with pytest.raises(RecordError):
        rescore(level, catalog, autoplay(level, catalog, "best", seed=other).record, seed=9)
    # Without the seed only the contents of each order are checked: a choice never shown still fails.
    with pytest.raises(RecordError):
        rescore(level, catalog, tampered(record, drop_a_choice))


# --- naive players ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_the_first_policy_takes_the_first_option_shown(level: Level, catalog: Catalog, seed: int) -> None:
    session = autoplay(level, catalog, "first", seed=seed)
    dialogue, quiz, audit = session.record
    assert dialogue["choices"] == [order[0] for order in dialogue["orders"]]
    assert [a["selection"] for a in quiz["answers"]] == [[order[0]] for order in quiz["orders"]]
    assert all(a["elapsed"] == 0.0 for a in quiz["answers"])
    assert len(audit["flags"]) == 1 and "1" in audit["flags"]  # the first N lines, N violations
    assert rescore(level, catalog, session.record, seed=seed) == session.result()


@pytest.mark.parametrize("seed", range(6))
def test_the_longest_policy_takes_the_longest_text(level: Level, catalog: Catalog, seed: int) -> None:
    session = autoplay(level, catalog, "longest", seed=seed)
    dialogue, quiz, _ = session.record
    replay = LevelSession(level, catalog, seed=seed)
    for index in dialogue["choices"]:
        shown = replay.shown_choices()
        assert index == max(shown, key=lambda item: text_length(item[1].text))[0]
        replay.choose(index)
    for answer, order, planned in zip(
        quiz["answers"], quiz["orders"], planned_from_keys(level.stages[1], catalog, quiz["questions"])
    ):
        if planned.question.type == "truefalse":
            assert answer["selection"] == ["对"]  # two fixed words: the first, 对
        else:
            texts = dict(planned.question.choice_labels())
            assert answer["selection"] == [max(order, key=lambda k: text_length(texts[k]))]
    assert rescore(level, catalog, session.record, seed=seed) == session.result()


def test_naive_players_do_not_follow_one_fixed_place(level: Level, catalog: Catalog) -> None:
    # With shuffled options, "always the first" lands on different choices as the seed changes.
    firsts = {autoplay(level, catalog, "first", seed=s).record[0]["choices"][0] for s in range(30)}
    assert len(firsts) > 1
    assert set(NAIVE_POLICIES) == {"first", "longest"}


# --- stage minimums and stars -------------------------------------------------------------------


def small_level(**changes) -> Level:
    """A dialogue (one choice to a 100-point ending, its 合规 effect as given) and a two-question quiz."""
    effects = changes.pop("effects", {})
    quiz_min = changes.pop("quiz_min", None)
    quiz = {
        "kind": "quiz",
        "title": "测验",
        "time_limit": 10,
        "questions": [
            {"type": "truefalse", "prompt": "甲?", "answer": True, "explanation": "因为", "ref": "r"},
            {"type": "truefalse", "prompt": "乙?", "answer": True, "explanation": "因为", "ref": "r"},
        ],
    }
    if quiz_min is not None:
        quiz["min_score"] = quiz_min
    data = {
        "id": "small",
        "title": "小关",
        "tier": "新手",
        "pass_score": 60,
        "skills": ["法律合规"],
        "case": {"debtor": "甲", "persona": "协商型", "product": "消费贷", "amount": 1000, "days_overdue": 10},
        "stages": [
            {
                "kind": "dialogue",
                "title": "电话",
                "start": "a",
                "weight": 3,
                "nodes": {
                    "a": {
                        "say": "喂?",
                        "choices": [
                            {"text": "您好", "quality": "good", "effects": effects, "feedback": "好", "next": "end"}
                        ],
                    }
                },
                "endings": {"end": {"title": "约定", "outcome": "约定回电", "text": "好的", "score": 100}},
            },
            quiz,
        ],
        **changes,
    }
    return Level.model_validate(data)


def play_small(level: Level, right: int) -> LevelSession:
    clock = [0.0]
    session = LevelSession(level, Catalog(), mode="assessment", clock=lambda: clock[0], seed=1)
    session.choose(0)
    session.finish_dialogue()
    for number in range(2):
        session.answer(frozenset({"对" if number < right else "错"}))
    session.finish_quiz()
    return session


def test_a_stage_below_its_minimum_fails_a_level_whose_total_passes() -> None:
    without = play_small(small_level(), right=1).result()
    assert without.passed and without.missed_minimums == []
    strict = play_small(small_level(quiz_min=80), right=1).result()
    assert strict.total == without.total and strict.total >= 60
    assert strict.stage_scores[1] < 80
    assert not strict.passed and strict.stars == 0
    assert len(strict.missed_minimums) == 1 and "第 2 环节「测验」" in strict.missed_minimums[0]
    assert "80" in strict.missed_minimums[0]
    assert play_small(small_level(quiz_min=80), right=2).result().passed  # reached: passes


def test_three_stars_need_a_clean_compliance() -> None:
    clean = play_small(small_level(), right=2).result()
    assert clean.dimensions["合规"] == 100 and clean.total >= 90 and clean.stars == 3
    slip = play_small(small_level(effects={"合规": -5}), right=2).result()
    assert slip.dimensions["合规"] == 95 and slip.total >= 90 and slip.passed
    assert slip.stars == 2
    level = small_level()
    assert stars_for(level, 95, True, 99) == 2
    assert stars_for(level, 95, True, 100) == 3
    assert stars_for(level, 95, True) == 3  # a level no stage of which measures 合规
    assert stars_for(level, 70, True, 80) == 1  # fewer stars are not touched
    assert stars_for(level, 95, False, 100) == 0


# --- personal bests -----------------------------------------------------------------------------


def test_a_new_record_is_a_passed_run_that_beats_the_previous_best() -> None:
    best = BestResult("small", 80, 2, True)
    assert is_new_record(None, 65, True)  # the first pass
    assert not is_new_record(None, 65, False)  # a first try that failed is no record
    assert is_new_record(best, 81, True)
    assert not is_new_record(best, 80, True)  # equalling is not beating
    assert not is_new_record(best, 70, True)
    assert not is_new_record(best, 95, False)  # a high total that failed (red line, minimum)
    failed_best = BestResult("small", 50, 0, False)
    assert is_new_record(failed_best, 65, True)
