"""Autoplay: best, worst and random policies on fixture levels."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from game import dialogue
from game.autoplay import autoplay, dialogue_path
from game.catalog import Catalog
from game.loader import load_catalog
from game.models import DialogueStage
from game.quiz import QuizResult
from game.session import rescore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    catalog, diagnostics = load_catalog(
        [FIXTURES / "levels" / "sample.yaml", FIXTURES / "storage" / "levels"], [FIXTURES / "storage" / "content"]
    )
    assert diagnostics == []
    return catalog


def all_dialogue_scores(stage: DialogueStage, max_steps: int = 8) -> list[tuple[bool, int]]:
    """(crossed a red line, stage score) of every path of at most max_steps choices."""
    found = []

    def walk(state: dialogue.DialogueState) -> None:
        if state.ended:
            result = dialogue.result(stage, state)
            found.append((bool(result.violations), result.score))
            return
        if len(state.steps) >= max_steps:
            return
        for index, _ in dialogue.available_choices(stage, state):
            walk(dialogue.choose(stage, state, index)[0])

    walk(dialogue.start(stage))
    return found


@pytest.mark.parametrize("level_id", ["sample-spouse", "st-loop"])
def test_best_policy_finds_the_top_dialogue_and_aces_the_rest(catalog: Catalog, level_id: str) -> None:
    level = catalog.levels[level_id]
    session = autoplay(level, catalog, "best", seed=4)
    result = session.result()
    stage = level.stages[0]
    assert isinstance(stage, DialogueStage)
    clean = [score for crossed, score in all_dialogue_scores(stage) if not crossed]
    assert result.stage_scores[0] == max(clean)
    assert result.stage_scores[1:] == [100, 100]  # every question right at 0 s; audit exactly right
    assert result.passed and result.violations == []
    quiz = session.results[1]
    assert isinstance(quiz, QuizResult) and quiz.wrong_keys == []


@pytest.mark.parametrize("level_id", ["sample-spouse", "st-loop"])
def test_worst_policy_crosses_a_red_line_and_fails(catalog: Catalog, level_id: str) -> None:
    level = catalog.levels[level_id]
    result = autoplay(level, catalog, "worst", seed=4).result()
    stage = level.stages[0]
    assert isinstance(stage, DialogueStage)
    assert result.violations  # both levels have a red line, the lowest outcome there is
    assert result.total == 0 and not result.passed
    # Among the paths that cross a red line (which zero the level), the lowest-scoring one.
    assert result.stage_scores[0] == min(score for crossed, score in all_dialogue_scores(stage) if crossed)
    assert result.stage_scores[1:] == [0, 0]


def test_random_policy_is_reproducible_and_varies_with_the_seed(catalog: Catalog) -> None:
    level = catalog.levels["st-loop"]
    assert autoplay(level, catalog, "random", seed=11).record == autoplay(level, catalog, "random", seed=11).record
    records = [autoplay(level, catalog, "random", seed=seed).record for seed in range(30)]
    first_choices = {record[0]["choices"][0] for record in records}
    assert first_choices == {0, 1}  # both opening choices get played
    assert len({str(record) for record in records}) > 20
    totals = {autoplay(level, catalog, "random", seed=seed).result().total for seed in range(30)}
    assert len(totals) > 5


@pytest.mark.parametrize("policy", ["best", "worst", "random"])
def test_autoplayed_runs_rescore_to_the_same_result(catalog: Catalog, policy: str) -> None:
    for level in catalog.levels.values():
        for seed in range(5):
            session = autoplay(level, catalog, policy, seed=seed)
            assert rescore(level, catalog, session.record) == session.result()


def test_mode_and_bad_policy(catalog: Catalog) -> None:
    level = catalog.levels["sample-spouse"]
    assert autoplay(level, catalog, "best", mode="practice").mode == "practice"
    with pytest.raises(ValueError):
        autoplay(level, catalog, "cheat")


def test_best_path_avoids_a_red_line_even_when_it_scores_well() -> None:
    # A red-line choice leading to a 100-point ending must still lose to a clean 40-point path.
    stage = DialogueStage.model_validate(
        {
            "kind": "dialogue",
            "start": "a",
            "nodes": {
                "a": {
                    "say": "喂?",
                    "choices": [
                        {
                            "text": "威胁",
                            "violation": "crim-extortion",
                            "quality": "good",
                            "feedback": "红线",
                            "next": "win",
                        },
                        {"text": "礼貌", "quality": "ok", "feedback": "可以", "next": "meh"},
                    ],
                }
            },
            "endings": {
                "win": {"title": "赢", "outcome": "承诺还款", "text": "t", "score": 100},
                "meh": {"title": "一般", "outcome": "约定回电", "text": "t", "score": 40},
            },
        }
    )
    assert dialogue_path(stage, "best", random.Random(0)) == [1]
    assert dialogue_path(stage, "worst", random.Random(0)) == [0]


def test_huge_dialogues_fall_back_to_a_greedy_walk(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from game import autoplay as module

    monkeypatch.setattr(module, "SEARCH_BUDGET", 1)
    level = catalog.levels["st-loop"]
    best = autoplay(level, catalog, "best").result()
    worst = autoplay(level, catalog, "worst").result()
    assert best.passed and not best.violations
    assert worst.violations and worst.total == 0
