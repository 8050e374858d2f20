"""The 错题本: review cards made from the mistakes of a finished run, and their spaced schedule.

Two kinds of card:

- `quiz`: a question answered wrongly (or not in time). Bank questions are named by their id;
  a level's own (inline) questions by level, stage and key.
- `dialogue`: a decision point where the trainee took a choice that lost points (its quality was
  below the best open there) or crossed a red line. The card keeps the state at that node — meters,
  flags and what the other party said — so the decision can be replayed even if earlier nodes of
  the level change.

Cards are scheduled with FSRS (the `fsrs` package): the mistake itself counts as an `Again`
review, a right answer in a review drill as `Good`, a wrong one as `Again`. A card answered right
`RETIRE_AFTER` times in a row leaves the 错题本. Every function takes the time as an argument, so
callers (and tests) decide the clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import fsrs

from . import dialogue
from .catalog import Catalog
from .dialogue import DialogueState
from .models import QUALITY_POINTS, Choice, DialogueStage, Level, Question, QuizStage
from .quiz import planned_from_keys, rescore
from .store.records import RunRecord

RETIRE_AFTER = 3
"""Right answers in a row at review after which a card leaves the 错题本."""

CardKind = Literal["quiz", "dialogue"]
KIND_NAMES: dict[str, str] = {"quiz": "题目", "dialogue": "对话"}

_SCHEDULER = fsrs.Scheduler(
    desired_retention=0.9,
    # Learning steps: a fresh mistake comes back within the same sitting, then the next day.
    learning_steps=(timedelta(minutes=10), timedelta(days=1)),
    relearning_steps=(timedelta(minutes=10),),
    maximum_interval=365,
    enable_fuzzing=False,  # the same answers give the same dates (tests, and fairness in a team)
)


def _aware(moment: datetime) -> datetime:
    """FSRS works in UTC; a naive time is taken as local time."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC)


def _numeric_id(card_id: str) -> int:
    # fsrs wants an int id; without one it makes one from the clock (and sleeps to keep it unique).
    return int.from_bytes(hashlib.sha256(card_id.encode()).digest()[:6], "big")


@dataclass(frozen=True)
class Mistake:
    """One mistake found in a run, before it is scheduled."""

    card_id: str
    kind: CardKind
    level_id: str
    run_id: str
    question: str | None = None  # quiz: the question key (bank id or inline key)
    stage: int | None = None  # index of the stage in the level
    node: str | None = None  # dialogue: the node id
    chosen: int | None = None  # dialogue: the choice taken (index in the level file)
    meters: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    said: str = ""  # dialogue: what the other party said at the node
    violation: str | None = None


@dataclass(frozen=True)
class ReviewCard:
    """A scheduled mistake of one player."""

    card_id: str
    player_id: str
    kind: CardKind
    level_id: str
    created: str  # ISO 8601
    due: str  # ISO 8601 (UTC)
    schedule: dict[str, Any]  # fsrs.Card.to_dict()
    question: str | None = None
    stage: int | None = None
    node: str | None = None
    chosen: int | None = None
    meters: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    said: str = ""
    violation: str | None = None
    streak: int = 0  # right answers in a row at review
    reviews: int = 0
    lapses: int = 0  # the mistake made again (in play or at review)
    retired: bool = False
    runs: list[str] = field(default_factory=list)  # runs the mistake was made in (newest last)

    @property
    def due_at(self) -> datetime:
        return datetime.fromisoformat(self.due)

    def is_due(self, now: datetime) -> bool:
        return not self.retired and self.due_at <= _aware(now)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReviewCard:
        """A card from stored data; ValueError if it is not one."""
        try:
            kind = data["kind"]
            if kind not in ("quiz", "dialogue"):
                raise ValueError(f"unknown card kind {kind!r}")
            card = cls(
                card_id=str(data["card_id"]),
                player_id=str(data["player_id"]),
                kind=kind,
                level_id=str(data.get("level_id") or ""),
                created=str(data["created"]),
                due=str(data["due"]),
                schedule=dict(data["schedule"]),
                question=None if data.get("question") is None else str(data["question"]),
                stage=None if data.get("stage") is None else int(data["stage"]),
                node=None if data.get("node") is None else str(data["node"]),
                chosen=None if data.get("chosen") is None else int(data["chosen"]),
                meters={str(k): int(v) for k, v in dict(data.get("meters") or {}).items()},
                flags=[str(f) for f in data.get("flags") or []],
                said=str(data.get("said") or ""),
                violation=None if data.get("violation") is None else str(data["violation"]),
                streak=int(data.get("streak", 0)),
                reviews=int(data.get("reviews", 0)),
                lapses=int(data.get("lapses", 0)),
                retired=bool(data.get("retired", False)),
                runs=[str(r) for r in data.get("runs") or []],
            )
            card.due_at  # noqa: B018 - a due date that does not parse is a broken card
            fsrs.Card.from_dict(card.schedule)  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a review card: {exc}") from None
        return card


