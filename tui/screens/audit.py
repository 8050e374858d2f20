"""An audit stage (质检): read a call transcript, flag the lines that break a rule and name the
rule, submit, and see hits, misses and false alarms."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static

from game import audit
from game.models import AuditStage
from tui.screens.dialogs import CaseFileDialog, ConfirmDialog, RulePicker
from tui.screens.host import host
from tui.screens.run import LevelRun, RunProgressed, StageDone
from tui.widgets.lists import Bullet, HangingItem, TranscriptLines
from tui.widgets.prose import Prose
from tui.widgets.rulecard import rule_citation, rule_title

VERDICT_MARKS: dict[str, tuple[str, str]] = {
    "hit": ("✓ 命中", "bold $text-success"),
    "wrong-rule": ("◐ 找对了句子，规则选错", "bold $text-warning"),
    "miss": ("✗ 漏报", "bold $text-error"),
    "false-alarm": ("✗ 误报", "bold $text-error"),
}


class AuditScreen(Screen[None]):
    """Plays the current audit stage of a run."""

    CSS_PATH = "audit.tcss"
    AUTO_FOCUS = "#lines"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "flag", "标记/取消", key_display="空格", show=False, id="audit.flag"),
        Binding("r", "change_rule", "改规则", id="audit.change-rule"),
        Binding("s", "submit", "提交", id="audit.submit"),
        Binding("c", "case_file", "案卷", id="audit.case-file"),
        Binding("escape", "leave", "离开", key_display="Esc", id="audit.leave"),
    ]

    def __init__(self, run: LevelRun) -> None:
        super().__init__()
        self.run = run
        stage = run.session.stage
        if not isinstance(stage, AuditStage):
            raise ValueError("AuditScreen needs an audit stage")
        self.stage: AuditStage = stage
        self.flags: dict[int, str] = run.session.audit_draft()  # flags survive save-and-return
        self.result: audit.AuditResult | None = None
        self.rules = audit.rule_options(stage)
        self.speaker_width = max(Content(line.speaker).cell_length for line in stage.transcript)
        self.sub_title = run.screen_title()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Vertical(id="audit-body"):
            if self.stage.intro:
                yield Prose(Content(self.stage.intro), id="audit-intro")
            yield Prose("", id="audit-status")
            with Horizontal(id="audit-columns"):
                yield TranscriptLines(id="lines")
                with VerticalScroll(id="audit-rules") as rules:
                    rules.border_title = "可选规则"
                    for rule_id in self.rules:
                        rule = self.run.catalog.rules.get(rule_id)
                        if rule is not None:
                            yield Bullet(
                                Content.assemble(rule.title, "\n", (rule_citation(rule), "$text-muted")),
                                Content.styled(
                                    "✖" if rule.red_line else "·", "bold $text-error" if rule.red_line else ""
                                ),
                            )
            yield Prose("", id="audit-result")
            yield Button("继续 (Enter)", variant="primary", id="continue")
        yield Footer()

    def on_mount(self) -> None:
        self._render_lines()
        self.query_one("#lines", OptionList).highlighted = 0

    # --- drawing ------------------------------------------------------------------------------
    def _line_item(self, number: int) -> HangingItem:
        line = self.stage.transcript[number - 1]
        speaker_style = "bold $primary" if line.speaker in ("催收员", "坐席", "你") else "bold $accent"
        speaker = Content.styled(line.speaker, speaker_style)
        speaker = speaker.pad_right(self.speaker_width - speaker.cell_length)
        prefix = Content.assemble((f"{number:02d} ", "$text-muted"), speaker, "  ")
        extra: list[Content] = []
        if number in self.flags:
            # The trainee's mark stays visible after submitting, beside the verdict on it.
            mark = "⚑ 标记为违规：" if self.result is None else "⚑ 你的标记："
            extra.append(
                Content.assemble((mark, "bold $text-warning"), rule_title(self.run.catalog, self.flags[number]))
            )
        if self.result is not None and self.run.practice:
            verdict = self.result.verdicts[number - 1]
            if verdict.kind in VERDICT_MARKS:
                text, style = VERDICT_MARKS[verdict.kind]
                detail: list[tuple[str, str] | str] = [(text, style)]
                if verdict.expected:
                    detail += ["  规则：", rule_title(self.run.catalog, verdict.expected)]
                extra.append(Content.assemble(*detail))
                if verdict.kind == "false-alarm":
                    extra.append(Content.styled(self._why_lawful(verdict), "$text-muted"))
                elif verdict.explanation:
                    extra.append(Content.styled(verdict.explanation, "$text-muted"))
        return HangingItem(prefix, Content(line.text), id=str(number), extra=tuple(extra))

    def _why_lawful(self, verdict: audit.LineVerdict) -> str:
        """Why a falsely flagged line is lawful: the level's own explanation of the line, or
        that it does not do what the chosen rule forbids."""
        if verdict.explanation:
            return f"这句合规：{verdict.explanation}"
        if verdict.flagged:
            return f"这句合规：它没有做「{rule_title(self.run.catalog, verdict.flagged)}」所禁止的事。"
        return "这句合规，不需要标记。"

    def _render_lines(self) -> None:
        lines = self.query_one("#lines", TranscriptLines)
        lines.set_items([self._line_item(n) for n in range(1, len(self.stage.transcript) + 1)])
        self._update_status()

    def _update_status(self) -> None:
        status = self.query_one("#audit-status", Static)
        if self.result is None:
            status.update(
                Content.assemble(
                    ("逐句检查这段录音：", "bold"),
                    "哪几句违规？违反了哪条规则？",
                    ("\n空格/Enter 标记或取消 · r 改规则 · s 提交", "$text-muted"),
                    ("   已标记 ", "$text-muted"),
                    (f"{len(self.flags)}", "bold"),
                    (" 句", "$text-muted"),
                )
            )
        else:
            status.update(Content.styled("质检已提交。", "bold"))

    # --- acting -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Once submitted, the flags are final: the footer keeps only 案卷 and 离开 (Enter continues).
        if action in ("flag", "change_rule", "submit"):
            return self.result is None
        return True

    def _current_line(self) -> int | None:
        highlighted = self.query_one("#lines", OptionList).highlighted
        return None if highlighted is None else highlighted + 1

    @on(OptionList.OptionSelected, "#lines")
    def _selected(self) -> None:
        self.action_flag()

    def action_flag(self) -> None:
        number = self._current_line()
        if self.result is not None or number is None:
            return
        if number in self.flags:
            del self.flags[number]
            self._flags_changed()
        else:
            self._pick_rule(number)

    def _flags_changed(self) -> None:
        self.run.session.draft_audit(self.flags)
        self.post_message(RunProgressed())
        self._render_lines()

    def action_change_rule(self) -> None:
        number = self._current_line()
        if self.result is None and number is not None:
            self._pick_rule(number)

    def _pick_rule(self, number: int) -> None:
        line = self.stage.transcript[number - 1]

        def picked(rule_id: str | None) -> None:
            if rule_id:
                self.flags[number] = rule_id
                self._flags_changed()

        self.app.push_screen(RulePicker(self.run.catalog, self.rules, line.text, self.flags.get(number)), picked)

    def action_submit(self) -> None:
        if self.result is not None:
            self._continue()
            return
        question = (
            f"已标记 {len(self.flags)} 句为违规。提交后不能再修改。确定提交？"
            if self.flags
            else "你还没有标记任何一句。确定这段录音完全合规并提交吗？"
        )

        def decided(yes: bool | None) -> None:
            if yes:
                self._submit()

        self.app.push_screen(ConfirmDialog(question, yes="提交", no="再看看", title="提交质检"), decided)

    def _submit(self) -> None:
        self.result = self.run.session.submit_audit(dict(self.flags))
        self.refresh_bindings()
        self.post_message(RunProgressed())
        self._render_lines()
        summary = self.query_one("#audit-result", Static)
        if self.run.practice:
            r = self.result
            summary.update(
                Content.assemble(
                    ("✓ 命中 ", "$text-success"),
                    (f"{r.hits}", "bold"),
                    (f"（规则正确 {r.right_rule}）", "$text-muted"),
                    ("   ✗ 漏报 ", "$text-error"),
                    (f"{r.misses}", "bold"),
                    ("   ✗ 误报 ", "$text-error"),
                    (f"{r.false_alarms}", "bold"),
                    ("   环节分 ", "$text-muted"),
                    (f"{r.score}", "bold"),
                )
            )
        else:
            summary.update(Content.styled("考核模式：质检结果将在成绩页公布。", "$text-muted"))
        self.add_class("-submitted")  # audit.tcss: the summary and the continue button show
        self.query_one("#continue", Button).focus()

    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        if self.result is not None:
            self.post_message(StageDone())

    def action_case_file(self) -> None:
        self.app.push_screen(CaseFileDialog(self.run.level))

    def action_leave(self) -> None:
        if self.result is not None:
            self._continue()
            return
        host(self.app).leave_level()
