"""The conversation meters 信任 / 情绪 / 合规: animated bars with the last change written beside
them (▲ +10 / ▼ -5), so a change is visible even without colour."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from tui.widgets.bars import EMPTY, FULL, bar_cells

# Whether a rising meter is good news for the collector: agitation (情绪) rising is bad.
RISING_IS_GOOD: dict[str, bool] = {"信任": True, "情绪": False, "合规": True, "能量": True}

METER_WORDS: dict[str, tuple[str, str, str]] = {
    # low / middle / high, as words beside the number
    "信任": ("戒备", "一般", "信任"),
    "情绪": ("平静", "不耐烦", "激动"),
    "合规": ("危险", "注意", "良好"),
    "能量": ("疲惫", "尚可", "充沛"),  # the collector's own 情绪能量值
}


def meter_word(name: str, value: int) -> str:
    low, mid, high = METER_WORDS.get(name, ("低", "中", "高"))
    return low if value < 35 else mid if value < 70 else high


def meter_style(name: str, value: float) -> str:
    good = value if RISING_IS_GOOD.get(name, True) else 100 - value
    if good >= 65:
        return "$success"
    if good >= 35:
        return "$warning"
    return "$error"


class Meter(Widget):
    """One meter: a title line (name, value, word, last change) and a bar line."""

    DEFAULT_CSS = """
    Meter { height: 2; width: 1fr; }
    """

    value: reactive[int] = reactive(0)
    """The meter's true value (0–100)."""
    shown: reactive[float] = reactive(0.0)
    """The value the bar currently draws; it glides towards `value`."""
    delta: reactive[int] = reactive(0)
    """The last change, written beside the value."""

    def __init__(self, name: str, value: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.meter_name = name
        self.set_reactive(Meter.value, value)
        self.set_reactive(Meter.shown, float(value))

    def set_value(self, value: int) -> None:
        """Move to a new value, animating the bar and remembering the change."""
        self.delta = value - self.value
        self.value = value
        self.animate("shown", float(value), duration=0.6, easing="out_cubic")

    def render(self) -> Content:
        width = self.size.width
        head = Content.assemble((self.meter_name, "bold"), " ", (f"{self.value:>3}", "bold"))
        word = Content.assemble(" ", (meter_word(self.meter_name, self.value), "$text-muted"))
        change = Content("")
        if self.delta:
            up = self.delta > 0
            good = up == RISING_IS_GOOD.get(self.meter_name, True)
            arrow = "▲" if up else "▼"
            change = Content.styled(f" {arrow}{self.delta:+d}", "bold $success" if good else "bold $error")
        # On a narrow panel the change matters more than the word: drop the word first.
        if head.cell_length + word.cell_length + change.cell_length <= width:
            head = head + word
        head = head + change
        filled, empty = bar_cells(self.shown, width)
        bar = Content.assemble(
            (FULL * filled, meter_style(self.meter_name, self.shown)), (EMPTY * empty, "$foreground 25%")
        )
        return Content("\n").join([head, bar])


class MeterPanel(VerticalGroup):
    """All meters of a dialogue stage, fed with the engine's meter values."""

    DEFAULT_CSS = """
    MeterPanel { height: auto; }
    MeterPanel Meter { margin-bottom: 0; }
    """

    def __init__(self, meters: Mapping[str, int], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.initial = dict(meters)

    def compose(self) -> ComposeResult:
        for name, value in self.initial.items():
            yield Meter(name, value, id=f"meter-{list(self.initial).index(name)}")

    def update_meters(self, meters: Mapping[str, int]) -> None:
        for meter in self.query(Meter):
            if meter.meter_name in meters and meters[meter.meter_name] != meter.value:
                meter.set_value(meters[meter.meter_name])
