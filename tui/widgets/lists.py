"""Lists of long Chinese lines with a hanging indent: a number or mark on the left and the text
wrapped beside it, so wrapped lines never run back under the number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, VerticalGroup
from textual.content import Content
from textual.events import Resize
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.widgets.prose import Prose, typeset_lines

FALLBACK_WIDTH = 60


def hanging(prefix: Content, body: Content, width: int, extra: list[Content] | None = None) -> Content:
    """`prefix` then `body` wrapped to `width`, later lines indented under the body's first
    character; `extra` lines (already styled) are wrapped and indented the same way."""
    indent = prefix.cell_length
    room = max(8, width - indent)
    lines: list[Content] = []
    for part_index, part in enumerate([body, *(extra or [])]):
        for line_index, line in enumerate(typeset_lines(part, room)):
            lead = prefix if part_index == 0 and line_index == 0 else Content(" " * indent)
            lines.append(lead + line)
    return Content("\n").join(lines)


@dataclass(frozen=True)
class HangingItem:
    prefix: Content
    body: Content
    id: str | None = None
    extra: tuple[Content, ...] = ()
    disabled: bool = False


class HangingOptionList(OptionList):
    """An OptionList whose options are laid out with `hanging` and re-laid out on resize."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[HangingItem] = []

    def set_items(self, items: list[HangingItem]) -> None:
        self.items = list(items)
        self._relayout()

    def _text_width(self) -> int:
        width = self.scrollable_content_region.width
        # Options have one cell of padding each side, and a scrollbar may appear.
        return (width - 3) if width > 10 else FALLBACK_WIDTH

    def _relayout(self) -> None:
        highlighted = self.highlighted
        width = self._text_width()
        self.set_options(
            [
                Option(hanging(item.prefix, item.body, width, list(item.extra)), id=item.id, disabled=item.disabled)
                for item in self.items
            ]
        )
        if highlighted is not None and highlighted < len(self.items):
            self.highlighted = highlighted

    def on_resize(self, event: Resize) -> None:
        if self.items:
            self.call_after_refresh(self._relayout)


class Rows(VerticalGroup):
    """Label/value rows: labels in a column of their own, values wrapped beside them."""

    DEFAULT_CSS = """
    Rows { height: auto; }
    """

    def __init__(
        self, rows: list[tuple[Content, Content]], *, label_width: int | None = None, classes: str | None = None
    ) -> None:
        super().__init__(classes=classes)
        self.rows = rows
        self.label_width = label_width or max((label.cell_length for label, _ in rows), default=0)

    def compose(self) -> ComposeResult:
        for label, value in self.rows:
            row = Bullet(value, label)
            yield row

    def on_mount(self) -> None:
        for mark in self.query(".mark"):
            mark.styles.width = self.label_width + 1


class Bullet(HorizontalGroup):
    """A mark and a wrapped line of text beside it."""

    DEFAULT_CSS = """
    Bullet { height: auto; }
    Bullet > .mark { width: auto; padding-right: 1; }
    Bullet > .text { width: 1fr; }
    """

    def __init__(self, text: Content | str, mark: Content | str = "◆", *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.mark = mark if isinstance(mark, Content) else Content(mark)
        self.text = text if isinstance(text, Content) else Content(text)

    def compose(self) -> ComposeResult:
        yield Prose(self.mark, classes="mark")
        yield Prose(self.text, classes="text")


def select_binding(description: str) -> list[BindingType]:
    """Enter on a list, described for the footer (OptionList's own Enter binding is hidden)."""
    return [Binding("enter", "select", description, key_display="Enter", id="list.select")]


class LevelList(HangingOptionList):
    """The levels on the map."""

    BINDINGS: ClassVar[list[BindingType]] = select_binding("开始")


class ChoiceList(HangingOptionList):
    """What the trainee may say next."""

    BINDINGS: ClassVar[list[BindingType]] = select_binding("说这句")


class AnswerList(HangingOptionList):
    """A quiz question's options."""


class TranscriptLines(HangingOptionList):
    """The lines of an audited call."""

    BINDINGS: ClassVar[list[BindingType]] = select_binding("标记/取消")


class EntryList(HangingOptionList):
    """Handbook entries."""
