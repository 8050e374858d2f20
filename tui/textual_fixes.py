"""Two fixes to Textual for Chinese text, installed once from `tui/__init__.py`.

Toasts are set by `game.typeset` like all other prose (Textual's toast wraps at spaces).

Wide (Chinese) characters stay whole where one widget is drawn over others.

Textual's compositor cuts every screen line at the edges of every widget on it, also under an
overlay (toasts, tooltips). A toast's line is divided at those cuts, and a Chinese character
that straddles one is replaced by two spaces: "没有可挑  的下一关了" (Textual issue #6357,
open as of the pinned 8.2.8). This patch divides a widget's line only at cuts where the widget
does not also win the piece on the other side, or where no wide character straddles the cut;
a skipped piece gets an empty strip so no widget below claims it. Partial updates then draw the
merged piece to its real end.

`install()` is idempotent. Written against Textual
8.2.8 (pinned in pyproject.toml): check it when Textual is upgraded, and drop it once upstream
fixes the issue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textual._cells import cell_len
from textual._compositor import ChopsUpdate, Compositor
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets._toast import Toast

from tui.widgets.prose import Typeset

EMPTY = Strip([], 0)


def _straddled(strip: Strip) -> set[int]:
    """Offsets inside this strip that fall in the middle of a wide character."""
    text = strip.text
    if text.isascii():
        return set()
    inside: set[int] = set()
    position = 0
    for char in text:
        width = cell_len(char)
        if width == 2:
            inside.add(position + 1)
        position += width
    return inside


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips):
            if not is_rendered_line(y):
                continue
            chops_line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            straddled = _straddled(strip)
            kept = final_cuts[:1]
            skipped: list[int] = []
            for cut in final_cuts[1:]:
                wins_both = chops_line.get(kept[-1]) is None and cut in chops_line and chops_line[cut] is None
                if wins_both and (cut - render_x) in straddled:
                    skipped.append(cut)
                else:
                    kept.append(cut)
            pieces = strip.divide([cut - render_x for cut in kept[1:]])
            for cut, piece in zip(kept, pieces):
                if chops_line.get(cut) is None:
                    chops_line[cut] = piece
            for cut in skipped:
                if chops_line.get(cut) is None:
                    chops_line[cut] = EMPTY
    return chops  # type: ignore[return-value]


def _render_partial_update(self: Compositor) -> ChopsUpdate | None:
    update = _original_partial(self)
    if update is None:
        return None
    ends = []
    for line, line_ends in zip(update.chops, update.chop_ends):
        fixed = list(line_ends)
        for index, (x, strip) in enumerate(line.items()):
            if strip is not None and index < len(fixed) and x + strip.cell_length > fixed[index]:
                fixed[index] = x + strip.cell_length
        ends.append(fixed)
    update.chop_ends = ends
    return update


_original_partial: Any = Compositor.render_partial_update
_original_toast_render: Any = Toast.render


def _toast_render(self: Toast) -> Typeset:
    content: Content = _original_toast_render(self)
    return Typeset(content)


def install() -> None:
    if getattr(Compositor, "_collectquest_widechars", False):
        return
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]
    Compositor.render_partial_update = _render_partial_update  # type: ignore[method-assign]
    Toast.render = _toast_render  # type: ignore[method-assign,assignment]
    Compositor._collectquest_widechars = True  # type: ignore[attr-defined]
