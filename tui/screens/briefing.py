"""The briefing: the case file, the objectives and skills, how the level is scored, and the mode."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from game.catalog import Catalog
from game.models import STAGE_KIND_NAMES, AuditStage, DialogueStage, Level, QuizStage
from game.progression import LevelState
from game.session import MODE_NAMES
from tui.screens.map import MODE_HELP
from tui.widgets.bars import stars_text
from tui.widgets.casefile import CaseFile
from tui.widgets.lists import Bullet
from tui.widgets.prose import Prose


def stage_line(number: int, stage: DialogueStage | QuizStage | AuditStage) -> Content:
    kind = STAGE_KIND_NAMES[stage.kind]
    if isinstance(stage, QuizStage):
        count = len(stage.questions) + sum(d.count for d in stage.draw)
        about = f"{count} 题 · 每题 {stage.time_limit:g} 秒 · 越快得分越高"
    elif isinstance(stage, AuditStage):
        about = f"{len(stage.transcript)} 句录音 · 找出违规并指出规则"
    else:
        about = "选择你要说的话 · 留意信任、情绪与合规"
    title = f" · {stage.title}" if stage.title else ""
    return Content.assemble((f"{number}. ", "bold"), (kind, "bold"), title, ("\n   " + about, "$text-muted"))


class BriefingScreen(Screen[None]):
    """What the trainee reads before a level starts."""

    CSS_PATH = "briefing.tcss"
    AUTO_FOCUS = "#begin"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,s", "begin", "开始", key_display="Enter", id="briefing.begin"),
        Binding("m", "toggle_mode", "练习/考核", id="briefing.toggle-mode"),
        Binding("escape", "app.pop_screen", "返回地图", key_display="Esc", id="briefing.back"),
    ]

    class Begin(Message):
        """Start playing `level` in `mode`; `drawn_from`: the banks its quiz draws from, when not
        the whole catalog (a mid or post test leaves out the questions taken before)."""

        def __init__(self, level: Level, mode: str, drawn_from: Catalog | None = None) -> None:
            super().__init__()
            self.level = level
            self.mode = mode
            self.drawn_from = drawn_from

    def __init__(self, level: Level, catalog: Catalog, mode: str, state: LevelState) -> None:
        super().__init__()
        self.level = level
        self.catalog = catalog
        self.mode = "assessment" if level.exam else mode
        self.state = state
        self.sub_title = f"任务简报 · {level.tier}"

    def compose(self) -> ComposeResult:
        level = self.level
        yield Header(show_clock=False, icon="◆")
        with VerticalScroll(id="briefing-body"):
            yield Prose(
                Content.assemble(("◆ 晋升考核  " if level.exam else "", "bold $warning"), (level.title, "bold")),
                id="level-title",
            )
            if level.summary:
                yield Prose(Content(level.summary), id="summary")
            # The pass mark and the objectives come before the case file: on a 24-line terminal
            # they are what must be on screen without scrolling.
            yield Prose(self._scoring(), id="scoring")
            with Horizontal(id="briefing-columns"):
                with Vertical(id="mission"):
                    with Vertical(id="objectives") as box:
                        box.border_title = "本关目标"
                        for objective in level.objectives:
                            yield Bullet(objective)
                        yield Prose(
                            Content.assemble(("技能  ", "$text-muted"), "、".join(level.skills)), classes="skills"
                        )
                    with Vertical(id="stages") as box:
                        box.border_title = "流程"
                        yield Prose(Content("\n").join(stage_line(i, s) for i, s in enumerate(level.stages, start=1)))
                yield CaseFile(level, id="casefile")
        with Horizontal(id="briefing-actions"):
            yield Prose("", id="mode-line")
            yield Button("开始挑战 (Enter)", variant="success", id="begin")
        yield Footer()

    def _scoring(self) -> Content:
        one, two, three = self.level.star_thresholds()
        parts: list[str | tuple[str, str]] = [
            ("及格 ", "$text-muted"),
            (f"{self.level.pass_score} 分", "bold"),
            ("   ★ ", "$warning"),
            f"{one}",
            ("  ★★ ", "$warning"),
            f"{two}",
            ("  ★★★ ", "$warning"),
            f"{three}",
            ("   触碰红线：一票否决", "$text-error"),
        ]
        if self.state.best is not None:
            parts += [
                ("\n你的最佳  ", "$text-muted"),
                (f"{self.state.best} 分 ", "bold"),
                (stars_text(self.state.stars), "$warning"),
            ]
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        self._refresh_mode()

    def _refresh_mode(self) -> None:
        note = "  （晋升考核固定为考核模式）" if self.level.exam else "  （m 切换）"
        self.query_one("#mode-line", Static).update(
            Content.assemble(
                ("模式 ", "$text-muted"),
                (MODE_NAMES[self.mode], "bold"),
                (note, "$text-muted"),
                "\n",
                (MODE_HELP[self.mode], "$text-muted"),
            )
        )

    def action_toggle_mode(self) -> None:
        if self.level.exam:
            self.notify("晋升考核只能以考核模式进行。", severity="warning", markup=False)
            return
        self.mode = "assessment" if self.mode == "practice" else "practice"
        self._refresh_mode()

    @on(Button.Pressed, "#begin")
    def action_begin(self) -> None:
        self.post_message(self.Begin(self.level, self.mode))
