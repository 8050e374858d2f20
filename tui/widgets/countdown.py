"""The quiz countdown: a bar that shrinks as the seconds run out, with the seconds written out."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from tui.widgets.bars import EMPTY, FULL, bar_cells


class Countdown(Widget):
    """Shows `left` of `limit` seconds. The quiz screen feeds it from the engine's clock."""

    DEFAULT_CSS = """
    Countdown { height: 1; width: 1fr; }
    """

    left: reactive[float] = reactive(0.0)
    """Seconds left."""
    limit: reactive[float] = reactive(1.0)
    """Seconds the question allows."""
    stopped: reactive[bool] = reactive(False)
    """True once the question is answered: the bar freezes."""

    def render(self) -> Content:
        fraction = 0.0 if self.limit <= 0 else max(0.0, min(1.0, self.left / self.limit))
        if fraction > 0.5:
            style, word = "$success", ""
        elif fraction > 0.25:
            style, word = "$warning", ""
        else:
            style, word = "$error", " 快！" if self.left > 0 and not self.stopped else ""
        label = f"剩余 {self.left:4.1f} 秒{word}"
        width = self.size.width - Content(label).cell_length - 2
        filled, empty = bar_cells(100 * fraction, width)
        return Content.assemble(
            (label, f"bold {style}"), "  ", (FULL * filled, style), (EMPTY * empty, "$foreground 25%")
        )
