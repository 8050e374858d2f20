"""A level being played: the engine session plus who plays it and since when, the messages the
stage screens send up to the app, and the review built from a finished session."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from textual.message import Message

from game import audit, dialogue, quiz
from game.loader import Catalog
from game.models import AuditStage, DialogueStage, Level, QuizStage
from game.session import MODE_NAMES, LevelSession, planned_from_keys
from game.storage import Player

STAGE_KIND_NAMES = {"dialogue": "对话", "quiz": "快问快答", "audit": "质检"}


@dataclass
class LevelRun:
    """One play of one level by one player. The session owns the game state; this only adds
    what the UI needs to save and label it."""

    session: LevelSession
    player: Player
    started: datetime
    catalog: Catalog

    @property
    def level(self) -> Level:
        return self.session.level

    @property
    def mode(self) -> str:
        return self.session.mode

    @property
    def practice(self) -> bool:
        return self.session.mode == "practice"

    @property
    def mode_name(self) -> str:
        return MODE_NAMES[self.session.mode]

    def stage_label(self) -> str:
        """`1/3 对话 · 家庭电话` for the current stage."""
        stage = self.session.stage
        if stage is None:
            return "已完成"
        count = len(self.level.stages)
        label = f"{self.session.stage_index + 1}/{count} {STAGE_KIND_NAMES[stage.kind]}"
        same = stage.title == STAGE_KIND_NAMES[stage.kind]
        return f"{label} · {stage.title}" if stage.title and not same else label

    def snapshot(self) -> dict[str, Any]:
        """What `SaveStore.save_progress` keeps so the level can be resumed."""
        return {
            "level": self.level.id,
            "mode": self.session.mode,
            "seed": self.session.seed,
            "record": copy.deepcopy(self.session.record),
            "started": self.started.isoformat(timespec="seconds"),
        }


    def screen_title(self) -> str:
        """The header line of a stage screen: mode first, so it survives truncation."""
        return f"{self.mode_name} · {self.level.title} · {self.stage_label()}"


class RunProgressed(Message):
    """A stage screen changed the session (a choice, an answer, a submission): save it."""


class StageDone(Message):
    """A stage screen has shown its stage to the end: go on to the next stage or the results."""


# --------------------------------------------------------------------------------------------
# Review of a finished (or partly finished) session
# --------------------------------------------------------------------------------------------


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


def _review_dialogue(review: Review, name: str, stage: DialogueStage, choices: list[int]) -> None:
    state = dialogue.replay(stage, choices)
    for step in state.steps:
        choice = stage.nodes[step.node].choices[step.choice]
        ok = None if step.quality.value == "ok" else step.quality.value == "good"
        ref = choice.violation or choice.ref
        review.items.append(ReviewItem(name, ok, choice.text, choice.feedback, ref))
        if choice.violation or step.quality.value == "bad":
            review.study(ref)


def _answer_text(question: Any, selection: frozenset[str]) -> str:
    labels = dict(question.choice_labels())
    return "、".join(f"{key} {labels[key]}" if key in "ABCDEFGH" else labels.get(key, key)
                    for key in sorted(selection) if key in labels)


def _review_quiz(review: Review, name: str, stage: QuizStage, catalog: Catalog,
                 entry: dict[str, Any], result: quiz.QuizResult | None, session: LevelSession) -> None:
    planned = planned_from_keys(stage, catalog, list(entry["questions"]))
    if result is not None:
        answers = result.answers
    elif session.quiz_runner is not None:
        answers = session.quiz_runner.answers
    else:
        answers = []
    # A quiz in progress has fewer answers than questions: review only what was answered.
    for question, answer in zip(planned, answers, strict=False):
        q = question.question
        right = _answer_text(q, q.correct_set())
        if answer.correct:
            review.items.append(ReviewItem(name, True, q.prompt, q.explanation, q.ref, right))
        else:
            given = "超时未答" if answer.timed_out else f"你选了 {_answer_text(q, answer.selection) or '—'}"
            review.items.append(ReviewItem(name, False, q.prompt, f"{given}。{q.explanation}", q.ref, right))
            review.study(q.ref)


def _review_audit(review: Review, name: str, stage: AuditStage, result: audit.AuditResult) -> None:
    for verdict in result.verdicts:
        line = stage.transcript[verdict.line - 1]
        title = f"第 {verdict.line} 行 {line.speaker}：{line.text}"
        if verdict.kind == "hit":
            review.items.append(ReviewItem(name, True, title, f"命中。{verdict.explanation or ''}", verdict.expected))
        elif verdict.kind == "wrong-rule":
            review.items.append(ReviewItem(name, None, title, f"找到了违规，但规则选错。{verdict.explanation or ''}",
                                           verdict.expected))
            review.study(verdict.expected)
        elif verdict.kind == "miss":
            review.items.append(ReviewItem(name, False, title, f"漏报。{verdict.explanation or ''}", verdict.expected))
            review.study(verdict.expected)
        elif verdict.kind == "false-alarm":
            review.items.append(ReviewItem(name, False, title, "误报：这一句没有违规。", verdict.flagged or None))


def build_review(session: LevelSession, catalog: Catalog) -> Review:
    """Every decision of the session so far, judged, plus the rule cards worth studying."""
    review = Review()
    for index, entry in enumerate(session.record):
        if index >= len(session.level.stages):
            break
        stage = session.level.stages[index]
        result = session.results[index] if index < len(session.results) else None
        name = _stage_name(index, stage)
        if isinstance(stage, DialogueStage):
            _review_dialogue(review, name, stage, [int(i) for i in entry.get("choices", [])])
        elif isinstance(stage, QuizStage):
            _review_quiz(review, name, stage, catalog, entry,
                         result if isinstance(result, quiz.QuizResult) else None, session)
        elif isinstance(stage, AuditStage) and isinstance(result, audit.AuditResult):
            _review_audit(review, name, stage, result)
    # Red lines first: they matter most.
    red = [r for r in review.to_study if r in catalog.rules and catalog.rules[r].red_line]
    review.to_study = red + [r for r in review.to_study if r not in red]
    return review