# --------------------------------------------------------------------------------------------
# Finding mistakes in a run
# --------------------------------------------------------------------------------------------


def _choice_points(choice: Choice) -> int:
    return QUALITY_POINTS[choice.quality] if not choice.violation else -1


def best_points(stage: DialogueStage, state: DialogueState) -> int:
    """The points of the best choice open at this state (a red line counts below everything)."""
    return max((_choice_points(c) for _, c in dialogue.available_choices(stage, state)), default=0)


def is_right_choice(stage: DialogueStage, state: DialogueState, index: int) -> bool:
    """A choice is right at review when it crosses no red line and is as good as the best open."""
    choice = stage.nodes[state.at].choices[index]
    return not choice.violation and _choice_points(choice) >= best_points(stage, state)


def quiz_card_id(level_id: str, stage_index: int, key: str, catalog: Catalog) -> str:
    # Bank questions are the same card whichever level drew them.
    return f"quiz:{key}" if key in catalog.questions else f"quiz:{level_id}:{stage_index}:{key}"


def _quiz_mistakes(
    level: Level, stage_index: int, stage: QuizStage, entry: dict[str, Any], catalog: Catalog, run_id: str
) -> list[Mistake]:
    planned = planned_from_keys(stage, catalog, [str(k) for k in entry.get("questions", [])])
    recorded = [
        (None if a.get("selection") is None else frozenset(a["selection"]), float(a.get("elapsed", 0.0)))
        for a in entry.get("answers", [])
    ]
    answers = rescore(stage, planned[: len(recorded)], recorded).answers
    return [
        Mistake(quiz_card_id(level.id, stage_index, a.key, catalog), "quiz", level.id, run_id, a.key, stage_index)
        for a in answers
        if not a.correct
    ]


def _dialogue_mistakes(
    level: Level, stage_index: int, stage: DialogueStage, entry: dict[str, Any], run_id: str, carried: int | None
) -> tuple[list[Mistake], int | None]:
    """The mistakes of one dialogue, and the collector's 能量 it left (for the next dialogue)."""
    found: list[Mistake] = []
    state = dialogue.start(stage, carried)
    for raw in entry.get("choices", []):
        index = int(raw)
        node = dialogue.current_node(stage, state)
        if node is None:
            break
        if not is_right_choice(stage, state, index):
            choice = node.choices[index]
            found.append(
                Mistake(
                    f"dialogue:{level.id}:{stage_index}:{state.at}",
                    "dialogue",
                    level.id,
                    run_id,
                    stage=stage_index,
                    node=state.at,
                    chosen=index,
                    meters=state.meter_map,
                    flags=sorted(state.flags),
                    said=dialogue.line_for(node, state),
                    violation=choice.violation,
                )
            )
        state, _ = dialogue.choose(stage, state, index)
    left = dialogue.energy_of(state)
    return found, carried if left is None else left


def mistakes_in_run(run: RunRecord, catalog: Catalog, level: Level | None = None) -> list[Mistake]:
    """Every wrong quiz answer and every dialogue choice that lost points or crossed a red line.
    A run whose level is gone or whose record no longer fits it gives what can still be read."""
    level = level or catalog.levels.get(run.level_id)
    if level is None:
        return []
    found: list[Mistake] = []
    carried: int | None = None
    for stage_index, (stage, entry) in enumerate(zip(level.stages, run.inputs)):
        if entry.get("kind") != stage.kind:
            break
        try:
            if isinstance(stage, QuizStage):
                found += _quiz_mistakes(level, stage_index, stage, entry, catalog, run.run_id)
            elif isinstance(stage, DialogueStage):
                more, carried = _dialogue_mistakes(level, stage_index, stage, entry, run.run_id, carried)
                found += more
        except (KeyError, ValueError, TypeError, IndexError):
            break  # the level changed since the run: keep what was found before
    # One card per decision point or question, even if the run met it twice (a loop).
    return list({m.card_id: m for m in found}.values())


