"""A dialogue stage: the transcript, the numbered choices, the meters, the case file at hand,
feedback after each choice in practice mode, and the red-line panel."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalGroup
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, OptionList, Static

from game import dialogue
from game.energy import is_low
from game.models import ENERGY_METER, Choice, DialogueStage, Ending
from tui.screens.dialogs import CaseFileDialog
from tui.screens.host import host
from tui.screens.run import LevelRun, RunProgressed, StageDone
from tui.widgets.casefile import CaseFile
from tui.widgets.lists import Bullet, ChoiceList, HangingItem, Rows
from tui.widgets.meters import MeterPanel
from tui.widgets.prose import Prose
from tui.widgets.rulecard import RedLinePanel, muted, ref_row, rule_title
from tui.widgets.transcript import QUALITY_MARKS, Transcript

MAX_CHOICES = 9


def choice_bindings() -> list[BindingType]:
    keys: list[BindingType] = [Binding("1", "choose(1)", "选择", key_display="1-9", id="dialogue.choose-1")]
    keys += [Binding(str(n), f"choose({n})", show=False, id=f"dialogue.choose-{n}") for n in range(2, MAX_CHOICES + 1)]
    return keys


def deltas_text(deltas: dict[str, int]) -> Content:
    parts: list[Content] = []
    for name, change in deltas.items():
        if change:
            parts.append(Content(f"{name} {change:+d}"))
    return Content("  ").join(parts)


class DialogueScreen(Screen[None]):
    """Plays the current dialogue stage of a run."""

    CSS_PATH = "dialogue.tcss"
    AUTO_FOCUS = "#choices"
    BINDINGS: ClassVar[list[BindingType]] = [
        *choice_bindings(),
        Binding("enter", "continue", "继续", key_display="Enter", show=False, id="dialogue.continue"),
        Binding("c", "case_file", "案卷", id="dialogue.case-file"),
        Binding("t", "hint", "提示", id="dialogue.hint"),
        Binding("escape", "leave", "离开", key_display="Esc", id="dialogue.leave"),
    ]

    def __init__(self, run: LevelRun) -> None:
        super().__init__()
        self.run = run
        stage = run.session.stage
        if not isinstance(stage, DialogueStage):
            raise ValueError("DialogueScreen needs a dialogue stage")
        self.stage: DialogueStage = stage
        self.sub_title = run.screen_title()
        self.shown_choices: list[tuple[int, Choice]] = []

    @property
    def state(self) -> dialogue.DialogueState:
        state = self.run.session.dialogue_state
        assert state is not None
        return state

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="dialogue-body"):
            with Vertical(id="conversation"):
                yield Transcript(id="transcript")
                yield Prose("", id="choices-title")
                yield ChoiceList(id="choices")
                yield Button("继续 (Enter)", variant="primary", id="continue")
            with Vertical(id="side"):
                meters = MeterPanel(self._debtor_meters(), id="meters")
                meters.border_title = "对方状态"
                yield meters
                if self.stage.uses_energy:
                    own = MeterPanel({ENERGY_METER: self.state.meter_map[ENERGY_METER]}, id="energy")
                    own.border_title = "你的情绪能量"
                    yield own
                yield CaseFile(self.run.level, with_history=False, id="side-case")
                if self.run.level.objectives:
                    with VerticalGroup(id="side-objectives") as objectives:
                        objectives.border_title = "本关目标"
                        for objective in self.run.level.objectives:
                            yield Bullet(objective)
                yield Prose(self._mode_note(), id="mode-note")
        yield Footer()

    def _debtor_meters(self) -> dict[str, int]:
        return {k: v for k, v in self.state.meter_map.items() if k != ENERGY_METER}

    def _update_meters(self) -> None:
        self.query_one("#meters", MeterPanel).update_meters(self._debtor_meters())
        if self.stage.uses_energy:
            left = self.state.meter_map[ENERGY_METER]
            panel = self.query_one("#energy", MeterPanel)
            panel.update_meters({ENERGY_METER: left})
            panel.set_class(is_low(left), "-low")

    def _energy_note(self) -> Content:
        """Said once energy runs low: fatigue now shapes what the collector can say."""
        if not self.stage.uses_energy or not is_low(self.state.meter_map[ENERGY_METER]):
            return Content("")
        return Content.styled("\n你已很疲惫：耐心的话更费力，有些话会冲口而出。", "$text-warning")

    def _mode_note(self) -> Content:
        if self.run.practice:
            return Content.styled("练习模式 · 每步点评\nt 提示 · c 案卷", "$text-muted")
        return Content.styled("考核模式 · 结束后点评\nc 案卷", "$text-muted")

    def on_mount(self) -> None:
        transcript = self.query_one(Transcript)
        if self.stage.intro:
            transcript.add_narration(self.stage.intro)
        self._replay_history()
        if self.state.ended:
            self._show_ending(self.stage.endings[self.state.at])
        else:
            self._show_node()

    # --- showing ----------------------------------------------------------------------------
    def _replay_history(self) -> None:
        """After a resume, show the part of the conversation already played (without feedback)."""
        if not self.state.steps:
            return
        state = dialogue.start(self.stage, self.run.session.carried_energy)
        transcript = self.query_one(Transcript)
        for step in self.state.steps:
            node = self.stage.nodes[step.node]
            self._say_node(node, state)
            choice = node.choices[step.choice]
            transcript.add_trainee(choice.text)
            state, outcome = dialogue.choose(self.stage, state, step.choice)
            if outcome.violation:
                transcript.add_widget(RedLinePanel(self.run.catalog, outcome.violation, choice.feedback))
        # A replay starts at the chosen decision point; a resume goes on where the player left.
        replaying = self.run.replay_stage is not None
        transcript.add_narration("以上为回放起点之前的对话" if replaying else "以上为上次的进度")

    def _say_node(self, node: object, state: dialogue.DialogueState) -> None:
        from game.models import Node

        assert isinstance(node, Node)
        transcript = self.query_one(Transcript)
        if node.narration:
            transcript.add_narration(node.narration)
        transcript.add_other(node.speaker or self.run.level.case.debtor, dialogue.line_for(node, state))

    def _show_node(self) -> None:
        node = dialogue.current_node(self.stage, self.state)
        if node is None:
            return
        self._say_node(node, self.state)
        self.shown_choices = self.run.session.shown_choices()[:MAX_CHOICES]
        items = [
            HangingItem(Content.styled(f"{n}  ", "bold $accent"), Content(choice.text), id=str(index))
            for n, (index, choice) in enumerate(self.shown_choices, start=1)
        ]
        choices = self.query_one("#choices", ChoiceList)
        choices.set_items(items)
        choices.highlighted = None  # no option is one Enter away
        self.query_one("#choices-title", Static).update(
            Content.assemble(
                ("你要怎么说？", "bold"),
                (f"  按 1–{len(items)} 选择，或 ↑↓ 后 Enter", "$text-muted"),
                self._energy_note(),
            )
        )

    def _show_ending(self, ending: Ending) -> None:
        transcript = self.query_one(Transcript)
        outcome = f"（{ending.outcome}）" if ending.outcome != ending.title else ""
        parts: list[Widget] = [
            Prose(
                Content.assemble(
                    ("通话结束 · ", "bold"), (ending.title, "bold"), (outcome, "$text-muted"), "\n", ending.text
                )
            )
        ]
        if self.run.practice:
            rows = [(muted("结果分"), Content.styled(str(ending.score), "bold"))]
            if ending.feedback:
                rows.append((muted("点评"), Content(ending.feedback)))
            ref = ref_row(self.run.catalog, ending.ref)
            if ref is not None:
                rows.append(ref)
            parts.append(Rows(rows, label_width=7, classes="ending-rows"))
        transcript.add_widget(VerticalGroup(*parts, classes="ending"))
        self.add_class("-ended")  # dialogue.tcss: the choices give way to the continue button
        self.query_one("#choices-title", Static).update(Content.styled("本段对话已结束，按 Enter 继续。", "bold"))
        button = self.query_one("#continue", Button)
        button.focus()
        self.refresh_bindings()

    def _feedback(self, choice: Choice, deltas: dict[str, int]) -> Rows:
        quality = "bad" if choice.violation else choice.quality.value
        mark, word, style = QUALITY_MARKS[quality]
        rows = [(Content.styled(f"{mark} {word}", f"bold {style}"), Content(choice.feedback))]
        changes = deltas_text(deltas)
        if changes:
            rows.append((muted("变化"), changes))
        ref = ref_row(self.run.catalog, choice.ref if not choice.violation else None)
        if ref is not None:
            rows.append(ref)
        return Rows(rows, label_width=7, classes=f"feedback -{quality}")

    # --- acting -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.run.session.dialogue_state
        ended = state is None or state.ended
        if action == "choose":
            return not ended
        if action == "continue":
            return ended
        if action == "hint":  # practice only, and only while there is a choice to make
            return self.run.practice and not ended
        return True

    def action_choose(self, number: int) -> None:
        if self.state.ended or not 1 <= number <= len(self.shown_choices):
            return
        index, choice = self.shown_choices[number - 1]
        outcome = self.run.session.choose(index)
        transcript = self.query_one(Transcript)
        transcript.add_trainee(choice.text, number)
        if outcome.violation:
            transcript.add_widget(RedLinePanel(self.run.catalog, outcome.violation, choice.feedback))
            self.add_class("-red-line")
        elif self.run.practice:
            transcript.add_widget(self._feedback(choice, outcome.deltas))
        self._update_meters()
        self.post_message(RunProgressed())
        if outcome.ending is not None:
            self._show_ending(outcome.ending)
        else:
            self._show_node()

    @on(OptionList.OptionSelected, "#choices")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option_index + 1)

    @on(Button.Pressed, "#continue")
    def action_continue(self) -> None:
        if not self.state.ended:
            return
        self.run.session.finish_dialogue()
        self.post_message(StageDone())

    def action_case_file(self) -> None:
        self.app.push_screen(CaseFileDialog(self.run.level))

    def action_hint(self) -> None:
        if not self.run.practice:
            self.notify("考核模式没有提示。", severity="warning", markup=False)
            return
        refs = [c.ref for _, c in self.shown_choices if c.ref and not c.violation]
        titles = list(dict.fromkeys(rule_title(self.run.catalog, r) for r in refs))
        if not titles or self.state.ended:
            self.notify("这一步没有提示，凭经验判断吧。", markup=False)
            return
        self.query_one(Transcript).add_feedback(
            Content.assemble(("提示  ", "bold $text-accent"), "想一想：", "、".join(f"「{t}」" for t in titles)),
            kind="-hint",
        )

    def action_leave(self) -> None:
        host(self.app).leave_level()
