"""The case file (案卷): who the debtor is and what is owed, as the collector sees it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.content import Content

from game.models import Case, Level
from tui.widgets.lists import Bullet, Rows
from tui.widgets.prose import Prose


def money(amount: float) -> str:
    """Yuan with thousands separators; whole amounts without decimals."""
    if float(amount).is_integer():
        return f"¥{int(amount):,}"
    return f"¥{amount:,.2f}"


def case_rows(case: Case) -> list[tuple[str, str]]:
    """(label, value) pairs of the case file, in reading order."""
    who = case.debtor
    extras = [x for x in (case.gender, f"{case.age} 岁" if case.age else None) if x]
    if extras:
        who += f"（{'，'.join(extras)}）"
    rows = [
        ("客户", who),
        ("类型", case.persona),
        ("产品", case.product),
        ("逾期金额", money(case.amount)),
        ("逾期天数", f"{case.days_overdue} 天 · {case.effective_bucket}"),
    ]
    if case.phone:
        rows.append(("电话", case.phone))
    return rows


class CaseFile(VerticalGroup):
    """A bordered case-file card for a level."""

    DEFAULT_CSS = """
    CaseFile {
        border: round $secondary;
        border-title-color: $secondary;
        border-title-style: bold;
        padding: 0 1;
        height: auto;
    }
    CaseFile .case-history-title { margin-top: 1; }
    """

    def __init__(
        self, level: Level, *, with_history: bool = True, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.level = level
        self.with_history = with_history
        self.border_title = "案卷"

    def compose(self) -> ComposeResult:
        case = self.level.case
        rows = [
            (Content.styled(label, "$text-muted"), Content.styled(value, "bold")) for label, value in case_rows(case)
        ]
        if self.with_history and case.notes:
            rows.append((Content.styled("备注", "$text-muted"), Content(case.notes)))
        yield Rows(rows, label_width=8)
        if self.with_history and case.history:
            yield Prose(Content.styled("往来记录", "$text-muted"), classes="case-history-title")
            for item in case.history:
                yield Bullet(item, "·")