# --------------------------------------------------------------------------------------------
# Scheduling
# --------------------------------------------------------------------------------------------


def _reviewed(schedule: dict[str, Any], rating: fsrs.Rating, now: datetime) -> dict[str, Any]:
    card = fsrs.Card.from_dict(schedule)  # type: ignore[arg-type]
    card, _ = _SCHEDULER.review_card(card, rating, review_datetime=_aware(now))
    return dict(card.to_dict())


def new_card(player_id: str, mistake: Mistake, now: datetime) -> ReviewCard:
    """A card for a first mistake: the mistake counts as a failed review, so it comes back soon."""
    start = fsrs.Card(card_id=_numeric_id(mistake.card_id), due=_aware(now))
    schedule = _reviewed(dict(start.to_dict()), fsrs.Rating.Again, now)
    return ReviewCard(
        card_id=mistake.card_id,
        player_id=player_id,
        kind=mistake.kind,
        level_id=mistake.level_id,
        created=_aware(now).isoformat(timespec="seconds"),
        due=str(schedule["due"]),
        schedule=schedule,
        question=mistake.question,
        stage=mistake.stage,
        node=mistake.node,
        chosen=mistake.chosen,
        meters=dict(mistake.meters),
        flags=list(mistake.flags),
        said=mistake.said,
        violation=mistake.violation,
        lapses=1,
        runs=[mistake.run_id] if mistake.run_id else [],
    )


def mistake_again(card: ReviewCard, mistake: Mistake, now: datetime) -> ReviewCard:
    """The same mistake made again in play: back to the start of the streak (and out of retirement),
    with the state of this latest time."""
    schedule = _reviewed(card.schedule, fsrs.Rating.Again, now)
    runs = card.runs + ([mistake.run_id] if mistake.run_id and mistake.run_id not in card.runs else [])
    return replace(
        card,
        due=str(schedule["due"]),
        schedule=schedule,
        chosen=mistake.chosen,
        meters=dict(mistake.meters) or card.meters,
        flags=list(mistake.flags),
        said=mistake.said or card.said,
        violation=mistake.violation,
        streak=0,
        lapses=card.lapses + 1,
        retired=False,
        runs=runs[-20:],
    )


def answered(card: ReviewCard, right: bool, now: datetime) -> ReviewCard:
    """A review drill answer: right → Good, wrong → Again. Right `RETIRE_AFTER` times in a row
    retires the card."""
    schedule = _reviewed(card.schedule, fsrs.Rating.Good if right else fsrs.Rating.Again, now)
    streak = card.streak + 1 if right else 0
    return replace(
        card,
        due=str(schedule["due"]),
        schedule=schedule,
        streak=streak,
        reviews=card.reviews + 1,
        lapses=card.lapses + (0 if right else 1),
        retired=streak >= RETIRE_AFTER,
    )


# --------------------------------------------------------------------------------------------
# What a card asks
# --------------------------------------------------------------------------------------------


def card_question(card: ReviewCard, catalog: Catalog) -> Question | None:
    """The question of a quiz card, or None if it is gone from the banks and the level."""
    if card.kind != "quiz" or card.question is None:
        return None
    if card.question in catalog.questions:
        return catalog.questions[card.question]
    level = catalog.levels.get(card.level_id)
    if level is None or card.stage is None or card.stage >= len(level.stages):
        return None
    stage = level.stages[card.stage]
    if not isinstance(stage, QuizStage):
        return None
    inline = {q.id or f"inline-{i}": q for i, q in enumerate(stage.questions)}
    return inline.get(card.question)


def card_decision(card: ReviewCard, catalog: Catalog) -> tuple[DialogueStage, DialogueState] | None:
    """The dialogue stage and the state at the card's decision point, or None if the level no
    longer has that node."""
    if card.kind != "dialogue" or card.stage is None or card.node is None:
        return None
    level = catalog.levels.get(card.level_id)
    if level is None or card.stage >= len(level.stages):
        return None
    stage = level.stages[card.stage]
    if not isinstance(stage, DialogueStage) or card.node not in stage.nodes:
        return None
    state = DialogueState(at=card.node, meters=tuple(card.meters.items()), flags=frozenset(card.flags))
    return stage, state


def playable(card: ReviewCard, catalog: Catalog) -> bool:
    return card_question(card, catalog) is not None or card_decision(card, catalog) is not None
