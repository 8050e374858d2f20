"""The results of a level: total, stars, pass or fail, the score per dimension, every violation
with its rule, a judged review of every decision, and what to study next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header

from game.models import STAGE_KIND_NAMES, Level
from game.progression import BestResult, is_new_record
from game.review import Review, ReviewItem
from game.scoring import LevelResult
from tui.screens.host import host
from tui.screens.run import LevelRun
from tui.widgets.bars import DimensionBars, ScoreBar, stars_text
from tui.widgets.lists import Bullet, Rows
from tui.widgets.prose import Prose
from tui.widgets.rulecard import ref_row, rule_citation


@dataclass(frozen=True)
class Standing:
    """How this run changed the player's standing."""

    previous_best: BestResult | None
    rank_before: str
    rank_after: str

    def new_record(self, result: LevelResult) -> bool:
        return is_new_record(self.previous_best, result.total, result.passed)


def verdict_content(result: LevelResult, level: Level) -> Content:
    if result.red_line:
        head = ("✖ 触碰红线 · 一票否决", "bold $text-error")
    elif result.passed:
        head = ("✓ 通过", "bold $text-success")
    else:
        head = ("✗ 未通过", "bold $text-error")
    return Content.assemble(
        head,
        "   ",
        (f"{result.total}", "bold"),
        (" 分", "$text-muted"),
        "   ",
        (stars_text(result.stars), "bold $warning"),
        (f"   及格线 {level.pass_score} 分", "$text-muted"),
    )


def review_mark(ok: bool | None) -> Content:
    if ok is True:
        return Content.styled("✓", "bold $text-success")
    if ok is False:
        return Content.styled("✗", "bold $text-error")
    return Content.styled("△", "bold $text-warning")


def review_item(item: ReviewItem) -> Bullet:
    """One judged decision: mark, what was said or asked, why, and the right answer if missed."""
    lines = [Content(item.title), Content.styled(item.detail, "$text-muted")]
    if item.ok is not True and item.answer:
        lines.append(Content.assemble(("正确答案  ", "$text-muted"), item.answer))
    return Bullet(Content("\n").join(lines), review_mark(item.ok), classes="review-item")


