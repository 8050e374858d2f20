"""The conversation as a scrolling transcript: the other party on the left, the trainee on the
right, narration in italics, and (in practice mode) feedback cards under the trainee's lines."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from tui.widgets.prose import Prose

QUALITY_MARKS: dict[str, tuple[str, str, str]] = {
    # quality -> (mark, word, style)
    "good": ("✓", "好", "$success"),
    "ok": ("△", "一般", "$warning"),
    "bad": ("✗", "不当", "$error"),
}


class Line(Prose):
    """One spoken line; its speaker is the border title."""


class Transcript(VerticalScroll):
    """Append-only transcript. The screen adds lines as the engine moves on."""

    DEFAULT_CSS = """
    Transcript { height: 1fr; padding: 0 1; }
    Transcript > .line { width: auto; max-width: 90%; height: auto; padding: 0 1; margin-top: 1; }
    Transcript > .other {
        border: round $accent; border-title-color: $accent; border-title-style: bold;
    }
    Transcript > .trainee {
        border: round $primary; border-title-color: $primary; border-title-style: bold;
        border-title-align: right; background: $primary 10%; margin: 1 0 0 6;
    }
    Transcript > .narration { color: $text-muted; text-style: italic; margin-top: 1; padding: 0 1; }
    Transcript > .feedback { margin: 0 0 0 4; padding: 0 1; height: auto; border-left: outer $panel-lighten-2; }
    """

    can_focus = True

    def add_other(self, speaker: str, text: str) -> Line:
        line = Line(Content(text), classes="line other")
        line.border_title = Content(speaker)
        return self._append(line)

    def add_trainee(self, text: str, number: int | None = None) -> Line:
        line = Line(Content(text), classes="line trainee")
        line.border_title = Content("你" if number is None else f"你 · 选 {number}")
        return self._append(line)

    def add_narration(self, text: str) -> Static:
        return self._append(Prose(Content(f"（{text}）"), classes="narration"))

    def add_feedback(self, content: Content, *, kind: str = "") -> Static:
        return self._append(Prose(content, classes=f"feedback {kind}".strip()))

    def add_widget(self, widget: Widget) -> Widget:
        return self._append(widget)

    def _append(self, widget: Widget) -> Widget:  # type: ignore[override]
        self.mount(widget)
        self.call_after_refresh(self.scroll_end, animate=False)
        return widget
