"""Reusable widgets of the game screens. Each widget renders engine data it is given; none of
them reads files or changes game state."""

from __future__ import annotations

import importlib
from typing import Any

# Each widget is imported when first named (PEP 562): a screen that needs only Prose does not load
# the level models the case file and rule cards are drawn from (the first screen shows before them).
_HOMES = {
    "DimensionBars": "bars",
    "ScoreBar": "bars",
    "stars_text": "bars",
    "CaseFile": "casefile",
    "Countdown": "countdown",
    "Meter": "meters",
    "MeterPanel": "meters",
    "CardView": "rulecard",
    "RedLinePanel": "rulecard",
    "rule_citation": "rulecard",
    "Transcript": "transcript",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


# Chinese labels for Textual's own bindings and the wide-character compositor fix, installed with
# the widgets (every screen imports them) so the command line does not pay for Textual.
from tui import localize, textual_fixes  # noqa: E402

localize.install()
textual_fixes.install()
