"""The review drill (错题复习): the 错题本 cards that are due, one at a time against a countdown.
A quiz card asks its question again (options shuffled afresh); a dialogue card replays the decision
point — what the other party said and the meters then — with its choices shuffled. Each answer
is explained at once and schedules the card's next review.

The same screen plays the practice drill offered before another try at a level failed twice
(game.adaptive, `practice_for` the level's title): its bank questions that are not 错题本 cards
are kept only when they are missed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, OptionList, Static

from game.catalog import Catalog
from game.drill import Drill, DrillAnswer, DrillItem
from game.mistakes import RETIRE_AFTER
from game.models import ENERGY_METER, OPTION_LETTERS
from game.store.learning import LearningRecords
from tui.widgets.countdown import Countdown
from tui.widgets.lists import AnswerList, HangingItem, Rows
from tui.widgets.meters import meter_word
from tui.widgets.rulecard import muted, ref_row

TICK_SECONDS = 0.1
KEYS = "abcdefgh"
TYPE_NAMES = {"single": "单选题", "multiple": "多选题 · 选出所有正确项", "truefalse": "判断题"}


def drill_bindings() -> list[BindingType]:
    # Quiz cards answer with letters, dialogue cards with numbers; both work for both.
    keys: list[BindingType] = [Binding("a,A,1", "pick(0)", "作答", key_display="A-H/1-8", id="drill.pick-a")]
    for i in range(1, len(OPTION_LETTERS)):
        keys.append(
            Binding(f"{KEYS[i]},{KEYS[i].upper()},{i + 1}", f"pick({i})", show=False, id=f"drill.pick-{KEYS[i]}")
        )
    return keys


def meters_line(meters: dict[str, int]) -> Content:
    """The debtor's meters at the decision point, then the collector's own 能量 if it was tracked."""

    def shown(name: str, value: int) -> Content:
        return Content.assemble((name, "bold"), f" {value}", (f"（{meter_word(name, value)}）", "$text-muted"))

    parts = [shown(name, value) for name, value in meters.items() if name != ENERGY_METER]
    line = Content.assemble(("对方状态  ", "$text-muted"), Content("  ·  ").join(parts))
    if ENERGY_METER in meters:
        line = Content.assemble(line, ("   你的", "$text-muted"), shown(ENERGY_METER, meters[ENERGY_METER]))
    return line


class DrillScreen(Screen[None]):
    """Plays one drill; every answer is saved to the 错题本 at once."""

    CSS_PATH = "drill.tcss"
    AUTO_FOCUS = "#review-options"
    BINDINGS: ClassVar[list[BindingType]] = [
        *drill_bindings(),
        Binding("space", "toggle_option", "勾选", key_display="空格", show=False, id="drill.toggle-option"),
        Binding("enter", "submit", "确定/继续", key_display="Enter", priority=True, id="drill.submit"),
        Binding("escape", "close", "结束", key_display="Esc", id="drill.close"),  # a review or a 关前小练,
    ]

    phase: reactive[str] = reactive("asking")
    """asking (the countdown runs), feedback (the last answer explained), summary (the drill is over)."""

    def __init__(
        self,
        drill: Drill,
        learning: LearningRecords,
        catalog: Catalog,
        now: Callable[[], datetime],
        *,
        practice_for: str | None = None,
    ) -> None:
        super().__init__()
        self.drill = drill
        self.learning = learning
        self.catalog = catalog
        self.now = now
        self.practice_for = practice_for
        self.selected: set[str] = set()
        self.timer: Timer | None = None
        self.title_text = f"关前小练 · {practice_for}" if practice_for else "错题复习"
        self.sub_title = self.title_text

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Vertical(id="review-body"):
            yield Static("", id="review-status")
            yield Countdown(id="review-countdown")
            yield Static("", id="review-prompt")
            yield AnswerList(id="review-options")
            yield Vertical(id="review-feedback")
            yield VerticalScroll(id="review-summary")
            yield Button("下一张 (Enter)", variant="primary", id="review-next")
        yield Footer()

    def on_mount(self) -> None:
        self.timer = self.set_interval(TICK_SECONDS, self.tick)
        self._ask()

    # --- asking -----------------------------------------------------------------------------
    @property
    def item(self) -> DrillItem | None:
        return self.drill.current

    def _ask(self) -> None:
        item = self.item
        if item is None:
            self._show_summary()
            return
        self.phase = "asking"
        self.selected = set()
        self.query_one("#review-prompt", Static).update(self._prompt(item))
        self._fill_options(item)
        self.query_one("#review-feedback").display = False
        self.query_one("#review-summary").display = False
        self.query_one("#review-next").display = False
        options = self.query_one("#review-options", OptionList)
        options.display = True
        options.highlighted = None
        options.focus()
        countdown = self.query_one(Countdown)
        countdown.display = True
        countdown.limit = item.time_limit
        countdown.left = item.time_limit
        countdown.stopped = False
        self._update_status()
        self.drill.begin()

    def _prompt(self, item: DrillItem) -> Content:
        if item.question is not None:
            return Content.assemble(
                (TYPE_NAMES[item.question.type] + "\n", "$text-muted"), (item.question.prompt, "bold")
            )
        level = self.catalog.levels.get(item.card.level_id)
        speaker = item.speaker or (level.case.debtor if level else "对方")
        lines = [Content.styled(f"重回决策点 · {level.title if level else ''}", "$text-muted")]
        if item.narration:
            lines.append(Content.styled(item.narration, "italic $text-muted"))
        lines.append(Content.assemble((f"{speaker}：", "bold $accent"), item.line))
        lines.append(meters_line(item.card.meters))
        lines.append(Content.styled("这一次你要怎么说？", "bold"))
        return Content("\n").join(lines)

    def _fill_options(self, item: DrillItem, reveal: DrillAnswer | None = None) -> None:
        items = []
        for i, (key, text) in enumerate(item.options):
            box = ("☑ " if key in self.selected else "☐ ") if item.multiple and reveal is None else ""
            extra: list[Content] = []
            if reveal is not None:
                if key in reveal.correct_keys:
                    extra.append(
                        Content.styled(
                            "✓ 正确答案" + (" · 你选了" if key in self.selected else ""), "bold $text-success"
                        )
                    )
                elif key in self.selected:
                    extra.append(Content.styled("✗ 你的选择", "bold $text-error"))
            mark = OPTION_LETTERS[i] if item.question is not None else str(i + 1)
            prefix = Content.assemble((f"{mark}  ", "bold $accent"), (box, "bold"))
            items.append(HangingItem(prefix, Content(text), id=key, extra=tuple(extra)))
        self.query_one("#review-options", AnswerList).set_items(items)

    def _update_status(self) -> None:
        total = len(self.drill.items)
        number = min(self.drill.index + (1 if self.phase == "asking" else 0), total)
        item = self.item if self.phase == "asking" else self.drill.items[self.drill.index - 1]
        kind = "题目" if item is not None and item.question is not None else "对话"
        self.query_one("#review-status", Static).update(
            Content.assemble(
                (f"第 {number}/{total} 张", "bold"),
                ("  ·  ", "$text-muted"),
                (kind, "bold"),
                ("   答对 ", "$text-muted"),
                (str(self.drill.right), "bold"),
                (f"   连续答对 {RETIRE_AFTER} 次即移出错题本" if not self.practice_for else "", "$text-muted"),
            )
        )

    def on_screen_suspend(self) -> None:
        self.drill.pause()  # help or the palette covers the card: its clock stops

    def on_screen_resume(self) -> None:
        if self.phase == "asking" and self.item is not None and self.is_mounted:
            self.drill.begin()

    def tick(self) -> None:
        if self.phase != "asking" or self.item is None:
            return
        left = self.drill.time_left()
        self.query_one(Countdown).left = left
        if left <= 0:
            self._answer(None)

    def action_pick(self, index: int) -> None:
        item = self.item
        if self.phase != "asking" or item is None or index >= len(item.options):
            return
        key = item.options[index][0]
        self.query_one("#review-options", OptionList).highlighted = index
        if item.multiple:
            self.selected ^= {key}
            self._fill_options(item)
        else:
            self.selected = {key}
            self._answer(frozenset({key}))

    def action_toggle_option(self) -> None:
        options = self.query_one("#review-options", OptionList)
        if self.phase == "asking" and options.highlighted is not None:
            self.action_pick(options.highlighted)

    @on(OptionList.OptionSelected, "#review-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.phase == "asking":
            self.action_pick(event.option_index)

    def action_submit(self) -> None:
        item = self.item
        if self.phase == "asking" and item is not None:
            if item.multiple and self.selected:
                self._answer(frozenset(self.selected))
            elif item.multiple:
                self.notify("先用字母键或空格勾选答案，再按 Enter 提交。", markup=False)
            else:
                options = self.query_one("#review-options", OptionList)
                if options.highlighted is not None:
                    self.action_pick(options.highlighted)
                else:
                    self.notify("按字母或数字键作答，或先用 ↑↓ 选中再按 Enter。", markup=False)
        elif self.phase == "feedback":
            self._ask()
        elif self.phase == "summary":
            self.action_close()

    def _answer(self, selection: frozenset[str] | None) -> None:
        item = self.item
        if item is None:
            return
        result = self.drill.answer(selection, self.now())
        if item.in_book or not result.right:  # a practice question joins the 错题本 only when missed
            self.learning.save_card(result.card)
        countdown = self.query_one(Countdown)
        countdown.stopped = True
        self._show_feedback(item, result)

    # --- after answering --------------------------------------------------------------------
    def _show_feedback(self, item: DrillItem, result: DrillAnswer) -> None:
        self.phase = "feedback"
        self._fill_options(item, reveal=result)
        if result.timed_out:
            verdict = Content.styled("✗ 超时", "bold $text-error")
        elif result.right:
            verdict = Content.styled("✓ 正确", "bold $text-success")
        else:
            verdict = Content.styled("✗ 错误", "bold $text-error")
        if not item.in_book and result.right:
            plan = Content.styled("练习题：答对了，不进错题本", "$text-muted")
        elif not item.in_book:
            due = result.card.due_at.astimezone().strftime("%m-%d %H:%M")
            plan = Content(f"已加入错题本，下次复习 {due}")
        elif result.card.retired:
            plan = Content.styled(f"已连续答对 {RETIRE_AFTER} 次，这张移出错题本", "bold $text-success")
        else:
            due = result.card.due_at.astimezone().strftime("%m-%d %H:%M")
            plan = Content(f"下次复习 {due}" + (f" · 已连对 {result.card.streak} 次" if result.card.streak else ""))
        rows = [(verdict, Content(result.explanation)), (muted("安排"), plan)]
        ref = ref_row(self.catalog, result.ref)
        if ref is not None:
            rows.append(ref)
        feedback = self.query_one("#review-feedback", Vertical)
        feedback.remove_children()
        feedback.mount(Rows(rows, label_width=7))
        feedback.set_class(result.right, "-correct")
        feedback.set_class(not result.right, "-wrong")
        feedback.display = True
        self._update_status()
        button = self.query_one("#review-next", Button)
        button.label = "查看复习结果 (Enter)" if self.drill.finished else "下一张 (Enter)"
        button.display = True
        button.focus()

    def _show_summary(self) -> None:
        self.phase = "summary"
        self.query_one("#review-options").display = False
        self.query_one("#review-feedback").display = False
        self.query_one(Countdown).display = False
        total = len(self.drill.items)
        if total == 0:
            text = Content.styled("现在没有到期的错题，去闯关吧。", "bold")
        else:
            unit = "题" if self.practice_for else "张"  # a practice drill is questions, not only 错题本 cards
            text = Content.assemble(
                ("本次小练 " if self.practice_for else "本次复习 ", "$text-muted"),
                (f"{total}", "bold"),
                (f" {unit}，答对 ", "$text-muted"),
                (f"{self.drill.right}", "bold"),
                (f" {unit}", "$text-muted"),
                (f"，{self.drill.retired} 张已移出错题本" if self.drill.retired else "", "$text-success"),
            )
        ended = "小练结束" if self.practice_for else "复习结束"
        self.query_one("#review-prompt", Static).update(Content.assemble((f"{ended}\n", "bold"), text))
        self.query_one("#review-status", Static).update(Content.styled(self.title_text, "bold"))
        button = self.query_one("#review-next", Button)
        button.label = "开始挑战 (Enter)" if self.practice_for else "回到地图 (Enter)"
        button.display = True
        button.focus()

    @on(Button.Pressed, "#review-next")
    def _next(self) -> None:
        if self.phase == "feedback":
            self._ask()
        elif self.phase == "summary":
            self.action_close()

    def action_close(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        self.dismiss()
