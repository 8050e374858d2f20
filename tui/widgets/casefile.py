"""The case file (案卷): who the debtor is and what is owed, as the collector sees it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.content import Content
from textual.widgets import Static

from game.models import Case, Level


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
        who += f"({','.join(extras)})"
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


def case_content(case: Case, *, with_history: bool = True) -> Content:
    """The case file as literal text (YAML text is never parsed as markup)."""
    parts: list[Content] = []
    for label, value in case_rows(case):
        parts.append(Content.assemble((f"{label}\u00a0\u00a0", "$text-muted"), (value, "bold")))
    if with_history and case.history:
        parts.append(Content.styled("往来记录", "$text-muted"))
        parts.extend(Content.assemble("· ", item) for item in case.history)
    if with_history and case.notes:
        parts.append(Content.assemble(("备注\u00a0\u00a0", "$text-muted"), case.notes))
    return Content("\n").join(parts)


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
    """

    def __init__(self, level: Level, *, with_history: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.level = level
        self.with_history = with_history
        self.border_title = "案卷"

    def compose(self) -> ComposeResult:
        yield Static(case_content(self.level.case, with_history=self.with_history), classes="case-body")
