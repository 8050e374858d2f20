"""One play of one level, stage by stage, and the record that lets it be scored again.

A `LevelSession` holds the runner of the current stage and records every input (dialogue choice
indices, quiz selections with their times, audit flags) as plain JSON-ready data. `rescore`
replays such a record against the level, which is how stored scores are verified.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import audit, dialogue, quiz, shuffle
from .catalog import Catalog
from .models import AuditStage, Choice, DialogueStage, Level, QuizStage
from .quiz import Clock, PlannedQuestion, bank_index, plan_quiz, planned_from_keys
from .scoring import LevelResult, StageResult, combine

MODES = ("practice", "assessment")
MODE_NAMES = {"practice": "练习", "assessment": "考核"}
__all__ = ["LevelSession", "RecordError", "bank_index", "plan_quiz", "planned_from_keys", "rescore"]


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
    carried_energy: int | None = None
    """The collector's 能量 left by the last dialogue stage that tracked it (None: none yet)."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._rng = random.Random(self.seed)
        self._enter_stage()

    @classmethod
    def resume(
        cls,
        level: Level,
        catalog: Catalog,
        mode: str,
        seed: int,
        record: list[dict[str, Any]],
        clock: Clock = lambda: 0.0,
    ) -> LevelSession:
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
                    session.record[-1]["orders"] = session._option_orders(planned)
                    for answer in entry["answers"]:
                        streak = session.quiz_runner.streak
                        selection = None if answer["selection"] is None else frozenset(answer["selection"])
                        scored = quiz.score_answer(
                            stage, planned[session.quiz_runner.index], selection, float(answer["elapsed"]), streak
                        )
                        session.quiz_runner.answers.append(scored)
                        session.record[-1]["answers"].append(
                            {"selection": answer["selection"], "elapsed": float(answer["elapsed"])}
                        )
                    if session.quiz_runner.finished:
                        session.finish_quiz()
                    else:
                        session.quiz_runner.carry(float(entry.get("pending_elapsed") or 0.0))
                else:
                    flags = {int(k): v for k, v in dict(entry.get("flags") or {}).items()}
                    if entry.get("submitted"):
                        session.submit_audit(flags)
                    else:
                        session.draft_audit({k: str(v) for k, v in flags.items() if v})
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
            self.dialogue_state and self.dialogue_state.crossed_red_line
        )

    def _enter_stage(self) -> None:
        self.dialogue_state = None
        self.quiz_runner = None
        stage = self.stage
        if isinstance(stage, DialogueStage):
            self.dialogue_state = dialogue.start(stage, self.carried_energy)
            self.record.append({"kind": "dialogue", "choices": []})
        elif isinstance(stage, QuizStage):
            planned = plan_quiz(stage, self.catalog, self._rng)
            self.quiz_runner = quiz.QuizRunner(stage, planned, self.clock)
            self.record.append(
                {
                    "kind": "quiz",
                    "questions": [p.key for p in planned],
                    "orders": self._option_orders(planned),
                    "answers": [],
                }
            )
        elif isinstance(stage, AuditStage):
            self.record.append({"kind": "audit", "flags": {}})

    def _option_orders(self, planned: list[PlannedQuestion]) -> list[list[str]]:
        return [list(shuffle.option_order(self.seed, self.stage_index, i, p.question)) for i, p in enumerate(planned)]

    def _finish_stage(self, result: StageResult) -> None:
        self.results.append(result)
        self.stage_index += 1
        self._enter_stage()

    # --- dialogue -------------------------------------------------------------------------
    def shown_choices(self) -> list[tuple[int, Choice]]:
        """The choices open now as (index in the level file, choice), in the order shown."""
        stage = self.stage
        if not isinstance(stage, DialogueStage) or self.dialogue_state is None or self.dialogue_state.ended:
            return []
        available = dialogue.available_choices(stage, self.dialogue_state)
        return shuffle.choice_order(self.seed, self.stage_index, len(self.dialogue_state.steps), available)

    def choose(self, index: int) -> dialogue.ChoiceOutcome:
        """Take the choice at `index` in the level file (not its place on screen)."""
        stage = self.stage
        if not isinstance(stage, DialogueStage) or self.dialogue_state is None:
            raise ValueError("the current stage is not a dialogue")
        shown = [i for i, _ in self.shown_choices()]
        self.dialogue_state, outcome = dialogue.choose(stage, self.dialogue_state, index)
        self.record[-1]["choices"].append(index)
        self.record[-1].setdefault("orders", []).append(shown)
        return outcome

    def finish_dialogue(self) -> dialogue.DialogueResult:
        """Call once the dialogue has reached an ending (after showing the ending)."""
        stage = self.stage
        if not isinstance(stage, DialogueStage) or self.dialogue_state is None:
            raise ValueError("the current stage is not a dialogue")
        result = dialogue.result(stage, self.dialogue_state)
        left = dialogue.energy_of(self.dialogue_state)
        if left is not None:
            self.carried_energy = left
        self._finish_stage(result)
        return result

    # --- quiz -----------------------------------------------------------------------------
    def option_order(self) -> tuple[str, ...]:
        """Answer keys of the current question in the order shown (keys A–H follow this order)."""
        runner = self.quiz_runner
        if runner is None or runner.current is None:
            return ()
        return tuple(self.record[-1]["orders"][runner.index])

    def progress(self) -> list[dict[str, Any]]:
        """The record so far, with the time spent on an unanswered question, to save and resume."""
        record = copy.deepcopy(self.record)
        runner = self.quiz_runner
        if runner is not None and not runner.finished and record:
            record[-1]["pending_elapsed"] = round(runner.elapsed(), 3)
        return record

    def answer(self, selection: frozenset[str] | set[str] | None) -> quiz.Answer:
        if self.quiz_runner is None:
            raise ValueError("the current stage is not a quiz")
        answer = self.quiz_runner.answer(selection)
        self.record[-1]["answers"].append(
            {
                "selection": None if answer.timed_out and not answer.selection else sorted(answer.selection),
                "elapsed": round(answer.elapsed, 3),
            }
        )
        return answer

    def finish_quiz(self) -> quiz.QuizResult:
        if self.quiz_runner is None or not self.quiz_runner.finished:
            raise ValueError("the quiz is not finished")
        result = self.quiz_runner.result()
        self._finish_stage(result)
        return result

    # --- audit ----------------------------------------------------------------------------
    def audit_draft(self) -> dict[int, str]:
        """Lines flagged so far in the current audit (kept in the record, so a saved level keeps them)."""
        if not isinstance(self.stage, AuditStage) or self.record[-1].get("submitted"):
            return {}
        return {int(k): str(v) for k, v in dict(self.record[-1].get("flags") or {}).items() if v}

    def draft_audit(self, flags: Mapping[int, str]) -> None:
        """Keep the trainee's flags before submitting; `submit_audit` scores them."""
        if not isinstance(self.stage, AuditStage):
            raise ValueError("the current stage is not an audit")
        self.record[-1]["flags"] = {str(k): v for k, v in sorted(flags.items())}

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


