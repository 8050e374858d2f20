"""The quiz runner: timed questions, speed points and streaks, with an injected clock.

Points follow Kahoot's documented rule: a correct answer earns round((1 - (t/T)/2) * points),
full points when answered within 0.5 s; each further correct answer in a row adds +100, capped
at +500. Wrong answers and timeouts earn nothing and break the streak, so speed never buys
back a wrong answer. A level can switch either bonus off.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .catalog import Catalog
from .models import Question, QuizStage

FULL_POINTS_WITHIN = 0.5  # seconds
STREAK_STEP = 100
STREAK_CAP = 500
KNOWLEDGE_WEIGHT = 0.8  # stage score = 80% correctness + 20% points (speed and streak)

Clock = Callable[[], float]


@dataclass(frozen=True)
class PlannedQuestion:
    key: str  # bank question id, or "inline-N" for the stage's own questions
    question: Question
    time_limit: float
    points: int


@dataclass(frozen=True)
class Answer:
    key: str
    selection: frozenset[str]  # option letters, or {"对"} / {"错"}; empty on timeout
    elapsed: float
    correct: bool
    timed_out: bool
    points: int  # base points earned, before streak
    streak_bonus: int
    streak: int

    @property
    def total(self) -> int:
        return self.points + self.streak_bonus


@dataclass(frozen=True)
class QuizResult:
    answers: list[Answer]
    correct: int
    total_questions: int
    points: int
    max_points: int
    knowledge: int  # % correct
    efficiency: int  # % of the best possible points
    score: int
    best_streak: int
    wrong_keys: list[str] = field(default_factory=list)


class DrawError(ValueError):
    pass


def plan(
    stage: QuizStage,
    bank_questions: dict[str, Question],
    rng: random.Random,
    bank_of: dict[str, str] | None = None,
    tier_of: dict[str, str] | None = None,
) -> list[PlannedQuestion]:
    """The questions of one quiz run: inline questions, then those drawn from the banks.

    `bank_questions` maps question id -> question; `bank_of` and `tier_of` map question id to its
    bank id and tier for the `draw` filters."""
    bank_of = bank_of or {}
    tier_of = tier_of or {}
    chosen: list[tuple[str, Question]] = [(q.id or f"inline-{i}", q) for i, q in enumerate(stage.questions)]
    taken = {key for key, _ in chosen}
    for draw in stage.draw:
        pool = [
            qid
            for qid, q in bank_questions.items()
            if qid not in taken
            and (draw.bank is None or bank_of.get(qid) == draw.bank)
            and (draw.tier is None or tier_of.get(qid) == draw.tier)
            and (not draw.tags or set(draw.tags) & set(q.tags))
        ]
        if len(pool) < draw.count:
            raise DrawError(f"draw wants {draw.count} questions but only {len(pool)} match")
        for qid in rng.sample(sorted(pool), draw.count):
            chosen.append((qid, bank_questions[qid]))
            taken.add(qid)
    if stage.shuffle:
        rng.shuffle(chosen)
    return [
        PlannedQuestion(key, q, q.time_limit or stage.time_limit, q.points if q.points is not None else stage.points)
        for key, q in chosen
    ]


def speed_points(points: int, elapsed: float, time_limit: float) -> int:
    if elapsed <= FULL_POINTS_WITHIN:
        return points
    fraction = min(elapsed / time_limit, 1.0)
    return round((1 - fraction / 2) * points)


def streak_bonus(streak: int) -> int:
    """Bonus for the `streak`-th correct answer in a row (the first earns none)."""
    return min(STREAK_STEP * max(streak - 1, 0), STREAK_CAP)


def is_correct(question: Question, selection: frozenset[str]) -> bool:
    return bool(selection) and selection == question.correct_set()


def score_answer(
    stage: QuizStage, planned: PlannedQuestion, selection: frozenset[str] | None, elapsed: float, streak_before: int
) -> Answer:
    """Score one answer. `selection` None (or an answer after the limit) is a timeout."""
    elapsed = max(0.0, elapsed)
    timed_out = selection is None or elapsed > planned.time_limit
    chosen = frozenset() if selection is None else frozenset(selection)
    correct = not timed_out and is_correct(planned.question, chosen)
    if not correct:
        return Answer(planned.key, chosen, elapsed, False, timed_out, 0, 0, 0)
    points = speed_points(planned.points, elapsed, planned.time_limit) if stage.speed_bonus else planned.points
    streak = streak_before + 1
    bonus = streak_bonus(streak) if stage.streak_bonus else 0
    return Answer(planned.key, chosen, elapsed, True, False, points, bonus, streak)


def max_points(stage: QuizStage, planned: list[PlannedQuestion]) -> int:
    total = sum(p.points for p in planned)
    if stage.streak_bonus:
        total += sum(streak_bonus(n) for n in range(1, len(planned) + 1))
    return total


def result(stage: QuizStage, planned: list[PlannedQuestion], answers: list[Answer]) -> QuizResult:
    n = len(planned)
    correct = sum(a.correct for a in answers)
    points = sum(a.total for a in answers)
    best = max_points(stage, planned)
    knowledge = round(100 * correct / n) if n else 0
    efficiency = round(100 * points / best) if best else knowledge
    score = round(KNOWLEDGE_WEIGHT * knowledge + (1 - KNOWLEDGE_WEIGHT) * efficiency)
    return QuizResult(
        answers,
        correct,
        n,
        points,
        best,
        knowledge,
        efficiency,
        score,
        max((a.streak for a in answers), default=0),
        [a.key for a in answers if not a.correct],
    )


class QuizRunner:
    """Drives one quiz run with an injected clock (seconds, monotonic).

    The screen calls `begin()` when a question appears, `time_left()` to draw the countdown,
    and `answer(selection)` or `expire()` when the trainee answers or the time runs out."""

    def __init__(self, stage: QuizStage, planned: list[PlannedQuestion], clock: Clock):
        self.stage = stage
        self.planned = planned
        self.clock = clock
        self.answers: list[Answer] = []
        self._started_at: float | None = None
        self._carried = 0.0  # seconds spent on the current question while its clock was stopped

    @property
    def index(self) -> int:
        return len(self.answers)

    @property
    def finished(self) -> bool:
        return self.index >= len(self.planned)

    @property
    def current(self) -> PlannedQuestion | None:
        return None if self.finished else self.planned[self.index]

    @property
    def streak(self) -> int:
        return self.answers[-1].streak if self.answers else 0

    def begin(self) -> None:
        """The current question is on screen: its clock runs (from where it was paused, if it was)."""
        if self._started_at is None:
            self._started_at = self.clock() - self._carried
            self._carried = 0.0

    def pause(self) -> None:
        """Stop the clock of the current question (a modal covers it, or the level is left)."""
        if self._started_at is not None:
            self._carried = self.clock() - self._started_at
            self._started_at = None

    @property
    def running(self) -> bool:
        return self._started_at is not None

    def carry(self, elapsed: float) -> None:
        """Time already spent on the current question in an earlier sitting (a resumed run)."""
        self._carried = max(0.0, float(elapsed))

    def elapsed(self) -> float:
        if self._started_at is None:
            return self._carried
        return self.clock() - self._started_at

    def time_left(self) -> float:
        current = self.current
        return 0.0 if current is None else max(0.0, current.time_limit - self.elapsed())

    def answer(self, selection: frozenset[str] | set[str] | None) -> Answer:
        current = self.current
        if current is None:
            raise ValueError("the quiz is finished")
        if self._started_at is None:
            self.begin()
        chosen = None if selection is None else frozenset(selection)
        # Times are kept to the millisecond so a stored run re-scores to exactly the same points.
        answer = score_answer(self.stage, current, chosen, round(self.elapsed(), 3), self.streak)
        self.answers.append(answer)
        self._started_at = None
        self._carried = 0.0
        return answer

    def expire(self) -> Answer:
        return self.answer(None)

    def result(self) -> QuizResult:
        return result(self.stage, self.planned, self.answers)


def rescore(
    stage: QuizStage, planned: list[PlannedQuestion], recorded: list[tuple[frozenset[str] | None, float]]
) -> QuizResult:
    """Score recorded (selection, elapsed) pairs again, e.g. to verify a stored run."""
    answers: list[Answer] = []
    for planned_q, (selection, elapsed) in zip(planned, recorded):
        streak = answers[-1].streak if answers else 0
        answers.append(score_answer(stage, planned_q, selection, elapsed, streak))
    return result(stage, planned, answers)


# --------------------------------------------------------------------------------------------
# Quizzes of a catalog: questions drawn from its banks, or rebuilt from a record
# --------------------------------------------------------------------------------------------


def bank_index(catalog: Catalog) -> tuple[dict[str, Question], dict[str, str], dict[str, str]]:
    questions: dict[str, Question] = dict(catalog.questions)
    bank_of: dict[str, str] = {}
    tier_of: dict[str, str] = {}
    for bank in catalog.banks.values():
        for q in bank.questions:
            bank_of[q.id] = bank.bank
            tier_of[q.id] = bank.tier
    return questions, bank_of, tier_of


def plan_quiz(stage: QuizStage, catalog: Catalog, rng: random.Random) -> list[PlannedQuestion]:
    questions, bank_of, tier_of = bank_index(catalog)
    return plan(stage, questions, rng, bank_of, tier_of)


def planned_from_keys(stage: QuizStage, catalog: Catalog, keys: list[str]) -> list[PlannedQuestion]:
    """Rebuild a quiz's questions from recorded keys. Raises KeyError for an unknown key."""
    inline = {q.id or f"inline-{i}": q for i, q in enumerate(stage.questions)}
    planned = []
    for key in keys:
        question = inline.get(key) or catalog.questions[key]
        planned.append(
            PlannedQuestion(
                key,
                question,
                question.time_limit or stage.time_limit,
                question.points if question.points is not None else stage.points,
            )
        )
    return planned
