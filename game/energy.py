"""The collector's own 情绪能量值 (stamina) in a dialogue: the rules, in one place.

A stage tracks it (as the meter `能量`, 0–100) when it declares any of: `energy:` on a node (how
much that line drains: abuse, threats, a long hostile call), `pause:` on a node (a breathing beat
that restores some), `calm: true` / `snappish: true` on a choice, or `能量` among its meters (the
starting value; default full, or what the previous dialogue stage of the level left).

- A calm reply costs `CALM_COST`, or `CALM_COST_LOW` when energy is low; one the collector can no
  longer afford is not offered, so low energy narrows the choices.
- A snappish reply is offered only while energy is low (below `LOW_ENERGY`), and costs nothing.
- A good ending (outcome score at least `GOOD_ENDING_SCORE`) restores `ENDING_RESTORE`.
Energy never scores by itself: it changes what the trainee can say, as fatigue does.
"""

from __future__ import annotations

from .models import Choice, Ending, Node

FULL_ENERGY = 100
LOW_ENERGY = 30
CALM_COST = 5
CALM_COST_LOW = 15
GOOD_ENDING_SCORE = 80
ENDING_RESTORE = 20


def clamp(value: int) -> int:
    return max(0, min(FULL_ENERGY, value))


def is_low(energy: int) -> bool:
    return energy < LOW_ENERGY


def choice_cost(choice: Choice, energy: int) -> int:
    """What taking this reply costs at this energy."""
    if not choice.calm:
        return 0
    return CALM_COST_LOW if is_low(energy) else CALM_COST


def offered(choice: Choice, energy: int) -> bool:
    """Whether fatigue lets the collector say this now."""
    if choice.snappish:
        return is_low(energy)
    if choice.calm:
        return energy >= choice_cost(choice, energy)
    return True


def on_reaching(node: Node, energy: int) -> int:
    """Energy once the other party's line at `node` has been said (drain) or the pause taken."""
    return clamp(energy - node.energy + node.pause)


def after_ending(ending: Ending, energy: int) -> int:
    return clamp(energy + (ENDING_RESTORE if ending.score >= GOOD_ENDING_SCORE else 0))
