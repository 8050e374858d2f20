"""The review of a finished (or partly finished) session: every decision judged, and the rule
cards worth studying. Quiz answers are named by the letters the trainee saw."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import audit, dialogue, quiz
from .catalog import Catalog
from .models import OPTION_LETTERS, STAGE_KIND_NAMES, AuditStage, DialogueStage, QuizStage
from .session import LevelSession, planned_from_keys


@dataclass(frozen=True)
class ReviewItem:
    """One reviewed decision: a dialogue choice, a quiz answer or an audited line."""

    stage: str
    ok: bool | None  # True right, False wrong, None "partly" (ok choice, wrong rule)
    title: str  # what was said / asked / the line
    detail: str  # why: feedback or explanation
    ref: str | None = None
    answer: str = ""  # the correct answer, for wrong quiz answers


@dataclass
class Review:
    items: list[ReviewItem] = field(default_factory=list)
    to_study: list[str] = field(default_factory=list)  # rule / glossary ids, worst first

    def study(self, ref: str | None) -> None:
        if ref and ref not in self.to_study:
            self.to_study.append(ref)


def _stage_name(index: int, stage: DialogueStage | QuizStage | AuditStage) -> str:
    name = STAGE_KIND_NAMES[stage.kind]
    return f"{index + 1}. {stage.title or name}"


def _review_dialogue(
    review: Review, name: str, stage: DialogueStage, choices: list[int], carried_energy: int | None = None
) -> int | None:
    """Review one dialogue; returns the collector's 能量 it left (or the carried value)."""
    state = dialogue.replay(stage, choices, carried_energy)
    for step in state.steps:
        choice = stage.nodes[step.node].choices[step.choice]
        ok = None if step.quality.value == "ok" else step.quality.value == "good"
        ref = choice.violation or choice.ref
        review.items.append(ReviewItem(name, ok, choice.text, choice.feedback, ref))
        if choice.violation or step.quality.value == "bad":
            review.study(ref)
    left = dialogue.energy_of(state)
    return carried_energy if left is None else left


def _answer_text(question: Any, selection: frozenset[str], order: list[str] | None = None) -> str:
    """The selected options as the trainee saw them: displayed letter and text."""
    labels = dict(question.choice_labels())
    shown = order or [key for key, _ in question.choice_labels()]
    parts = []
    for place, key in enumerate(shown):
        if key not in selection or key not in labels:
            continue
        parts.append(f"{OPTION_LETTERS[place]} {labels[key]}" if key in OPTION_LETTERS else labels[key])
    return "、".join(parts)


def _review_quiz(
    review: Review,
    name: str,
    stage: QuizStage,
    catalog: Catalog,
    entry: dict[str, Any],
    result: quiz.QuizResult | None,
    session: LevelSession,
) -> None:
    planned = planned_from_keys(stage, catalog, list(entry["questions"]))
    if result is not None:
        answers = result.answers
    elif session.quiz_runner is not None:
        answers = session.quiz_runner.answers
    else:
        answers = []
    # A quiz in progress has fewer answers than questions: review only what was answered.
    orders = entry.get("orders") or [None] * len(planned)
    for question, answer, order in zip(planned, answers, orders, strict=False):
        q = question.question
        right = _answer_text(q, q.correct_set(), order)
        if answer.correct:
            review.items.append(ReviewItem(name, True, q.prompt, q.explanation, q.ref, right))
        else:
            given = "超时未答" if answer.timed_out else f"你选了 {_answer_text(q, answer.selection, order) or '—'}"
            review.items.append(ReviewItem(name, False, q.prompt, f"{given}。{q.explanation}", q.ref, right))
            review.study(q.ref)


def _review_audit(review: Review, name: str, stage: AuditStage, result: audit.AuditResult) -> None:
    for verdict in result.verdicts:
        line = stage.transcript[verdict.line - 1]
        title = f"第 {verdict.line} 行 {line.speaker}：{line.text}"
        if verdict.kind == "hit":
            review.items.append(ReviewItem(name, True, title, f"命中。{verdict.explanation or ''}", verdict.expected))
        elif verdict.kind == "wrong-rule":
            review.items.append(
                ReviewItem(name, None, title, f"找到了违规，但规则选错。{verdict.explanation or ''}", verdict.expected)
            )
            review.study(verdict.expected)
        elif verdict.kind == "miss":
            review.items.append(ReviewItem(name, False, title, f"漏报。{verdict.explanation or ''}", verdict.expected))
            review.study(verdict.expected)
        elif verdict.kind == "false-alarm":
            review.items.append(ReviewItem(name, False, title, "误报：这一句没有违规。", verdict.flagged or None))


def build_review(session: LevelSession, catalog: Catalog) -> Review:
    """Every decision of the session so far, judged, plus the rule cards worth studying."""
    review = Review()
    carried: int | None = None
    for index, entry in enumerate(session.record):
        if index >= len(session.level.stages):
            break
        stage = session.level.stages[index]
        result = session.results[index] if index < len(session.results) else None
        name = _stage_name(index, stage)
        if isinstance(stage, DialogueStage):
            carried = _review_dialogue(review, name, stage, [int(i) for i in entry.get("choices", [])], carried)
        elif isinstance(stage, QuizStage):
            _review_quiz(
                review, name, stage, catalog, entry, result if isinstance(result, quiz.QuizResult) else None, session
            )
        elif isinstance(stage, AuditStage) and isinstance(result, audit.AuditResult):
            _review_audit(review, name, stage, result)
    # Red lines first: they matter most.
    red = [r for r in review.to_study if r in catalog.rules and catalog.rules[r].red_line]
    review.to_study = red + [r for r in review.to_study if r not in red]
    return review
