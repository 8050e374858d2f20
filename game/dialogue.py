"""The dialogue runner: where the conversation is, what the trainee may say, what it does.

State is an immutable value; `choose` returns the next state. The screens only present it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import conditions, energy
from .models import COMPLIANCE_METER, ENERGY_METER, QUALITY_POINTS, Choice, DialogueStage, Ending, Next, Node, Quality

METER_MIN, METER_MAX = 0, 100


@dataclass(frozen=True)
class Step:
    """One choice made: where, which (index into the node's choices), and what it did."""

    node: str
    choice: int
    quality: Quality
    violation: str | None
    deltas: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class DialogueState:
    at: str  # current node id, or the ending id once finished
    meters: tuple[tuple[str, int], ...]
    flags: frozenset[str] = frozenset()
    steps: tuple[Step, ...] = ()
    ended: bool = False

    @property
    def meter_map(self) -> dict[str, int]:
        return dict(self.meters)

    @property
    def violations(self) -> list[str]:
        return [s.violation for s in self.steps if s.violation]

    @property
    def crossed_red_line(self) -> bool:
        return any(s.violation for s in self.steps)


@dataclass(frozen=True)
class ChoiceOutcome:
    """What the screen shows after a choice: feedback, rule, meter changes, red line."""

    choice: Choice
    deltas: dict[str, int]
    violation: str | None
    ending: Ending | None = None


@dataclass(frozen=True)
class DialogueResult:
    ending_id: str
    ending: Ending
    compliance: int
    communication: int
    outcome: int
    score: int
    violations: list[str] = field(default_factory=list)
    steps: int = 0


def _clamp(value: int) -> int:
    return max(METER_MIN, min(METER_MAX, value))


def start(stage: DialogueStage, carried_energy: int | None = None) -> DialogueState:
    """The state before the first choice. In a stage that tracks the collector's 能量, it starts
    at the stage's own `能量` meter if declared, else at `carried_energy` (what the previous dialogue
    stage left), else full; the first line's drain is already taken."""
    values = stage.initial_meters()
    if stage.uses_energy:
        if ENERGY_METER not in stage.meters:
            values[ENERGY_METER] = energy.FULL_ENERGY if carried_energy is None else carried_energy
        node = stage.nodes.get(stage.start)
        if node is not None:
            values[ENERGY_METER] = energy.on_reaching(node, values[ENERGY_METER])
    meters = tuple((k, _clamp(v)) for k, v in values.items())
    return DialogueState(at=stage.start, meters=meters, ended=stage.start in stage.endings)


def energy_of(state: DialogueState) -> int | None:
    """The collector's 能量 in this state, or None if the stage does not track it."""
    return state.meter_map.get(ENERGY_METER)


def current_node(stage: DialogueStage, state: DialogueState) -> Node | None:
    return None if state.ended else stage.nodes.get(state.at)


def current_ending(stage: DialogueStage, state: DialogueState) -> Ending | None:
    return stage.endings.get(state.at) if state.ended else None


def line_for(node: Node, state: DialogueState) -> str:
    """What the other party says at this node: the first variant whose condition holds."""
    meters = state.meter_map
    for variant in node.variants:
        if conditions.holds(variant.when, meters, state.flags):
            return variant.say
    return node.say


def available_choices(stage: DialogueStage, state: DialogueState) -> list[tuple[int, Choice]]:
    """(index, choice) pairs shown now. If conditions hide every choice, all are shown, so a
    conversation can never get stuck (validate warns about such nodes)."""
    node = current_node(stage, state)
    if node is None:
        return []
    meters = state.meter_map
    shown = [(i, c) for i, c in enumerate(node.choices) if conditions.holds(c.when, meters, state.flags)]
    left = meters.get(ENERGY_METER) if stage.uses_energy else None
    if left is not None:
        # Fatigue narrows what the collector can say; never down to nothing.
        rested = [(i, c) for i, c in shown if energy.offered(c, left)]
        shown = rested or [(i, c) for i, c in shown if not c.snappish] or shown
    return shown or list(enumerate(node.choices))


def resolve_next(target: Next, meters: dict[str, int], flags: frozenset[str]) -> str:
    """The node or ending a `next` leads to now. With routes, the first that holds; if none
    holds, the last route (validate asks for an unconditional last route)."""
    if isinstance(target, str):
        return target
    for route in target:
        if conditions.holds(route.when, meters, flags):
            return route.to
    return target[-1].to


def choose(stage: DialogueStage, state: DialogueState, index: int) -> tuple[DialogueState, ChoiceOutcome]:
    """Apply choice `index` (into the current node's choices). Raises ValueError if it is not
    available now or the dialogue has ended."""
    node = current_node(stage, state)
    if node is None:
        raise ValueError("the dialogue has ended")
    if index not in {i for i, _ in available_choices(stage, state)}:
        raise ValueError(f"choice {index} is not available at node '{state.at}'")
    choice = node.choices[index]
    meters = state.meter_map
    deltas: dict[str, int] = {}
    tracks_energy = stage.uses_energy and ENERGY_METER in meters
    energy_before = meters.get(ENERGY_METER, 0)
    for name, change in choice.effects.items():
        before = meters.get(name, 0)
        meters[name] = _clamp(before + change)
        deltas[name] = meters[name] - before
    if tracks_energy:
        meters[ENERGY_METER] = _clamp(meters[ENERGY_METER] - energy.choice_cost(choice, energy_before))
    if choice.violation:
        # 合规一票否决: a red line empties the compliance meter whatever else happened.
        deltas[COMPLIANCE_METER] = deltas.get(COMPLIANCE_METER, 0) - meters.get(COMPLIANCE_METER, 0)
        meters[COMPLIANCE_METER] = 0
    flags = (state.flags | frozenset(choice.set)) - frozenset(choice.clear)
    target = resolve_next(choice.next, meters, flags)
    if tracks_energy:
        if target in stage.endings:
            meters[ENERGY_METER] = energy.after_ending(stage.endings[target], meters[ENERGY_METER])
        elif target in stage.nodes:
            meters[ENERGY_METER] = energy.on_reaching(stage.nodes[target], meters[ENERGY_METER])
        if meters[ENERGY_METER] != energy_before:
            deltas[ENERGY_METER] = meters[ENERGY_METER] - energy_before
        else:
            deltas.pop(ENERGY_METER, None)
    step = Step(
        state.at, index, Quality.bad if choice.violation else choice.quality, choice.violation, tuple(deltas.items())
    )
    ended = target in stage.endings
    new_state = replace(
        state, at=target, meters=tuple(meters.items()), flags=flags, steps=state.steps + (step,), ended=ended
    )
    ending = stage.endings[target] if ended else None
    return new_state, ChoiceOutcome(choice, deltas, choice.violation, ending)


def result(stage: DialogueStage, state: DialogueState) -> DialogueResult:
    """Score a finished dialogue: 结果 from the ending, 合规 from its meter, 沟通 from the
    average quality of the choices made; the stage score weighs them by `score_weights`."""
    ending = current_ending(stage, state)
    if ending is None:
        raise ValueError("the dialogue has not ended")
    compliance = 0 if state.crossed_red_line else state.meter_map.get(COMPLIANCE_METER, 100)
    qualities = [QUALITY_POINTS[s.quality] for s in state.steps]
    communication = round(sum(qualities) / len(qualities)) if qualities else 0
    w = stage.score_weights
    total_weight = (w.结果 + w.合规 + w.沟通) or 1
    score = round((w.结果 * ending.score + w.合规 * compliance + w.沟通 * communication) / total_weight)
    return DialogueResult(
        state.at, ending, compliance, communication, ending.score, score, state.violations, len(state.steps)
    )


def replay(stage: DialogueStage, choices: list[int], carried_energy: int | None = None) -> DialogueState:
    """Play recorded choice indices from the start. Raises ValueError on an impossible record."""
    state = start(stage, carried_energy)
    for index in choices:
        state, _ = choose(stage, state, index)
    return state