class ResultsScreen(Screen[None]):
    """Shown when a level ends."""

    CSS_PATH = "results.tcss"
    AUTO_FOCUS = "#results-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "primary", "继续", key_display="Enter", tooltip="通过则下一关，否则重玩", id="results.primary"
        ),
        Binding("r", "retry", "重玩", id="results.retry"),
        Binding("n", "next_level", "下一关", id="results.next-level"),
        Binding("escape,m", "to_map", "地图", key_display="Esc", id="results.to-map"),
        Binding("l", "leaderboard", "排行榜", id="results.leaderboard"),
        Binding("h", "handbook", "查规则", id="results.handbook"),
        Binding("s", "retry_save", "重试保存", id="results.retry-save"),
        Binding(
            "j", "replay", "从决策点重玩", tooltip="选一个对话决策点，以练习模式接着打（不计成绩）", id="results.replay"
        ),
    ]

    unsaved: reactive[str | None] = reactive(None, bindings=True, init=False)
    """Why storage refused this run (None once it is stored): the run waits in memory for 重试保存."""

    def __init__(
        self,
        run: LevelRun,
        result: LevelResult,
        review: Review,
        standing: Standing,
        next_level: Level | None,
        *,
        run_id: str = "",
        unsaved: str | None = None,
    ) -> None:
        super().__init__()
        self.run_id = run_id
        self.set_reactive(ResultsScreen.unsaved, unsaved)
        self.run = run
        self.result = result
        self.review = review
        self.standing = standing
        self.next_level = next_level
        self.sub_title = f"成绩 · {run.level.title} · {run.mode_name}"

    def compose(self) -> ComposeResult:
        run, result, catalog = self.run, self.result, self.run.catalog
        yield Header(show_clock=False, icon="◆")
        with VerticalScroll(id="results-body"):
            yield Prose(verdict_content(result, run.level), id="verdict")
            yield Prose(self._standing_line(), id="standing")
            yield Prose(self._unsaved_line(), id="unsaved")
            for missed in result.missed_minimums:
                yield Prose(
                    Content.assemble(("✗ 环节未达最低分：", "bold $text-error"), missed), classes="missed-minimum"
                )
            with Horizontal(id="score-columns"):
                with Vertical(id="dimensions-box") as box:
                    box.border_title = "各维度"
                    yield DimensionBars(result.dimensions, id="dimensions")
                with Vertical(id="stages-box") as box:
                    box.border_title = "各环节"
                    labels = [
                        f"{i}. {stage.title or STAGE_KIND_NAMES[stage.kind]}"
                        for i, stage in enumerate(run.level.stages, start=1)
                    ]
                    width = min(18, max(Content(label).cell_length for label in labels) + 1)
                    for label, score in zip(labels, result.stage_scores, strict=True):
                        yield ScoreBar(label, score, label_width=width)
            if result.violations:
                with Vertical(id="violations") as box:
                    box.border_title = "✖ 违规记录"
                    for rule_id in result.violations:
                        rule = catalog.rules.get(rule_id)
                        if rule is None:
                            yield Prose(Content("✗ 触碰红线（规则卡未载入）"))
                        else:
                            yield Prose(
                                Content.assemble(
                                    ("✗ ", "bold $text-error"),
                                    (rule.title, "bold"),
                                    "\n   ",
                                    (rule_citation(rule), "$text-muted"),
                                    "\n   ",
                                    rule.summary,
                                )
                            )
            if self.review.to_study:
                with Vertical(id="study") as box:
                    box.border_title = "建议复习（h 打开手册）"
                    rows = [row for row in (ref_row(catalog, ref, short=True) for ref in self.review.to_study) if row]
                    yield Rows(rows, label_width=5)
            if self.review.items:
                with Vertical(id="review") as box:
                    box.border_title = "逐项复盘"
                    current = None
                    for item in self.review.items:
                        if item.stage != current:
                            current = item.stage
                            yield Prose(Content.styled(item.stage, "bold $accent"), classes="review-stage")
                        yield review_item(item)
        with Horizontal(id="result-actions"):
            yield Button("重玩 (r)", id="retry")
            if self.next_level is not None:
                yield Button("下一关 (n)", variant="success", id="next")
            yield Button("返回地图 (Esc)", variant="primary", id="to-map")
        yield Footer()

    def _standing_line(self) -> Content:
        parts: list[tuple[str, str] | str] = []
        if self.standing.new_record(self.result):
            parts.append(("★ 个人新纪录！  ", "bold $warning"))
        if self.standing.rank_after != self.standing.rank_before:
            parts += [("▲ 晋升称号：", "bold $success"), (self.standing.rank_after, "bold"), "  "]
        if self.run.level.exam and self.result.passed:
            parts.append(("◆ 晋升考核通过，下一级别已开放！  ", "bold $success"))
        if self.run.practice:
            parts.append(("练习成绩不计入排行榜；用「考核」模式冲榜。", "$text-muted"))
        else:
            parts.append(("考核成绩已计入排行榜（l 查看）。", "$text-muted"))
        return Content.assemble(*parts)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_level":
            return self.next_level is not None
        if action == "retry_save":
            return self.unsaved is not None
        if action == "replay":
            return any(stage.kind == "dialogue" for stage in self.run.level.stages)
        return True

    def _unsaved_line(self) -> Content:
        if self.unsaved is None:
            return Content("")
        return Content.assemble(
            ("✗ 成绩未能保存", "bold $text-error"), ("：", "$text-muted"), self.unsaved, ("  按 s 重试保存。", "bold")
        )

    def watch_unsaved(self) -> None:
        unsaved = self.query_one("#unsaved", Prose)
        unsaved.update(self._unsaved_line())
        unsaved.set_class(self.unsaved is None, "-saved")

    def on_mount(self) -> None:
        self.query_one("#unsaved").set_class(self.unsaved is None, "-saved")

    def action_replay(self) -> None:
        session = self.run.session
        host(self.app).open_replay(self.run.level, session.seed, session.record)

    def action_retry_save(self) -> None:
        host(self.app).retry_save(self.run_id)

    def action_primary(self) -> None:
        """Enter: on to the next level after a pass, otherwise try again."""
        if self.result.passed and self.next_level is not None:
            self.action_next_level()
        elif self.result.passed:
            self.action_to_map()
        else:
            self.action_retry()

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        host(self.app).open_briefing(self.run.level.id, self.run.mode, replace=True)

    @on(Button.Pressed, "#next")
    def action_next_level(self) -> None:
        if self.next_level is None:
            self.notify("没有可挑战的下一关了。", markup=False)
            return
        host(self.app).open_briefing(self.next_level.id, self.run.mode, replace=True)

    @on(Button.Pressed, "#to-map")
    def action_to_map(self) -> None:
        self.dismiss()

    def action_leaderboard(self) -> None:
        host(self.app).open_leaderboard(self.run.level.id)

    def action_handbook(self) -> None:
        first = self.review.to_study[0] if self.review.to_study else None
        host(self.app).open_handbook(ref=first)
