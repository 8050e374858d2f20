"""Prose set by the rules of Chinese typesetting. Textual wraps text at spaces, the way English
is set; everything that shows sentences to the trainee goes through here instead, so lines break
where `game.typeset` says (no line starting with `。，？》`, numbers kept with their units, titles
and article numbers kept whole)."""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from game.typeset import wrap_spans


def as_content(text: Content | str) -> Content:
    """Text as Content; a plain string is taken literally (never parsed as markup)."""
    return text if isinstance(text, Content) else Content(text)


def typeset_lines(text: Content | str, width: int) -> list[Content]:
    """`text` broken into lines of at most `width` cells, keeping its styles."""
    content = as_content(text)
    return [content[start:end] for start, end in wrap_spans(content.plain, width)]


class Typeset(Visual):
    """A Visual that lays Content out with `game.typeset` and then draws the lines as they are
    (each already fits, so Textual's own wrapping has nothing left to do)."""

    def __init__(self, text: Content | str) -> None:
        self.content = as_content(text)
        self._cache: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return self.content.plain

    @property
    def plain(self) -> str:
        return self.content.plain

    def set_at(self, width: int) -> Content:
        """The content with a newline at every break for `width` cells."""
        if self._cache is None or self._cache[0] != width:
            self._cache = (width, Content("\n").join(typeset_lines(self.content, width)))
        return self._cache[1]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return min(self.content.get_optimal_width(rules, 0), 8)

    def get_height(self, rules: RulesMap, width: int) -> int:
        pad = rules.get("line_pad", 0) * 2
        return self.set_at(max(1, width - pad)).get_height(rules, width)

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        pad = options.rules.get("line_pad", 0) * 2
        return self.set_at(max(1, width - pad)).render_strips(width, height, style, options)


class Prose(Static):
    """A Static that shows prose set by `game.typeset`, re-set whenever its width changes.
    Strings are shown literally: text from level files never reaches the terminal as markup."""

    def __init__(
        self,
        text: Content | str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(Typeset(text), markup=False, name=name, id=id, classes=classes)

    def update(self, content: object = "", *, layout: bool = True) -> None:
        visual = content if isinstance(content, Visual) else Typeset(as_content(content))  # type: ignore[arg-type]
        super().update(visual, layout=layout)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        visual = self.visual
        text = visual.plain if isinstance(visual, Typeset) else str(visual)
        return selection.extract(text), "\n"
