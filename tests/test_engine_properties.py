"""Property tests of the engine: whatever a player does, nothing crashes, scores stay within
0..100, a stored run re-scores to the same result, and a red line always fails the level."""

from __future__ import annotations

from pathlib import Path

from dialogue_gen import dialogues
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import audit, dialogue
from game.catalog import Catalog
from game.loader import load_catalog
from game.models import DialogueStage, Level, QuizStage
from game.scoring import combine
from game.session import LevelSession, rescore

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "levels" / "sample.yaml"
CONTENT = FIXTURES / "trainer-content"
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sample_catalog() -> Catalog:
    catalog, diagnostics = load_catalog([SAMPLE], [CONTENT])
    assert not diagnostics
    return catalog


CATALOG = sample_catalog()


def level_with(stage: DialogueStage, pass_score: int) -> Level:
    return Level.model_validate(
        {
            "id": "generated",
            "title": "生成的关卡",
            "tier": "新手",
            "pass_score": pass_score,
            "skills": ["沟通技巧"],
            "case": {"debtor": "甲", "persona": "拖延型", "product": "信用卡", "amount": 1, "days_overdue": 1},
            "stages": [stage],
        }
    )


def in_range(value: int) -> bool:
    return 0 <= value <= 100


@SETTINGS
@given(st.data())
def test_random_play_of_the_sample_level(data: st.DataObject) -> None:
    level = CATALOG.levels["sample-spouse"]
    clock_time = [0.0]
    session = LevelSession(
        level, CATALOG, mode="assessment", clock=lambda: clock_time[0], seed=data.draw(st.integers(0, 1000))
    )
    while not session.finished:
        stage = session.stage
        if isinstance(stage, DialogueStage):
            state = session.dialogue_state
            assert state is not None
            if state.ended:
                result = session.finish_dialogue()
                assert all(in_range(v) for v in (result.score, result.compliance, result.communication))
                continue
            shown = [i for i, _ in dialogue.available_choices(stage, state)]
            session.choose(data.draw(st.sampled_from(shown)))
        elif isinstance(stage, QuizStage):
            runner = session.quiz_runner
            assert runner is not None
            if runner.finished:
                session.finish_quiz()
                continue
            current = runner.current
            assert current is not None
            keys = [key for key, _ in current.question.choice_labels()]
            runner.begin()
            clock_time[0] += data.draw(st.floats(0, 2 * current.time_limit))
            answer = data.draw(st.one_of(st.none(), st.sets(st.sampled_from(keys), min_size=1)))
            scored = session.answer(answer)
            assert scored.total >= 0
        else:
            lines = range(1, len(stage.transcript) + 1)
            rules = [None, *audit.rule_options(stage)]
            flags = data.draw(st.dictionaries(st.sampled_from(list(lines)), st.sampled_from(rules)))
            assert in_range(session.submit_audit(flags).score)
    result = session.result()
    assert in_range(result.total) and 0 <= result.stars <= 3
    assert all(in_range(v) for v in result.dimensions.values())
    assert all(in_range(v) for v in result.stage_scores)
    if result.red_line:
        assert not result.passed and result.total == 0 and result.dimensions["合规"] == 0
    assert rescore(level, CATALOG, session.record) == result


@SETTINGS
@given(dialogues(acyclic=False), st.data(), st.integers(0, 100))
def test_random_play_of_generated_dialogues(stage: DialogueStage, data: st.DataObject, pass_score: int) -> None:
    state = dialogue.start(stage)
    for _ in range(40):
        if state.ended:
            break
        shown = dialogue.available_choices(stage, state)
        assert shown, "a node always offers a choice"
        index = data.draw(st.sampled_from([i for i, _ in shown]))
        state, outcome = dialogue.choose(stage, state, index)
        assert all(in_range(v) for _, v in state.meters)
        if outcome.violation:
            assert state.meter_map["合规"] == 0
    if not state.ended:
        return
    result = dialogue.result(stage, state)
    assert all(in_range(v) for v in (result.score, result.compliance, result.communication, result.outcome))
    level_result = combine(level_with(stage, pass_score), [result])
    assert in_range(level_result.total)
    if state.crossed_red_line:
        assert result.compliance == 0
        assert not level_result.passed and level_result.total == 0 and level_result.stars == 0
    assert dialogue.replay(stage, [s.choice for s in state.steps]) == state


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dialogues(acyclic=False, max_nodes=2), st.data())
def test_choosing_a_hidden_or_unknown_choice_is_refused(stage: DialogueStage, data: st.DataObject) -> None:
    state = dialogue.start(stage)
    node = dialogue.current_node(stage, state)
    assert node is not None
    shown = {i for i, _ in dialogue.available_choices(stage, state)}
    hidden = data.draw(st.integers(-3, len(node.choices) + 3).filter(lambda i: i not in shown))
    try:
        dialogue.choose(stage, state, hidden)
    except ValueError:
        pass
    else:
        raise AssertionError(f"choice {hidden} was accepted although it is not shown")
