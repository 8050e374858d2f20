"""Pick a decision point of a finished dialogue to play on from (练习回放, game.replay)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList

from game.models import Level
from game.replay import DecisionPoint
from tui.widgets.lists import HangingItem, LevelList
from tui.widgets.prose import Prose

SAID_SHOWN = 40
"""Characters of the other party's line shown per decision point (the full line is replayed)."""


def _short(text: str, limit: int = SAID_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def point_item(number: int, point: DecisionPoint, index: int) -> HangingItem:
    """`3. 对方：……` and below it what the trainee chose, marked when it lost points."""
    mark = Content.styled(f"{number:>2}. ", "bold $accent")
    said = Content.assemble((f"{point.speaker}：", "bold"), _short(point.said))
    verdict = ("  ✗ 失分", "bold $text-error") if point.lost else ("", "")
    chose = Content.assemble(("你选了：", "$text-muted"), (_short(point.chosen), "$text-muted"), verdict)
    return HangingItem(mark, said, id=f"point-{index}", extra=(chose,))


class DecisionPicker(ModalScreen[int | None]):
    """The decision points of one run; Enter plays on from the highlighted one."""

    CSS_PATH = ["dialogs.tcss", "replay.tcss"]  # the dialog card, then this list
    AUTO_FOCUS = "#points"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", key_display="Esc", id="replay.cancel"),
    ]

    def __init__(self, level: Level, points: list[DecisionPoint]) -> None:
        super().__init__()
        self.level = level
        self.points = points

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = f"从决策点重玩 · {self.level.title}"
            yield Prose(
                Content.styled(
                    "选一个决策点，以练习模式从那里接着打：对方的话、各项数值都与当时一样。回放不计成绩、不解锁关卡。",
                    "$text-muted",
                ),
                classes="question",
            )
            yield LevelList(id="points")
        yield Footer()

    def on_mount(self) -> None:
        items = [point_item(number, point, number - 1) for number, point in enumerate(self.points, start=1)]
        self.query_one("#points", LevelList).set_items(items)

    @on(OptionList.OptionSelected, "#points")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self.dismiss(int(event.option_id.removeprefix("point-")))

    def action_cancel(self) -> None:
        self.dismiss(None)
