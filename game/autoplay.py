"""Playing a level with no screen, by a fixed policy (for demos, load tests and checking levels).

Policies:
- best: the dialogue path with the highest stage score that crosses no red line (found by a
  search memoised on the dialogue state), every quiz question answered correctly at 0 s, every
  audit line flagged exactly as the key says.
- worst: the lowest-scoring dialogue path (a red line if there is one, since that zeroes the
  level), wrong quiz answers, no audit flags.
- random: uniform choices, answers, times and audit flags from a generator seeded with `seed`.
- first: a naive player who always takes the first option as shown (dialogue choice, quiz option;
  true/false answers 对), answers at once, and in an audit flags the first N lines, N being the
  number of violations, each with the first rule offered.
- longest: a naive player who always takes the longest text; in an audit it flags the N longest lines
  with the rule offered first. Levels must not be passable by either (`playtest` checks).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import audit, dialogue
from .catalog import Catalog
from .cues import text_length
from .models import OPTION_LETTERS, QUALITY_POINTS, AuditStage, DialogueStage, Level, Question, QuizStage
from .session import LevelSession

POLICIES: tuple[str, ...] = ("best", "worst", "random", "first", "longest")
NAIVE_POLICIES: tuple[str, ...] = ("first", "longest")
MAX_DIALOGUE_STEPS = 80  # a path longer than this is treated as a loop
SEARCH_BUDGET = 200_000  # dialogue states explored before falling back to a greedy walk


class ManualClock:
    """A clock that only moves when told to, so quiz times are exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def autoplay(level: Level, catalog: Catalog, policy: str, seed: int = 0, mode: str = "assessment") -> LevelSession:
    """Play `level` to the end by `policy` and return the finished session."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}")
    clock = ManualClock()
    session = LevelSession(level, catalog, mode=mode, clock=clock, seed=seed)
    rng = random.Random(f"autoplay:{seed}")
    while not session.finished:
        stage = session.stage
        if isinstance(stage, DialogueStage):
            if policy in NAIVE_POLICIES:
                _play_naive_dialogue(session, policy)
            else:
                for index in dialogue_path(stage, policy, rng, session.dialogue_state):
                    session.choose(index)
            session.finish_dialogue()
        elif isinstance(stage, QuizStage):
            runner = session.quiz_runner
            assert runner is not None
            while not runner.finished:
                planned = runner.current
                assert planned is not None
                if policy in NAIVE_POLICIES:
                    selection, elapsed = naive_answer(planned.question, session.option_order(), policy), 0.0
                else:
                    selection, elapsed = quiz_answer(planned.question, planned.time_limit, policy, rng)
                runner.begin()
                clock.now += elapsed
                session.answer(selection)
            session.finish_quiz()
        elif isinstance(stage, AuditStage):
            session.submit_audit(audit_flags(stage, policy, rng))
    return session


# --------------------------------------------------------------------------------------------
# Dialogue
# --------------------------------------------------------------------------------------------


class _OverBudget(Exception):
    pass


@dataclass(frozen=True)
class _Outcome:
    value: tuple[int, int]  # (no red line crossed, stage score): compared as a whole
    path: tuple[int, ...]


def dialogue_path(
    stage: DialogueStage, policy: str, rng: random.Random, state: dialogue.DialogueState | None = None
) -> list[int]:
    """Choice indices from `state` (default: the start) to an ending."""
    first = state or dialogue.start(stage)
    if policy == "random":
        return _random_path(stage, rng, first)
    maximize = policy == "best"
    try:
        found = _search(stage, first, maximize, {}, [0], 0)
    except _OverBudget:
        found = None
    if found is None:
        return _greedy_path(stage, maximize, first)
    return list(found.path)


def _state_key(state: dialogue.DialogueState) -> tuple[object, ...]:
    # The rest of a conversation's score depends only on where it is, its meters and flags, and
    # (for the average choice quality) how many steps were taken and how good they were.
    quality = sum(QUALITY_POINTS[s.quality] for s in state.steps)
    return (state.at, state.meters, state.flags, len(state.steps), quality, state.crossed_red_line)


def _search(
    stage: DialogueStage,
    state: dialogue.DialogueState,
    maximize: bool,
    memo: dict[tuple[object, ...], _Outcome | None],
    budget: list[int],
    depth: int,
) -> _Outcome | None:
    if state.ended:
        result = dialogue.result(stage, state)
        return _Outcome((0 if result.violations else 1, result.score), ())
    if depth >= MAX_DIALOGUE_STEPS:
        return None
    key = _state_key(state)
    if key in memo:
        return memo[key]
    budget[0] += 1
    if budget[0] > SEARCH_BUDGET:
        raise _OverBudget
    best: _Outcome | None = None
    for index, _choice in dialogue.available_choices(stage, state):
        nxt, _ = dialogue.choose(stage, state, index)
        found = _search(stage, nxt, maximize, memo, budget, depth + 1)
        if found is None:
            continue
        candidate = _Outcome(found.value, (index,) + found.path)
        if best is None or (candidate.value > best.value if maximize else candidate.value < best.value):
            best = candidate
    memo[key] = best
    return best


def _greedy_path(stage: DialogueStage, maximize: bool, state: dialogue.DialogueState) -> list[int]:
    """Fallback for huge dialogues: take the locally best (or worst) choice at each node."""
    path: list[int] = []
    while not state.ended and len(path) < MAX_DIALOGUE_STEPS * 4:
        merits = {
            i: (0 if c.violation else 1, QUALITY_POINTS[c.quality]) for i, c in dialogue.available_choices(stage, state)
        }
        index = (max if maximize else min)(merits, key=lambda i: merits[i])
        state, _ = dialogue.choose(stage, state, index)
        path.append(index)
    return path


def _random_path(stage: DialogueStage, rng: random.Random, state: dialogue.DialogueState) -> list[int]:
    path: list[int] = []
    while not state.ended:
        if len(path) >= MAX_DIALOGUE_STEPS * 4:
            # A loop the dice keep choosing: finish along the best path from here.
            break
        index = rng.choice([i for i, _ in dialogue.available_choices(stage, state)])
        state, _ = dialogue.choose(stage, state, index)
        path.append(index)
    if not state.ended:
        path.extend(_finish_greedy(stage, state))
    return path


def _finish_greedy(stage: DialogueStage, state: dialogue.DialogueState) -> list[int]:
    path: list[int] = []
    seen: set[tuple[object, ...]] = set()
    while not state.ended:
        key = _state_key(state)[:3]
        options = [i for i, _ in dialogue.available_choices(stage, state)]
        # Prefer a choice that leads somewhere new, so a loop is left.
        index = options[len(seen) % len(options)] if key in seen else options[0]
        seen.add(key)
        state, _ = dialogue.choose(stage, state, index)
        path.append(index)
        if len(path) > 10_000:
            raise ValueError("the dialogue has no reachable ending")
    return path


def _play_naive_dialogue(session: LevelSession, policy: str) -> None:
    seen: dict[tuple[object, ...], int] = {}
    state = session.dialogue_state
    while state is not None and not state.ended:
        shown = session.shown_choices()
        if not shown:
            raise ValueError(f"node '{state.at}' offers no choice")
        if policy == "first":
            index = shown[0][0]
        else:
            index = max(shown, key=lambda item: text_length(item[1].text))[0]
        # A naive player stuck in a loop tries the next option on each lap, so the walk ends.
        key = (state.at, state.meters, state.flags)
        lap = seen.get(key, 0)
        seen[key] = lap + 1
        if lap:
            ranked = sorted(shown, key=lambda item: -text_length(item[1].text)) if policy == "longest" else shown
            index = ranked[lap % len(ranked)][0]
        if len(state.steps) > MAX_DIALOGUE_STEPS * 4:
            raise ValueError("the dialogue has no reachable ending for a naive player")
        session.choose(index)
        state = session.dialogue_state


# --------------------------------------------------------------------------------------------
# Quiz and audit
# --------------------------------------------------------------------------------------------


def _wrong_selection(question: Question) -> frozenset[str]:
    correct = question.correct_set()
    if question.type == "truefalse":
        return frozenset({"错"}) if correct == {"对"} else frozenset({"对"})
    letters = OPTION_LETTERS[: len(question.options)]
    for letter in letters:
        if letter not in correct:
            return frozenset({letter})
    # Every option is correct (a multiple-choice "all of the above"): leave one out.
    return frozenset(letters[1:])


def quiz_answer(question: Question, time_limit: float, policy: str, rng: random.Random) -> tuple[frozenset[str], float]:
    """(selection, seconds taken) for one question."""
    if policy == "best":
        return question.correct_set(), 0.0
    if policy == "worst":
        return _wrong_selection(question), 0.0
    keys = [key for key, _ in question.choice_labels()]
    if question.type == "multiple":
        chosen: frozenset[str] = frozenset()
        while not chosen:
            chosen = frozenset(k for k in keys if rng.random() < 0.5)
    else:
        chosen = frozenset({rng.choice(keys)})
    return chosen, round(rng.uniform(0.0, time_limit), 3)


def naive_answer(question: Question, shown: tuple[str, ...], policy: str) -> frozenset[str]:
    """The first key shown, or the key of the longest option text (true/false: the first, 对)."""
    if question.type == "truefalse" or policy == "first":
        return frozenset({shown[0]})
    texts = dict(question.choice_labels())
    return frozenset({max(shown, key=lambda key: text_length(texts[key]))})


def audit_flags(stage: AuditStage, policy: str, rng: random.Random) -> dict[int, str | None]:
    """Line number -> rule named, for the audit stage."""
    if policy in NAIVE_POLICIES:
        count = len(audit.answer_key(stage))
        rule = audit.rule_options(stage)[0]
        numbers = list(range(1, len(stage.transcript) + 1))
        if policy == "longest":
            numbers.sort(key=lambda n: -text_length(stage.transcript[n - 1].text))
        return {n: rule for n in numbers[:count]}
    if policy == "best":
        return dict(audit.answer_key(stage))
    if policy == "worst":
        return {}
    options = audit.rule_options(stage)
    return {number: rng.choice(options) for number in range(1, len(stage.transcript) + 1) if rng.random() < 0.5}


# --------------------------------------------------------------------------------------------
# Naive players, for playtest
# --------------------------------------------------------------------------------------------

NAIVE_SEEDS = 20  # option orders tried per naive policy
NAIVE_PASS_LIMIT = 0.1  # a level a naive policy passes more often than this is too easy to guess


@dataclass(frozen=True)
class NaiveResult:
    policy: str
    runs: int
    passes: int
    mean_score: int
    best_score: int

    @property
    def pass_rate(self) -> float:
        return self.passes / self.runs if self.runs else 0.0

    @property
    def too_easy(self) -> bool:
        return self.pass_rate > NAIVE_PASS_LIMIT


def naive_results(level: Level, catalog: Catalog, seeds: int = NAIVE_SEEDS) -> list[NaiveResult]:
    """How the naive policies fare in assessment mode over `seeds` option orders."""
    found = []
    for policy in NAIVE_POLICIES:
        totals, passes = [], 0
        for seed in range(seeds):
            result = autoplay(level, catalog, policy, seed, mode="assessment").result()
            totals.append(result.total)
            passes += result.passed
        found.append(NaiveResult(policy, seeds, passes, round(sum(totals) / seeds), max(totals)))
    return found
