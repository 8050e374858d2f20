"""Modal dialogs: confirm, leave a level, resume a level, pick a rule, look at the case file."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, OptionList

from game.catalog import Catalog
from game.models import Level
from tui.widgets.casefile import CaseFile
from tui.widgets.lists import Bullet, HangingItem, HangingOptionList, select_binding
from tui.widgets.prose import Prose
from tui.widgets.rulecard import rule_citation


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question. y / Enter confirm, n / Esc cancel."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "确定", key_display="y", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "取消", key_display="n/Esc", id="dialog.no"),
    ]

    def __init__(self, question: str, *, yes: str = "确定", no: str = "取消", title: str = "请确认") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.dialog_title
            yield Prose(Content(self.question), classes="question")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                yield Button(f"{self.no} (n)", id="no")
        yield Footer()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


def answer_bindings(answers: list[tuple[str, str, str]]) -> list[BindingType]:
    """One footer binding per answer, plus Esc."""
    keys: list[BindingType] = [
        Binding(key, f"pick('{value}')", label, id=f"dialog.{value}") for value, key, label in answers
    ]
    return keys + [Binding("escape", "cancel", "取消", key_display="Esc", id="dialog.cancel")]


class ChoiceDialog(ModalScreen[str]):
    """A question with a few named answers, each on its own key (subclasses name them)."""

    CSS_PATH = "dialogs.tcss"
    ANSWERS: ClassVar[list[tuple[str, str, str]]] = []
    """(value, key, label) of each answer; the first is the default button."""
    CANCEL: ClassVar[str] = ""
    """What Esc returns."""

    def __init__(self, title: str, message: Content) -> None:
        super().__init__()
        self.dialog_title = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.dialog_title
            yield Prose(self.message, classes="question")
            with Horizontal(classes="buttons"):
                for index, (value, key, label) in enumerate(self.ANSWERS):
                    yield Button(
                        f"{label} ({key})", id=f"answer-{value}", variant="primary" if index == 0 else "default"
                    )
        yield Footer()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("answer-"):
            self.dismiss(event.button.id.removeprefix("answer-"))

    def action_pick(self, value: str) -> None:
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(self.CANCEL)


class LeaveLevelDialog(ChoiceDialog):
    """Esc during a level: keep playing, leave and resume later, or give up."""

    ANSWERS: ClassVar[list[tuple[str, str, str]]] = [
        ("stay", "c", "继续作答"),
        ("save", "s", "保存并返回地图"),
        ("abandon", "x", "放弃本关"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = answer_bindings(ANSWERS)
    CANCEL = "stay"

    def __init__(self, level: Level) -> None:
        super().__init__(
            "离开本关？",
            Content.assemble(
                "「", level.title, "」还没有完成。\n进度已自动保存，可以稍后从地图继续；也可以放弃本次挑战。"
            ),
        )


class ResumeDialog(ChoiceDialog):
    """A level was left unfinished: resume it, drop it, or decide later."""

    ANSWERS: ClassVar[list[tuple[str, str, str]]] = [
        ("resume", "r", "继续上次"),
        ("abandon", "x", "放弃进度"),
        ("later", "l", "稍后再说"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = answer_bindings(ANSWERS)
    CANCEL = "later"

    def __init__(self, level: Level, mode_name: str, where: str) -> None:
        super().__init__(
            "有未完成的关卡", Content.assemble("上次的「", level.title, f"」（{mode_name}）还没有打完，停在{where}。")
        )


RULE_KEYS = "123456789abcdefghijklmnopqrstuvwxyz"


def rule_key(number: int) -> str:
    """The key that picks the `number`th rule (1-based) in the rule picker."""
    return RULE_KEYS[number - 1] if 1 <= number <= len(RULE_KEYS) else " "


class RuleList(HangingOptionList):
    """The rules offered for a flagged line."""

    BINDINGS: ClassVar[list[BindingType]] = select_binding("选定")


class RulePicker(ModalScreen[str | None]):
    """Pick the rule a flagged transcript line breaks."""

    CSS_PATH = "dialogs.tcss"
    # Rules 1–9 on the digits, then on letters: every rule of a long list has its own key.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pick(1)", "选第几条", key_display="1-9 a-z", id="dialog.pick-1"),
        *(
            Binding(key, f"pick({n})", show=False, id=f"dialog.pick-{n}")
            for n, key in enumerate(RULE_KEYS, start=1)
            if n > 1
        ),
        Binding("escape", "cancel", "取消", key_display="Esc", id="dialog.cancel"),
    ]

    def __init__(
        self, catalog: Catalog | None, rule_ids: list[str], line_text: str, current: str | None = None
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.rule_ids = rule_ids
        self.line_text = line_text
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker") as box:
            box.border_title = "这句话违反了哪条规则？"
            yield Prose(
                Content.assemble(("「", "$text-muted"), self.line_text, ("」", "$text-muted")), classes="question"
            )
            yield RuleList(id="rules")
        yield Footer()

    def _items(self) -> list[HangingItem]:
        items = []
        for number, rule_id in enumerate(self.rule_ids, start=1):
            rule = self.catalog.rules.get(rule_id) if self.catalog else None
            prefix = Content.styled(f"{rule_key(number)}. ", "bold")
            if rule is None:
                items.append(HangingItem(prefix, Content(rule_id), id=rule_id))
                continue
            title = Content.assemble((rule.title, "bold"), ("  ✖红线" if rule.red_line else "", "$text-error"))
            citation = Content.styled(rule_citation(rule), "$text-muted")
            items.append(HangingItem(prefix, title, id=rule_id, extra=(citation,)))
        return items

    def on_mount(self) -> None:
        rules = self.query_one("#rules", RuleList)
        rules.set_items(self._items())
        if self.current in self.rule_ids:
            rules.highlighted = self.rule_ids.index(self.current)
        else:
            rules.highlighted = 0
        rules.focus()

    @on(OptionList.OptionSelected, "#rules")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.rule_ids):
            self.dismiss(self.rule_ids[number - 1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class CaseFileDialog(ModalScreen[None]):
    """The case file, full size, over whatever is on screen."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,c,enter", "close", "关闭", key_display="Esc", id="dialog.close"),
    ]

    def __init__(self, level: Level) -> None:
        super().__init__()
        self.level = level

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog casefile-dialog"):
            yield CaseFile(self.level)
            if self.level.objectives:
                yield Prose(Content.styled("本关目标", "bold"), classes="objectives")
                for objective in self.level.objectives:
                    yield Bullet(objective)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
