"""The shipped curriculum, played through the engine: every ending is reachable, no red-line path
passes, and a careful path (only good choices, perfect quiz and audit) earns three stars."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from game import audit, dialogue, quiz
from game.catalog import Catalog
from game.loader import DEFAULT_CONTENT_DIR, DEFAULT_LEVELS_DIR, load_catalog
from game.models import DialogueStage, Level, Quality, QuizStage
from game.scoring import combine
from game.session import plan_quiz

MAX_PATHS = 200_000


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    catalog, _ = load_catalog([DEFAULT_LEVELS_DIR], [DEFAULT_CONTENT_DIR])
    return catalog


def shipped_level_ids() -> list[str]:
    catalog, _ = load_catalog([DEFAULT_LEVELS_DIR], [DEFAULT_CONTENT_DIR])
    return sorted(catalog.levels)


def paths(stage: DialogueStage) -> Iterator[dialogue.DialogueState]:
    """Every finished path through a dialogue (a state repeated on one path is a loop: cut)."""
    count = 0
    stack = [(dialogue.start(stage), frozenset())]
    while stack:
        state, seen = stack.pop()
        if state.ended:
            count += 1
            assert count <= MAX_PATHS, "too many paths to walk"
            yield state
            continue
        key = (state.at, state.meters, state.flags)
        if key in seen:
            continue
        for index, _ in dialogue.available_choices(stage, state):
            stack.append((dialogue.choose(stage, state, index)[0], seen | {key}))


def perfect_result(level: Level, stage, catalog: Catalog):
    if isinstance(stage, QuizStage):
        planned = plan_quiz(stage, catalog, random.Random(0))
        return quiz.rescore(stage, planned, [(p.question.correct_set(), 0.0) for p in planned])
    return audit.score(stage, audit.answer_key(stage))


def test_curriculum_size(catalog: Catalog) -> None:
    tiers = [lv.tier for lv in catalog.levels.values()]
    counts = {tier: tiers.count(tier) for tier in ("新手", "中级", "主管")}
    assert counts["新手"] >= 6 and counts["中级"] >= 6 and counts["主管"] >= 4, counts
    for tier in ("新手", "中级", "主管"):
        exams = [lv for lv in catalog.levels.values() if lv.tier == tier and lv.exam]
        assert len(exams) == 1, f"{tier} needs exactly one promotion exam"
        assert len({s.kind for s in exams[0].stages}) >= 2, "a promotion exam mixes stage kinds"


@pytest.mark.parametrize("level_id", shipped_level_ids())
def test_level_plays_to_every_ending_and_red_lines_fail(level_id: str, catalog: Catalog) -> None:
    level = catalog.levels[level_id]
    dialogues = [(i, s) for i, s in enumerate(level.stages) if isinstance(s, DialogueStage)]
    perfect_others = {
        i: perfect_result(level, s, catalog) for i, s in enumerate(level.stages) if not isinstance(s, DialogueStage)
    }
    best_good: dict[int, dialogue.DialogueResult] = {}
    for index, stage in dialogues:
        reached: set[str] = set()
        for state in paths(stage):
            reached.add(state.at)
            result = dialogue.result(stage, state)
            if state.crossed_red_line:
                # Even with every other stage perfect (other dialogues: their red-line path is
                # judged on its own), a red line fails the level.
                if len(dialogues) == 1:
                    stages = [result if i == index else perfect_others[i] for i in range(len(level.stages))]
                    assert not combine(level, stages).passed, f"a red-line path passes in {level_id}"
                assert result.compliance == 0
            if all(step.quality == Quality.good for step in state.steps):
                if index not in best_good or result.score > best_good[index].score:
                    best_good[index] = result
        unreached = set(stage.endings) - reached
        assert not unreached, f"{level_id}: endings never reached: {sorted(unreached)}"
        assert len(stage.endings) >= 3, f"{level_id}: a dialogue needs at least three endings"
        assert index in best_good, f"{level_id}: no path of only good choices"
    careful = [best_good[i] if i in best_good else perfect_others[i] for i in range(len(level.stages))]
    result = combine(level, careful)
    assert result.passed and result.stars == 3, f"{level_id}: careful path scores {result.total}"