def _check_dialogue_orders(
    stage: DialogueStage, entry: dict[str, Any], seed: int | None, stage_index: int, carried_energy: int | None = None
) -> None:
    """The recorded orders are the ones this seed shows, and every choice was among them.
    Runs recorded before options were shuffled have no orders and are taken as they are."""
    orders = entry.get("orders")
    if orders is None:
        return
    choices = [int(i) for i in entry["choices"]]
    if len(orders) != len(choices):
        raise RecordError("the dialogue record has a choice order per step missing")
    state = dialogue.start(stage, carried_energy)
    for step, (index, shown) in enumerate(zip(choices, orders)):
        available = dialogue.available_choices(stage, state)
        expected = (
            [i for i, _ in shuffle.choice_order(seed, stage_index, step, available)] if seed is not None else None
        )
        if (
            index not in shown
            or sorted(shown) != sorted(i for i, _ in available)
            or (expected is not None and list(shown) != expected)
        ):
            raise RecordError(f"step {step + 1}: the recorded choice order is not the one the game showed")
        state, _ = dialogue.choose(stage, state, index)


def _check_option_orders(
    planned: list[PlannedQuestion], entry: dict[str, Any], seed: int | None, stage_index: int
) -> None:
    orders = entry.get("orders")
    if orders is None:
        return
    for i, (p, shown) in enumerate(zip(planned, orders, strict=True)):
        keys = sorted(k for k, _ in p.question.choice_labels())
        if sorted(shown) != keys or (
            seed is not None and tuple(shown) != shuffle.option_order(seed, stage_index, i, p.question)
        ):
            raise RecordError(f"question {i + 1}: the recorded option order is not the one the game showed")


def rescore(level: Level, catalog: Catalog, record: list[dict[str, Any]], seed: int | None = None) -> LevelResult:
    """Score a recorded run again from its inputs alone; with the run's `seed`, also check that
    the recorded option orders are the ones the game showed."""
    if not isinstance(record, list) or len(record) != len(level.stages):
        raise RecordError(
            f"the record has {len(record) if isinstance(record, list) else '?'} stages; "
            f"level {level.id} has {len(level.stages)}"
        )
    results: list[StageResult] = []
    carried: int | None = None  # the collector's 能量, from one dialogue stage to the next
    try:
        for stage_index, (stage, entry) in enumerate(zip(level.stages, record)):
            if entry.get("kind") != stage.kind:
                raise RecordError(f"stage kind {entry.get('kind')!r} does not match {stage.kind!r}")
            if isinstance(stage, DialogueStage):
                _check_dialogue_orders(stage, entry, seed, stage_index, carried)
                state = dialogue.replay(stage, [int(i) for i in entry["choices"]], carried)
                results.append(dialogue.result(stage, state))
                carried = dialogue.energy_of(state) if dialogue.energy_of(state) is not None else carried
            elif isinstance(stage, QuizStage):
                planned = planned_from_keys(stage, catalog, list(entry["questions"]))
                _check_option_orders(planned, entry, seed, stage_index)
                recorded = [
                    (None if a["selection"] is None else frozenset(a["selection"]), float(a["elapsed"]))
                    for a in entry["answers"]
                ]
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
