"""A quiz stage: one question at a time against a visible countdown. Faster correct answers
earn more points and answers in a row build a streak. Practice mode explains each answer at
once; assessment mode explains them all at the end of the quiz."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, OptionList, Static

from game import quiz
from game.models import OPTION_LETTERS, Question, QuizStage
from game.review import build_review
from tui.screens.host import host
from tui.screens.run import LevelRun, RunProgressed, StageDone
from tui.widgets.countdown import Countdown
from tui.widgets.lists import AnswerList, Bullet, HangingItem, Rows
from tui.widgets.prose import Prose
from tui.widgets.rulecard import muted, ref_line, ref_row

TICK_SECONDS = 0.1
TIME_UP_SECONDS = 1.5
TYPE_NAMES = {"single": "单选题", "multiple": "多选题 · 选出所有正确项", "truefalse": "判断题"}
OPTION_KEYS = "abcdefgh"
PHASES = ("asking", "feedback", "time-up", "summary")


def option_bindings() -> list[BindingType]:
    # Letters work in either case: with Caps Lock or Shift a trainee types "B", not "b".
    keys: list[BindingType] = [Binding("a,A,1", "pick(0)", "选项", key_display="A-H/1-8", id="quiz.pick-a")]
    for i in range(1, len(OPTION_LETTERS)):
        letter = OPTION_KEYS[i]
        keys.append(Binding(f"{letter},{letter.upper()},{i + 1}", f"pick({i})", show=False, id=f"quiz.pick-{letter}"))
    return keys


def answer_row(answer: quiz.Answer) -> tuple[Content, Content]:
    """(verdict, points) of an answer: words and marks, never colour alone."""
    if answer.timed_out:
        return Content.styled("✗ 超时", "bold $text-error"), Content("0 分，连对中断")
    if not answer.correct:
        return Content.styled("✗ 错误", "bold $text-error"), Content("0 分，连对中断")
    parts: list[tuple[str, str] | str] = [
        (f"+{answer.points} 分", "bold"),
        (f"（用时 {answer.elapsed:.1f} 秒）", "$text-muted"),
    ]
    if answer.streak_bonus:
        parts.append((f"  连对 ×{answer.streak} +{answer.streak_bonus}", "bold $warning"))
    return Content.styled("✓ 正确", "bold $text-success"), Content.assemble(*parts)


class QuizScreen(Screen[None]):
    """Plays the current quiz stage of a run. The countdown reads the engine's injected clock."""

    CSS_PATH = "quiz.tcss"
    AUTO_FOCUS = "#options"
    BINDINGS: ClassVar[list[BindingType]] = [
        *option_bindings(),
        Binding("space", "toggle_option", "勾选", key_display="空格", show=False, id="quiz.toggle-option"),
        Binding("enter", "submit", "确定/继续", key_display="Enter", priority=True, id="quiz.submit"),
        Binding("escape", "leave", "离开", key_display="Esc", id="quiz.leave"),
    ]

    phase: reactive[str] = reactive("asking", bindings=True)
    """asking: the countdown runs; feedback: practice feedback on the last answer;
    summary: the quiz is over and its result is shown."""

    def watch_phase(self, phase: str) -> None:
        # quiz.tcss shows each part of the screen by phase: -asking, -feedback, -time-up, -summary.
        for name in PHASES:
            self.set_class(name == phase, f"-{name}")

    def __init__(self, run: LevelRun) -> None:
        super().__init__()
        self.run = run
        stage = run.session.stage
        runner = run.session.quiz_runner
        if not isinstance(stage, QuizStage) or runner is None:
            raise ValueError("QuizScreen needs a quiz stage")
        self.stage: QuizStage = stage
        self.runner: quiz.QuizRunner = runner
        self.selected: set[str] = set()
        self._shown_labels: list[tuple[str, str]] = []
        self.timer: Timer | None = None
        self.sub_title = run.screen_title()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Vertical(id="quiz-body"):
            if self.stage.intro:
                yield Prose(Content(self.stage.intro), id="quiz-intro")
            yield Prose("", id="quiz-status")
            yield Countdown(id="countdown")
            yield Prose("", id="question")
            yield AnswerList(id="options")
            yield Vertical(id="answer-feedback")
            yield VerticalScroll(id="summary")
            yield Button("下一题 (Enter)", variant="primary", id="next")
        yield Footer()

    def on_mount(self) -> None:
        self.timer = self.set_interval(TICK_SECONDS, self.tick)
        if self.runner.finished:
            self._show_summary()
        else:
            self._ask()

    # --- asking -----------------------------------------------------------------------------
    def _ask(self) -> None:
        current = self.runner.current
        if current is None:
            self._show_summary()
            return
        self.phase = "asking"
        self.selected = set()
        question = current.question
        self.query_one("#question", Static).update(
            Content.assemble((TYPE_NAMES[question.type] + "\n", "$text-muted"), (question.prompt, "bold"))
        )
        self._fill_options()
        options = self.query_one("#options", OptionList)
        # Nothing is highlighted: an Enter left over from the last question (or held down) answers
        # nothing, and no option is one key press closer than another.
        options.highlighted = None
        options.focus()
        countdown = self.query_one(Countdown)
        countdown.limit = current.time_limit
        countdown.left = current.time_limit
        countdown.stopped = False
        self._update_status()
        if self.app.screen is self:  # not under a modal opened during the time-up beat
            self.runner.begin()

    def _labels(self) -> list[tuple[str, str]]:
        """(answer key, text) of the current question in the order shown: key A picks the first."""
        current = self.runner.current
        if current is None:
            return []
        texts = dict(current.question.choice_labels())
        return [(key, texts[key]) for key in self.run.session.option_order()]

    def _fill_options(self, reveal: quiz.Answer | None = None) -> None:
        if reveal is None:
            labels = self._labels()
            current = self.runner.current
            assert current is not None
            question = current.question
        else:
            labels = self._shown_labels
            question = self._last_question()
        self._shown_labels = labels
        multiple = question.type == "multiple"
        correct = question.correct_set()
        items = []
        for i, (key, text) in enumerate(labels):
            box = ("☑ " if key in self.selected else "☐ ") if multiple and reveal is None else ""
            extra: list[Content] = []
            if reveal is not None:
                if key in correct:
                    extra.append(
                        Content.styled(
                            "✓ 正确答案" + (" · 你选了" if key in reveal.selection else ""), "bold $text-success"
                        )
                    )
                elif key in reveal.selection:
                    extra.append(Content.styled("✗ 你的选择", "bold $text-error"))
            prefix = Content.assemble((f"{OPTION_LETTERS[i]}  ", "bold $accent"), (box, "bold"))
            items.append(HangingItem(prefix, Content(text), id=key, extra=tuple(extra)))
        self.query_one("#options", AnswerList).set_items(items)

    def _last_question(self) -> Question:
        return self.runner.planned[self.runner.index - 1].question

    def _update_status(self) -> None:
        total = len(self.runner.planned)
        # While asking, the question on screen is the next one; afterwards, the one just answered.
        number = min(self.runner.index + (1 if self.phase == "asking" else 0), total)
        parts: list[tuple[str, str] | str] = [(f"第 {number}/{total} 题", "bold")]
        if self.run.practice:
            points = sum(a.total for a in self.runner.answers)
            parts += [("   得分 ", "$text-muted"), (f"{points:,}", "bold")]
            if self.runner.streak >= 2:
                parts += [("   连对 ", "$warning"), (f"×{self.runner.streak}", "bold $warning")]
        else:
            parts += [
                ("   已答 ", "$text-muted"),
                (f"{self.runner.index}", "bold"),
                ("   考核模式：答案与解析在本环节结束后公布", "$text-muted"),
            ]
        self.query_one("#quiz-status", Static).update(Content.assemble(*parts))

    @property
    def question_open(self) -> bool:
        """A question is on screen and its clock runs (the handbook stays closed in assessments)."""
        return self.phase == "asking" and self.runner.current is not None

    def on_screen_suspend(self) -> None:
        # A modal (help, leave?) or another screen covers the question: its clock stops.
        self.runner.pause()
        self.post_message(RunProgressed())

    def on_screen_resume(self) -> None:
        if self.question_open and self.is_mounted:
            self.runner.begin()

    def tick(self) -> None:
        """Redraw the countdown from the clock; when it runs out, the question times out."""
        if self.phase != "asking" or self.runner.current is None:
            return
        left = self.runner.time_left()
        self.query_one(Countdown).left = left
        if left <= 0:
            self._answer(None)

    def action_pick(self, index: int) -> None:
        labels = self._labels()
        if self.phase != "asking" or index >= len(labels):
            return
        key = labels[index][0]
        self.query_one("#options", OptionList).highlighted = index
        if self.runner.current and self.runner.current.question.type == "multiple":
            self.selected ^= {key}
            self._fill_options()
        else:
            self._answer(frozenset({key}))

    def action_toggle_option(self) -> None:
        """Space: tick or untick the highlighted option (answer it, for a single choice)."""
        options = self.query_one("#options", OptionList)
        if self.phase == "asking" and options.highlighted is not None:
            self.action_pick(options.highlighted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Option keys only while a question is asked: the footer drops them after answering.
        if action in ("pick", "toggle_option"):
            return self.phase == "asking"
        return True

    @on(OptionList.OptionSelected, "#options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        current = self.runner.current
        if self.phase != "asking" or current is None:
            return
        if current.question.type == "multiple":
            self.action_pick(event.option_index)
        else:
            self._answer(frozenset({event.option_id or ""}))

    def action_submit(self) -> None:
        if self.phase == "asking":
            current = self.runner.current
            if current is not None and current.question.type == "multiple":
                if not self.selected:
                    self.notify("先用字母键或空格勾选答案，再按 Enter 提交。", markup=False)
                    return
                self._answer(frozenset(self.selected))
            else:
                options = self.query_one("#options", OptionList)
                if options.highlighted is not None:
                    self.action_pick(options.highlighted)
                else:
                    self.notify("按字母键作答，或先用 ↑↓ 选中再按 Enter。", markup=False)
        elif self.phase == "time-up":
            return
        else:
            self._next()

    def _answer(self, selection: frozenset[str] | None) -> None:
        answer = self.run.session.answer(selection)
        self.post_message(RunProgressed())
        countdown = self.query_one(Countdown)
        countdown.stopped = True
        countdown.left = max(0.0, countdown.limit - answer.elapsed)
        if self.run.practice:
            self._show_feedback(answer)
        elif answer.timed_out:
            self._show_time_up()
        elif self.runner.finished:
            self._show_summary()
        else:
            self._ask()

    def _show_time_up(self) -> None:
        """A clear beat between a timed-out question and the next one (assessment mode)."""
        self.phase = "time-up"
        self.query_one("#question", Static).update(
            Content.assemble(("⏰ 时间到", "bold $text-error"), ("  这一题记为未作答。", "$text-muted"))
        )
        self.set_timer(TIME_UP_SECONDS, self._after_time_up)

    def _after_time_up(self) -> None:
        if self.phase != "time-up":
            return
        if self.runner.finished:
            self._show_summary()
        else:
            self._ask()

    # --- after answering --------------------------------------------------------------------
    def _show_feedback(self, answer: quiz.Answer) -> None:
        self.phase = "feedback"
        question = self._last_question()
        self.selected = set(answer.selection)
        self._fill_options(reveal=answer)
        rows = [answer_row(answer), (muted("解析"), Content(question.explanation))]
        ref = ref_row(self.run.catalog, question.ref)
        if ref is not None:
            rows.append(ref)
        feedback = self.query_one("#answer-feedback", Vertical)
        feedback.remove_children()
        feedback.mount(Rows(rows, label_width=7))
        feedback.set_class(answer.correct, "-correct")
        feedback.set_class(not answer.correct, "-wrong")
        self._update_status()
        button = self.query_one("#next", Button)
        button.label = "查看本环节成绩 (Enter)" if self.runner.finished else "下一题 (Enter)"
        button.focus()

    def _show_summary(self) -> None:
        self.phase = "summary"
        result = self.runner.result()
        self.query_one("#question", Static).update(Content.styled("本环节结束", "bold"))
        countdown = self.query_one(Countdown)
        countdown.stopped = True
        lines = [
            Content.assemble(
                ("答对 ", "$text-muted"),
                (f"{result.correct}/{result.total_questions}", "bold"),
                ("   得分 ", "$text-muted"),
                (f"{result.points:,}", "bold"),
                (f" / {result.max_points:,}", "$text-muted"),
                ("   最长连对 ", "$text-muted"),
                (f"{result.best_streak}", "bold"),
                ("   环节分 ", "$text-muted"),
                (f"{result.score}", "bold"),
            ),
        ]
        review = build_review(self.run.session, self.run.catalog)
        stage_items = [item for item in review.items if item.stage.startswith(f"{self.run.session.stage_index + 1}.")]
        widgets: list[Widget] = [Prose(Content("\n").join(lines), classes="summary-head")]
        for number, item in enumerate(stage_items, start=1):
            mark = Content.assemble(
                (f"{number}. ", "bold"), ("✓ 正确", "bold $text-success") if item.ok else ("✗ 错误", "bold $text-error")
            )
            body = [Content(item.title)]
            if not self.run.practice or not item.ok:
                body.append(Content.assemble(("正确答案  ", "$text-muted"), item.answer))
            if not self.run.practice:
                body.append(Content.styled(item.detail, "$text-muted"))
                ref = ref_line(self.run.catalog, item.ref)
                if ref is not None:
                    body.append(ref)
            widgets.append(Bullet(Content("\n").join(body), mark, classes="summary-item"))
        summary = self.query_one("#summary", VerticalScroll)
        summary.remove_children()
        summary.mount_all(widgets)
        summary.border_title = "本环节成绩（↑↓ 翻看）"
        self._update_status()
        button = self.query_one("#next", Button)
        button.label = "继续 (Enter)"
        summary.focus()  # arrow keys scroll the review; Enter (a screen key) still goes on

    @on(Button.Pressed, "#next")
    def _next(self) -> None:
        if self.phase == "feedback":
            if self.runner.finished:
                self._show_summary()
            else:
                self._ask()
        elif self.phase == "summary":
            if self.timer is not None:
                self.timer.stop()
            self.run.session.finish_quiz()
            self.post_message(StageDone())

    def action_leave(self) -> None:
        host(self.app).leave_level()
