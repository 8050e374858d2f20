"""One play of one level, stage by stage, and the record that lets it be scored again.

A `LevelSession` holds the runner of the current stage and records every input (dialogue choice
indices, quiz selections with their times, audit flags) as plain JSON-ready data. `rescore`
replays such a record against the level, which is how stored scores are verified.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import audit, dialogue, quiz
from .loader import Catalog
from .models import AuditStage, DialogueStage, Level, Question, QuizStage
from .quiz import Clock, PlannedQuestion
from .scoring import LevelResult, StageResult, combine

MODES = ("practice", "assessment")
MODE_NAMES = {"practice": "练习", "assessment": "考核"}


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
    return quiz.plan(stage, questions, rng, bank_of, tier_of)


def planned_from_keys(stage: QuizStage, catalog: Catalog, keys: list[str]) -> list[PlannedQuestion]:
    """Rebuild a quiz's questions from recorded keys. Raises KeyError for an unknown key."""
    inline = {q.id or f"inline-{i}": q for i, q in enumerate(stage.questions)}
    planned = []
    for key in keys:
        question = inline.get(key) or catalog.questions[key]
        planned.append(PlannedQuestion(key, question, question.time_limit or stage.time_limit,
                                       question.points if question.points is not None else stage.points))
    return planned


@dataclass
class LevelSession:
    level: Level
    catalog: Catalog
    mode: str = "practice"
    clock: Clock = field(default=lambda: 0.0)
    seed: int = 0
    stage_index: int = 0
    results: list[StageResult] = field(default_factory=list)
    record: list[dict[str, Any]] = field(default_factory=list)
    dialogue_state: dialogue.DialogueState | None = None
    quiz_runner: quiz.QuizRunner | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._rng = random.Random(self.seed)
        self._enter_stage()

    @classmethod
    def resume(cls, level: Level, catalog: Catalog, mode: str, seed: int, record: list[dict[str, Any]],
               clock: Clock = lambda: 0.0) -> LevelSession:
        """Rebuild a session from a partial `record` (a level saved mid-play), ready to go on
        where it stopped. Raises RecordError if the record does not fit the level."""
        session = cls(level, catalog, mode=mode, clock=clock, seed=seed)
        try:
            for entry in record:
                stage = session.stage
                if stage is None or entry.get("kind") != stage.kind:
                    raise RecordError("the saved progress does not match the level")
                if isinstance(stage, DialogueStage):
                    for index in entry["choices"]:
                        session.choose(int(index))
                    if session.dialogue_state is not None and session.dialogue_state.ended:
                        session.finish_dialogue()
                elif isinstance(stage, QuizStage):
                    planned = planned_from_keys(stage, catalog, list(entry["questions"]))
                    session.quiz_runner = quiz.QuizRunner(stage, planned, clock)
                    session.record[-1]["questions"] = [p.key for p in planned]
                    for answer in entry["answers"]:
                        streak = session.quiz_runner.streak
                        selection = None if answer["selection"] is None else frozenset(answer["selection"])
                        scored = quiz.score_answer(stage, planned[session.quiz_runner.index], selection,
                                                   float(answer["elapsed"]), streak)
                        session.quiz_runner.answers.append(scored)
                        session.record[-1]["answers"].append(
                            {"selection": answer["selection"], "elapsed": float(answer["elapsed"])})
                    if session.quiz_runner.finished:
                        session.finish_quiz()
                else:
                    if entry.get("submitted"):
                        session.submit_audit({int(k): v for k, v in dict(entry["flags"]).items()})
        except RecordError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise RecordError(f"cannot resume the saved progress: {exc}") from None
        return session

    # --- where we are -------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.stage_index >= len(self.level.stages)

    @property
    def stage(self) -> DialogueStage | QuizStage | AuditStage | None:
        return None if self.finished else self.level.stages[self.stage_index]

    @property
    def crossed_red_line(self) -> bool:
        return any(isinstance(r, dialogue.DialogueResult) and r.violations for r in self.results) or bool(
            self.dialogue_state and self.dialogue_state.crossed_red_line)

    def _enter_stage(self) -> None:
        self.dialogue_state = None
        self.quiz_runner = None
        stage = self.stage
        if isinstance(stage, DialogueStage):
            self.dialogue_state = dialogue.start(stage)
            self.record.append({"kind": "dialogue", "choices": []})
        elif isinstance(stage, QuizStage):
            planned = plan_quiz(stage, self.catalog, self._rng)
            self.quiz_runner = quiz.QuizRunner(stage, planned, self.clock)
            self.record.append({"kind": "quiz", "questions": [p.key for p in planned], "answers": []})
        elif isinstance(stage, AuditStage):
            self.record.append({"kind": "audit", "flags": {}})

    def _finish_stage(self, result: StageResult) -> None:
        self.results.append(result)
        self.stage_index += 1
        self._enter_stage()

    # --- dialogue -------------------------------------------------------------------------
    def choose(self, index: int) -> dialogue.ChoiceOutcome:
        stage = self.stage
        if not isinstance(stage, DialogueStage) or self.dialogue_state is None:
            raise ValueError("the current stage is not a dialogue")
        self.dialogue_state, outcome = dialogue.choose(stage, self.dialogue_state, index)
        self.record[-1]["choices"].append(index)
        return outcome

    def finish_dialogue(self) -> dialogue.DialogueResult:
        """Call once the dialogue has reached an ending (after showing the ending)."""
        stage = self.stage
        if not isinstance(stage, DialogueStage) or self.dialogue_state is None:
            raise ValueError("the current stage is not a dialogue")
        result = dialogue.result(stage, self.dialogue_state)
        self._finish_stage(result)
        return result

    # --- quiz -----------------------------------------------------------------------------
    def answer(self, selection: frozenset[str] | set[str] | None) -> quiz.Answer:
        if self.quiz_runner is None:
            raise ValueError("the current stage is not a quiz")
        answer = self.quiz_runner.answer(selection)
        self.record[-1]["answers"].append(
            {"selection": None if answer.timed_out and not answer.selection else sorted(answer.selection),
             "elapsed": round(answer.elapsed, 3)})
        return answer

    def finish_quiz(self) -> quiz.QuizResult:
        if self.quiz_runner is None or not self.quiz_runner.finished:
            raise ValueError("the quiz is not finished")
        result = self.quiz_runner.result()
        self._finish_stage(result)
        return result

    # --- audit ----------------------------------------------------------------------------
    def submit_audit(self, flags: Mapping[int, str | None]) -> audit.AuditResult:
        stage = self.stage
        if not isinstance(stage, AuditStage):
            raise ValueError("the current stage is not an audit")
        result = audit.score(stage, flags)
        self.record[-1]["flags"] = {str(k): v for k, v in sorted(flags.items())}
        self.record[-1]["submitted"] = True
        self._finish_stage(result)
        return result

    # --- end ------------------------------------------------------------------------------
    def result(self) -> LevelResult:
        if not self.finished:
            raise ValueError("the level is not finished")
        return combine(self.level, self.results)


