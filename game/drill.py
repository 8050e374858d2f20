"""A review drill: a short timed run through the 错题本 cards that are due.

A quiz card asks its question again with the options in a fresh shuffled order; a dialogue card
replays its decision point (what the other party said, the meters) with the choices that were
open there, shuffled. Each answer is judged here and turned into the card's next review
(`mistakes.answered`: right → Good, wrong or too late → Again). The screen only presents it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from . import dialogue, mistakes, quiz, shuffle
from .catalog import Catalog
from .dialogue import DialogueState
from .mistakes import ReviewCard
from .models import DialogueStage, Question
from .quiz import Clock

DRILL_SIZE = 5
"""Cards in one drill: a review is short, so it is done between two calls."""
QUIZ_SECONDS = 30.0  # a question without its own time limit
DIALOGUE_SECONDS = 45.0  # reading the line and the meters takes longer than a quiz question


@dataclass(frozen=True)
class DrillItem:
    """One card as it is asked: the options in the order shown, as (key, text)."""

    card: ReviewCard
    options: list[tuple[str, str]]
    time_limit: float
    multiple: bool = False
    question: Question | None = None
    stage: DialogueStage | None = None
    state: DialogueState | None = None
    in_book: bool = True
    """A 错题本 card; False for a practice question added by adaptive practice (kept only if missed)."""

    @property
    def speaker(self) -> str:
        if self.stage is None or self.state is None:
            return ""
        node = self.stage.nodes[self.state.at]
        return node.speaker or ""

    @property
    def line(self) -> str:
        """What the other party says at the decision point (as it was said then)."""
        if self.stage is None or self.state is None:
            return ""
        return self.card.said or dialogue.line_for(self.stage.nodes[self.state.at], self.state)

    @property
    def narration(self) -> str | None:
        if self.stage is None or self.state is None:
            return None
        return self.stage.nodes[self.state.at].narration


@dataclass(frozen=True)
class DrillAnswer:
    card: ReviewCard  # the card after this review
    right: bool
    timed_out: bool
    correct_keys: frozenset[str]
    explanation: str  # why: the question's explanation, or the choice's feedback
    ref: str | None = None


@dataclass
class Drill:
    """The cards of one drill, asked in order against an injected clock."""

    items: list[DrillItem]
    clock: Clock
    answers: list[DrillAnswer] = field(default_factory=list)
    _started: float | None = None
    _carried: float = 0.0  # seconds spent on the current card while its clock was stopped

    @property
    def index(self) -> int:
        return len(self.answers)

    @property
    def finished(self) -> bool:
        return self.index >= len(self.items)

    @property
    def current(self) -> DrillItem | None:
        return None if self.finished else self.items[self.index]

    def begin(self) -> None:
        """The current card is on screen: its clock runs (from where it was paused)."""
        if self._started is None:
            self._started = self.clock() - self._carried
            self._carried = 0.0

    def pause(self) -> None:
        """Stop the current card's clock (help or another screen covers it)."""
        if self._started is not None:
            self._carried = self.clock() - self._started
            self._started = None

    def elapsed(self) -> float:
        return self._carried if self._started is None else self.clock() - self._started

    def time_left(self) -> float:
        item = self.current
        return 0.0 if item is None else max(0.0, item.time_limit - self.elapsed())

    def answer(self, selection: frozenset[str] | None, now: datetime) -> DrillAnswer:
        """Judge the answer (None: time ran out) and schedule the card's next review."""
        item = self.current
        if item is None:
            raise ValueError("the drill is finished")
        self.begin()
        timed_out = selection is None or self.elapsed() > item.time_limit
        chosen = frozenset() if selection is None else selection
        ref: str | None
        if item.question is not None:
            right = not timed_out and quiz.is_correct(item.question, chosen)
            correct = item.question.correct_set()
            explanation, ref = item.question.explanation, item.question.ref
        else:
            assert item.stage is not None and item.state is not None
            node = item.stage.nodes[item.state.at]
            correct = frozenset(
                key for key, _ in item.options if mistakes.is_right_choice(item.stage, item.state, int(key))
            )
            right = not timed_out and len(chosen) == 1 and next(iter(chosen)) in correct
            picked = node.choices[int(next(iter(chosen)))] if len(chosen) == 1 else None
            best = node.choices[int(min(correct))] if correct else None
            shown = picked if picked is not None and not timed_out else best
            explanation = shown.feedback if shown is not None else ""
            ref = (shown.violation or shown.ref) if shown is not None else None
        result = DrillAnswer(mistakes.answered(item.card, right, now), right, timed_out, correct, explanation, ref)
        self.answers.append(result)
        self._started = None
        self._carried = 0.0
        return result

    @property
    def right(self) -> int:
        return sum(a.right for a in self.answers)

    @property
    def retired(self) -> int:
        return sum(a.card.retired for a in self.answers)


def _rng(seed: int, card: ReviewCard) -> random.Random:
    return random.Random(f"review|{seed}|{card.card_id}|{card.reviews}")


def drill_item(card: ReviewCard, catalog: Catalog, seed: int) -> DrillItem | None:
    """How a card is asked now, or None if its question or decision point is gone."""
    question = mistakes.card_question(card, catalog)
    if question is not None:
        keys = [key for key, _ in question.choice_labels()]
        if question.type != "truefalse":
            keys = shuffle.arrange(keys, [question.pin.get(k) for k in keys], _rng(seed, card))
        texts = dict(question.choice_labels())
        return DrillItem(
            card,
            [(k, texts[k]) for k in keys],
            question.time_limit or QUIZ_SECONDS,
            multiple=question.type == "multiple",
            question=question,
        )
    decision = mistakes.card_decision(card, catalog)
    if decision is None:
        return None
    stage, state = decision
    available = dialogue.available_choices(stage, state)
    ordered = shuffle.arrange(available, [c.pin for _, c in available], _rng(seed, card))
    return DrillItem(card, [(str(i), c.text) for i, c in ordered], DIALOGUE_SECONDS, stage=stage, state=state)


def build_drill(cards: list[ReviewCard], catalog: Catalog, clock: Clock, seed: int, size: int = DRILL_SIZE) -> Drill:
    """A drill of the first `size` cards that can still be asked (pass them soonest due first)."""
    items: list[DrillItem] = []
    for card in cards:
        item = drill_item(card, catalog, seed)
        if item is not None:
            items.append(item)
        if len(items) >= size:
            break
    return Drill(items, clock)
