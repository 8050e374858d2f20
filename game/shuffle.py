"""The order options are shown in: drawn per run from the run's seed, so no answer is found by
its place, and the same seed always gives the same order (a resumed or re-scored run sees what
the trainee saw).

A trainer may pin an option where order carries meaning: `pin: first` / `pin: last` on a dialogue
choice, `pin: {D: last}` on a quiz question. Unpinned options are shuffled among the rest.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from .models import Choice, Question

T = TypeVar("T")


def _rng(seed: int, *where: object) -> random.Random:
    # A string seed is hashed with SHA-512 by `random`, so orders are stable across processes.
    return random.Random("|".join(str(part) for part in (seed, *where)))


def arrange(items: Sequence[T], pins: Sequence[str | None], rng: random.Random) -> list[T]:
    """`items` shuffled, those pinned `first` / `last` kept at the front / back in their own order."""
    first = [item for item, pin in zip(items, pins) if pin == "first"]
    last = [item for item, pin in zip(items, pins) if pin == "last"]
    middle = [item for item, pin in zip(items, pins) if pin not in ("first", "last")]
    rng.shuffle(middle)
    return first + middle + last


def choice_order(
    seed: int, stage_index: int, step: int, available: Sequence[tuple[int, Choice]]
) -> list[tuple[int, Choice]]:
    """The choices of a dialogue's `step`-th decision, in the order they are shown."""
    rng = _rng(seed, "dialogue", stage_index, step)
    return arrange(list(available), [choice.pin for _, choice in available], rng)


def option_order(seed: int, stage_index: int, position: int, question: Question) -> tuple[str, ...]:
    """The answer keys of a question (option letters; 对/错 for true/false) in the order shown.

    True/false keeps 对 before 错: two fixed words carry no cue."""
    keys = [key for key, _ in question.choice_labels()]
    if question.type == "truefalse":
        return tuple(keys)
    rng = _rng(seed, "quiz", stage_index, position)
    return tuple(arrange(keys, [question.pin.get(key) for key in keys], rng))