class RecordError(ValueError):
    """A stored run that cannot be replayed against the level (edited or from another version)."""


def rescore(level: Level, catalog: Catalog, record: list[dict[str, Any]]) -> LevelResult:
    """Score a recorded run again from its inputs alone."""
    if not isinstance(record, list) or len(record) != len(level.stages):
        raise RecordError(f"the record has {len(record) if isinstance(record, list) else '?'} stages; "
                          f"level {level.id} has {len(level.stages)}")
    results: list[StageResult] = []
    try:
        for stage, entry in zip(level.stages, record):
            if entry.get("kind") != stage.kind:
                raise RecordError(f"stage kind {entry.get('kind')!r} does not match {stage.kind!r}")
            if isinstance(stage, DialogueStage):
                state = dialogue.replay(stage, [int(i) for i in entry["choices"]])
                results.append(dialogue.result(stage, state))
            elif isinstance(stage, QuizStage):
                planned = planned_from_keys(stage, catalog, list(entry["questions"]))
                recorded = [(None if a["selection"] is None else frozenset(a["selection"]), float(a["elapsed"]))
                            for a in entry["answers"]]
                if len(recorded) != len(planned):
                    raise RecordError("the quiz record does not answer every question")
                results.append(quiz.rescore(stage, planned, recorded))
            else:
                flags = {int(k): v for k, v in dict(entry["flags"]).items()}
                results.append(audit.score(stage, flags))
    except RecordError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RecordError(f"cannot replay the record: {exc}") from None
    return combine(level, results)
