"""The dialogue explorer behind `playtest` and parts of `validate`: it must agree with brute-force
play through the engine, find each defect in levels built to have it, and stay fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dialogue_gen import big_dialogue, dialogues
from hypothesis import HealthCheck, given, settings

from game import dialogue, explore, scoring
from game.catalog import Catalog
from game.explore import explore_stage, playtest
from game.loader import load_catalog
from game.models import DialogueStage, Quality

FIXTURES = Path(__file__).parent / "fixtures"
DEFECTS = FIXTURES / "defects"
CONTENT = FIXTURES / "trainer-content"


@pytest.fixture(scope="module")
def defects() -> Catalog:
    catalog, diagnostics = load_catalog([DEFECTS], [CONTENT])
    assert not diagnostics, diagnostics
    return catalog


def every_path(stage: DialogueStage) -> list[dialogue.DialogueState]:
    """Brute force: every finished path of an acyclic dialogue, played with the engine."""
    finished = []
    stack = [dialogue.start(stage)]
    while stack:
        state = stack.pop()
        if state.ended:
            finished.append(state)
            continue
        for index, _ in dialogue.available_choices(stage, state):
            stack.append(dialogue.choose(stage, state, index)[0])
    return finished


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dialogues(acyclic=True))
def test_explorer_agrees_with_brute_force(stage: DialogueStage) -> None:
    paths = every_path(stage)
    found = explore_stage(stage)
    assert found.paths == len(paths)
    assert set(found.endings_reached) == {s.at for s in paths}
    scores = [(dialogue.result(stage, s).score, s) for s in paths]
    clean = [score for score, s in scores if not s.crossed_red_line]
    red = [score for score, s in scores if s.crossed_red_line]
    sloppy = [
        score for score, s in scores if not s.crossed_red_line and all(step.quality != Quality.good for step in s.steps)
    ]
    assert (found.best.score if found.best else None) == (max(clean) if clean else None)
    assert found.worst.score == min(score for score, _ in scores)
    assert (found.best_red_line.score if found.best_red_line else None) == (max(red) if red else None)
    assert (found.best_without_good.score if found.best_without_good else None) == (max(sloppy) if sloppy else None)
    assert found.longest_path == max(len(s.steps) for s in paths)
    assert found.shortest_path == min(len(s.steps) for s in paths)
    assert not found.dead_end_nodes and found.cycles == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dialogues(acyclic=False))
def test_witness_paths_replay_to_their_reported_results(stage: DialogueStage) -> None:
    found = explore_stage(stage)
    for witness in (found.best, found.worst, found.best_red_line, found.best_without_good):
        if witness is None:
            continue
        state = dialogue.replay(stage, witness.choices)
        assert state.ended
        assert dialogue.result(stage, state) == witness.result
    if found.best_red_line is not None:
        assert found.best_red_line.result.violations
    if found.best_without_good is not None:
        assert all(s.quality != Quality.good for s in dialogue.replay(stage, found.best_without_good.choices).steps)


@pytest.mark.parametrize(
    "name, defects_expected",
    [
        ("clean", set()),
        ("unreachable-ending", {"unreachable-ending"}),
        ("dead-end", {"dead-end"}),
        ("too-lenient", {"too-lenient"}),
        ("pass-unreachable", {"pass-unreachable"}),
        ("unused-choices", set()),
        ("loop-with-exit", set()),
    ],
)
def test_defect_levels(defects: Catalog, name: str, defects_expected: set[str]) -> None:
    report = playtest(defects.levels[f"defect-{name}"], defects)
    assert {kind for kind, _ in report.defects} == defects_expected, report.defects
    assert report.ok == (not defects_expected)


def test_unreachable_ending_names_the_ending(defects: Catalog) -> None:
    report = playtest(defects.levels["defect-unreachable-ending"], defects)
    assert report.dialogues[0].endings_unreached == ["refused"]
    assert "'refused'" in report.defects[0][1]


def test_dead_end_names_the_loop(defects: Catalog) -> None:
    found = playtest(defects.levels["defect-dead-end"], defects).dialogues[0]
    assert found.dead_end_nodes == ["stall", "again"]
    assert [(c.nodes, c.has_exit) for c in found.cycles] == [(("again", "stall"), False)]


def test_too_lenient_reports_the_sloppy_path(defects: Catalog) -> None:
    report = playtest(defects.levels["defect-too-lenient"], defects)
    sloppy = report.dialogues[0].best_without_good
    assert sloppy is not None and sloppy.choices == [1, 0]
    assert sloppy.score == 90  # ending 100, 合规 100, two ok choices (60)
    assert report.without_good is not None and report.without_good.passed


def test_pass_unreachable_reports_the_best_total(defects: Catalog) -> None:
    report = playtest(defects.levels["defect-pass-unreachable"], defects)
    assert report.best is not None and report.best.total == 75 and not report.best.passed


def test_choices_that_never_matter(defects: Catalog) -> None:
    found = playtest(defects.levels["defect-unused-choices"], defects).dialogues[0]
    unused = {(u.node, u.choice, u.reason, u.same_as) for u in found.unused_choices}
    assert unused == {("open", 0, "same-as", (1,)), ("open", 1, "same-as", (0,)), ("open", 2, "never-available", ())}


def test_loops_with_an_exit_make_paths_unbounded(defects: Catalog) -> None:
    found = playtest(defects.levels["defect-loop-with-exit"], defects).dialogues[0]
    assert found.paths is None and found.longest_path is None
    assert found.horizon is not None
    assert [(c.nodes, c.has_exit) for c in found.cycles] == [(("ask",), True)]
    assert not found.dead_end_nodes and not found.endings_unreached


def test_a_red_line_passing_would_be_caught(defects: Catalog) -> None:
    level = defects.levels["defect-clean"]
    assert not any(kind == "red-line-passes" for kind, _ in playtest(level, defects).defects)

    def forgiving(level_, results):  # a scoring bug: red lines no longer fail the level
        honest = scoring.combine(level_, results)
        total = round(sum(r.score for r in results) / len(results)) + 60
        return scoring.LevelResult(
            level_.id,
            total,
            total >= level_.pass_score,
            1,
            honest.dimensions,
            honest.stage_scores,
            honest.violations,
            honest.red_line,
        )

    report = playtest(level, defects, combine=forgiving)
    assert "red-line-passes" in {kind for kind, _ in report.defects}


def test_the_engine_fails_every_red_line_of_the_clean_level(defects: Catalog) -> None:
    report = playtest(defects.levels["defect-clean"], defects)
    assert report.red_line_results and all(not r.passed and r.total == 0 for _, r in report.red_line_results)


@pytest.mark.parametrize("acyclic", [True, False], ids=["acyclic", "with-loops"])
def test_fifty_nodes_four_choices_each_in_seconds(acyclic: bool) -> None:
    stage = big_dialogue(seed=7, nodes=50, choices=4, acyclic=acyclic)
    began = time.perf_counter()
    found = explore_stage(stage)
    elapsed = time.perf_counter() - began
    assert elapsed < 10, f"exploring took {elapsed:.1f} s"
    assert found.best is not None and found.worst is not None
    assert found.states > 100
    if acyclic:
        assert found.paths is not None and found.paths > 10_000  # counted, not enumerated
    else:
        assert found.paths is None and found.horizon is not None


def test_too_many_states_is_an_error_not_a_hang() -> None:
    stage = big_dialogue(seed=1, nodes=20, choices=3)
    with pytest.raises(explore.ExplorationError, match="too large"):
        explore_stage(stage, max_states=10)
