"""Score bars, dimension bars and star ratings: numbers the player can read at a glance, with the
number always written out so nothing depends on colour alone."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from tui.widgets.prose import Prose

FULL, EMPTY = "█", "░"
HINT_WIDTH = 18  # cells kept for a dimension's hint, so all bars of a column end together

DIMENSION_HINTS: dict[str, str] = {
    "合规": "守住红线与规范",
    "沟通": "每一步选择的质量",
    "结果": "通话的结局",
    "知识": "答题正确率",
    "效率": "答题速度与连对",
}


def stars_text(stars: int, out_of: int = 3) -> str:
    """Stars as ★★☆ (filled and hollow glyphs, readable without colour)."""
    stars = max(0, min(out_of, stars))
    return "★" * stars + "☆" * (out_of - stars)


def bar_cells(value: float, width: int) -> tuple[int, int]:
    """How many cells of a `width`-wide bar a 0–100 value fills."""
    width = max(0, width)
    filled = round(max(0.0, min(100.0, value)) / 100 * width)
    return filled, width - filled


def score_style(value: float) -> str:
    if value >= 80:
        return "$success"
    if value >= 60:
        return "$warning"
    return "$error"


class ScoreBar(Widget):
    """One labelled 0–100 bar: `合规  ████████░░  80`."""

    DEFAULT_CSS = """
    ScoreBar { height: 1; width: 1fr; }
    """

    value: reactive[float] = reactive(0.0)
    """The value shown (0–100)."""

    def __init__(
        self,
        label: str,
        value: float,
        *,
        hint: str = "",
        label_width: int = 6,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.hint = hint
        self.label_width = label_width
        self.set_reactive(ScoreBar.value, float(value))

    def render(self) -> Content:
        number = f"{round(self.value):>3}"
        hint = Content(f"  {self.hint}") if self.hint and self.size.width >= 50 else Content("")
        if hint:
            hint = hint.pad_right(max(0, HINT_WIDTH - hint.cell_length))
        label = Content(self.label)
        if label.cell_length > self.label_width:
            label = label.truncate(self.label_width - 1, ellipsis=True)
        label = label.pad_right(max(0, self.label_width - label.cell_length))
        width = self.size.width - label.cell_length - len(number) - hint.cell_length - 2
        filled, empty = bar_cells(self.value, width)
        return Content.assemble(
            (label.plain, "bold"),
            " ",
            (FULL * filled, score_style(self.value)),
            (EMPTY * empty, "$foreground 30%"),
            " ",
            (number, "bold"),
            (hint.plain, "$text-muted"),
        )


class DimensionBars(Widget):
    """The per-dimension scores of a level result as a column of bars."""

    DEFAULT_CSS = """
    DimensionBars { height: auto; layout: vertical; }
    """

    def __init__(self, dimensions: Mapping[str, int], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.dimensions = dict(dimensions)

    def compose(self) -> ComposeResult:
        if not self.dimensions:
            yield Prose("（本关没有可显示的维度）")
        for name, value in self.dimensions.items():
            yield ScoreBar(name, value, hint=DIMENSION_HINTS.get(name, ""), classes="dimension")
