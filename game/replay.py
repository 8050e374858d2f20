"""Replay from a decision point: a finished run's dialogue, played on in practice mode from any
choice the trainee made, with the state the run had there (meters, flags, the collector's 能量,
and every earlier stage as it was played).

The session is rebuilt from the run's own record cut at that point (`LevelSession.resume`), so
the replay starts exactly where the trainee stood. A replay is never recorded: it unlocks nothing
and counts for no best, board or 错题本 (the app only plays it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from . import dialogue
from .catalog import Catalog
from .mistakes import is_right_choice
from .models import DialogueStage, Level
from .quiz import Clock
from .session import LevelSession


@dataclass(frozen=True)
class DecisionPoint:
    """One choice of a recorded dialogue, with what was on screen when it was made."""

    stage: int  # index of the dialogue stage in the level
    step: int  # choices made in this dialogue before this one
    node: str
    speaker: str
    said: str  # what the other party said there
    chosen: str  # the text of the choice the trainee took
    meters: dict[str, int] = field(default_factory=dict)
    lost: bool = False  # the choice lost points (below the best open there) or crossed a red line


def decision_points(level: Level, record: list[dict[str, Any]]) -> list[DecisionPoint]:
    """Every decision point of the run's dialogues, in the order they were met. A record that no
    longer fits the level (the level changed) gives the points before the misfit."""
    points: list[DecisionPoint] = []
    carried: int | None = None
    for stage_index, (stage, entry) in enumerate(zip(level.stages, record)):
        if entry.get("kind") != stage.kind:
            break
        if not isinstance(stage, DialogueStage):
            continue
        state = dialogue.start(stage, carried)
        try:
            for step, raw in enumerate(entry.get("choices", [])):
                node = dialogue.current_node(stage, state)
                index = int(raw)
                if node is None or not 0 <= index < len(node.choices):
                    break
                points.append(
                    DecisionPoint(
                        stage=stage_index,
                        step=step,
                        node=state.at,
                        speaker=node.speaker or level.case.debtor,
                        said=dialogue.line_for(node, state),
                        chosen=node.choices[index].text,
                        meters=state.meter_map,
                        lost=not is_right_choice(stage, state, index),
                    )
                )
                state, _ = dialogue.choose(stage, state, index)
        except (KeyError, ValueError, TypeError):
            break
        left = dialogue.energy_of(state)
        carried = carried if left is None else left
    return points


def replay_session(
    level: Level, catalog: Catalog, seed: int, record: list[dict[str, Any]], point: DecisionPoint, clock: Clock
) -> LevelSession:
    """A practice session standing at `point`: the record up to it replayed, the choice there open.
    Raises session.RecordError if the record does not fit the level."""
    prefix = copy.deepcopy(record[: point.stage])
    prefix.append({"kind": "dialogue", "choices": list(record[point.stage].get("choices", []))[: point.step]})
    return LevelSession.resume(level, catalog, "practice", seed, prefix, clock)
