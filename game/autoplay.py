"""Playing a level with no screen, by a fixed policy (for demos, load tests and checking levels).

Policies:
- best: the dialogue path with the highest stage score that crosses no red line (found by a
  search memoised on the dialogue state), every quiz question answered correctly at 0 s, every
  audit line flagged exactly as the key says.
- worst: the lowest-scoring dialogue path (a red line if there is one, since that zeroes the
  level), wrong quiz answers, no audit flags.
- random: uniform choices, answers, times and audit flags from a generator seeded with `seed`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import audit, dialogue
from .loader import Catalog
from .models import OPTION_LETTERS, QUALITY_POINTS, AuditStage, DialogueStage, Level, Question, QuizStage
from .session import LevelSession

POLICIES: tuple[str, ...] = ("best", "worst", "random")
MAX_DIALOGUE_STEPS = 80  # a path longer than this is treated as a loop
SEARCH_BUDGET = 200_000  # dialogue states explored before falling back to a greedy walk


class ManualClock:
    """A clock that only moves when told to, so quiz times are exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def autoplay(level: Level, catalog: Catalog, policy: str, seed: int = 0,
             mode: str = "assessment") -> LevelSession:
    """Play `level` to the end by `policy` and return the finished session."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}")
    clock = ManualClock()
    session = LevelSession(level, catalog, mode=mode, clock=clock, seed=seed)
    rng = random.Random(f"autoplay:{seed}")
    while not session.finished:
        stage = session.stage
        if isinstance(stage, DialogueStage):
            for index in dialogue_path(stage, policy, rng):
                session.choose(index)
            session.finish_dialogue()
        elif isinstance(stage, QuizStage):
            runner = session.quiz_runner
            assert runner is not None
            while not runner.finished:
                planned = runner.current
                assert planned is not None
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


def dialogue_path(stage: DialogueStage, policy: str, rng: random.Random) -> list[int]:
    """Choice indices from the start to an ending."""
    if policy == "random":
        return _random_path(stage, rng)
    maximize = policy == "best"
    try:
        found = _search(stage, dialogue.start(stage), maximize, {}, [0], 0)
    except _OverBudget:
        found = None
    if found is None:
        return _greedy_path(stage, maximize)
    return list(found.path)


def _state_key(state: dialogue.DialogueState) -> tuple[object, ...]:
    # The rest of a conversation's score depends only on where it is, its meters and flags, and
    # (for the average choice quality) how many steps were taken and how good they were.
    quality = sum(QUALITY_POINTS[s.quality] for s in state.steps)
    return (state.at, state.meters, state.flags, len(state.steps), quality, state.crossed_red_line)


def _search(stage: DialogueStage, state: dialogue.DialogueState, maximize: bool,
            memo: dict[tuple[object, ...], _Outcome | None], budget: list[int], depth: int) -> _Outcome | None:
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


def _greedy_path(stage: DialogueStage, maximize: bool) -> list[int]:
    """Fallback for huge dialogues: take the locally best (or worst) choice at each node."""
    state = dialogue.start(stage)
    path: list[int] = []
    while not state.ended and len(path) < MAX_DIALOGUE_STEPS * 4:
        merits = {i: (0 if c.violation else 1, QUALITY_POINTS[c.quality])
                  for i, c in dialogue.available_choices(stage, state)}
        index = (max if maximize else min)(merits, key=lambda i: merits[i])
        state, _ = dialogue.choose(stage, state, index)
        path.append(index)
    return path


def _random_path(stage: DialogueStage, rng: random.Random) -> list[int]:
    state = dialogue.start(stage)
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


def quiz_answer(question: Question, time_limit: float, policy: str,
                rng: random.Random) -> tuple[frozenset[str], float]:
    """(selection, seconds taken) for one question."""
    if policy == "best":
        return question.correct_set(), 0.0
    if policy == "worst":
        return _wrong_selection(question), 0.0
    keys = [key for key, _ in question.choice_labels()]
    if question.type == "multiple":
        chosen = frozenset()
        while not chosen:
            chosen = frozenset(k for k in keys if rng.random() < 0.5)
    else:
        chosen = frozenset({rng.choice(keys)})
    return chosen, round(rng.uniform(0.0, time_limit), 3)


def audit_flags(stage: AuditStage, policy: str, rng: random.Random) -> dict[int, str | None]:
    """Line number -> rule named, for the audit stage."""
    if policy == "best":
        return dict(audit.answer_key(stage))
    if policy == "worst":
        return {}
    options = audit.rule_options(stage)
    return {number: rng.choice(options)
            for number in range(1, len(stage.transcript) + 1) if rng.random() < 0.5}
