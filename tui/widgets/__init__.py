"""Reusable widgets of the game screens. Each widget renders engine data it is given; none of
them reads files or changes game state."""

from tui.widgets.bars import DimensionBars, ScoreBar, stars_text
from tui.widgets.casefile import CaseFile
from tui.widgets.countdown import Countdown
from tui.widgets.meters import Meter, MeterPanel
from tui.widgets.rulecard import CardView, RedLinePanel, rule_citation
from tui.widgets.transcript import Transcript

__all__ = [
    "CaseFile",
    "Countdown",
    "DimensionBars",
    "Meter",
    "MeterPanel",
    "RedLinePanel",
    "CardView",
    "ScoreBar",
    "Transcript",
    "rule_citation",
    "stars_text",
]

# Chinese labels for Textual's own bindings and the wide-character compositor fix, installed with
# the widgets (every screen imports them) so the command line does not pay for Textual.
from tui import localize, textual_fixes  # noqa: E402

localize.install()
textual_fixes.install()
