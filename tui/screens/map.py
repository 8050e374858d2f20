"""The level map: the three tiers and every level's state, the player's rank and progress, the
promotion exams, and the mode (练习 / 考核) the next run is played in."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Footer,
    Header,
    LoadingIndicator,
    OptionList,
    ProgressBar,
    Static,
)

from game.adaptive import suggest_next
from game.catalog import Catalog
from game.gains import GAIN_TESTS, due_test, gain_test
from game.models import STAGE_KIND_NAMES, TIERS, Level
from game.placement import TEST_NAMES, placement_level
from game.progress import SavedProgress
from game.progression import (
    BestResult,
    LevelState,
    exam_of,
    map_states,
    next_rank,
    rank_for,
    tier_open,
    total_stars,
    xp,
)
from game.session import MODE_NAMES
from game.store import Store
from game.store.errors import StorageProblem
from game.store.records import Player
from tui.screens.host import host
from tui.widgets.bars import stars_text
from tui.widgets.casefile import money
from tui.widgets.lists import Bullet, HangingItem, LevelList, Rows
from tui.widgets.prose import Prose
from tui.widgets.rulecard import muted

STATE_MARKS = {
    "passed": ("✓", "$success"),
    "open": ("○", "$accent"),
    "locked": ("⊘", "$text-muted"),
    "saved": ("▶", "$warning"),
}

MODE_HELP = {
    "practice": "练习：每一步都有反馈和提示，成绩不上排行榜",
    "assessment": "考核：结束后统一反馈，成绩计入排行榜",
}


def level_item(state: LevelState, saved: bool) -> HangingItem:
    """A level on the map: mark and title; below it stars and best, or why it is locked."""
    level = state.level
    key = "saved" if saved else "passed" if state.passed else "open" if state.open else "locked"
    mark, style = STATE_MARKS[key]
    exam_tag = ("◆ " if "考核" in level.title else "◆ 晋升考核 ") if level.exam else ""
    title = Content.assemble((exam_tag, "bold $warning"), (level.title, "bold" if state.open else "$text-muted"))
    if saved:
        second = Content.styled("▶ 未完成，按 Enter 继续", "$warning")
    elif state.passed:
        second = Content.assemble(
            (stars_text(state.stars), "$warning"), (f"  最佳 {state.best} 分 · 已通过", "$text-muted")
        )
    elif state.open:
        best = f"最佳 {state.best} 分 · 未通过" if state.best is not None else "可挑战"
        second = Content.styled(f"☆☆☆  {best} · 及格 {level.pass_score}", "$text-muted")
    else:
        second = Content.styled(str(state.locked_reason), "$text-muted")
    return HangingItem(Content.styled(f" {mark} ", f"bold {style}"), title, id=level.id, extra=(second,))


def tier_heading(tier: str, is_open: bool, states: list[LevelState], catalog: Catalog) -> Content:
    passed = sum(s.passed for s in states)
    if is_open:
        status = Content.styled(f" 已通过 {passed}/{len(states)}", "$text-muted")
    else:
        index = TIERS.index(tier)
        exam = exam_of(catalog.levels.values(), TIERS[index - 1]) if index else None
        status = Content.styled(f" ⊘ 通过「{exam.title}」后开放" if exam else " ⊘ 未开放", "$text-muted")
    return Content.assemble((f"━━ {tier} ━━", "bold $accent" if is_open else "bold $text-muted"), status)


class MapScreen(Screen[None]):
    """The level map of one player."""

    CSS_PATH = "map.tcss"
    AUTO_FOCUS = "#levels"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_mode", "练习/考核", tooltip="切换本次挑战的模式", id="map.toggle-mode"),
        Binding("l", "leaderboard", "排行榜", id="map.leaderboard"),
        Binding("h", "handbook", "手册", id="map.handbook"),
        Binding("v", "review", "错题复习", show=False, key_display="v", id="map.review"),
        Binding("t", "placement", "定级测试", show=False, key_display="t", id="map.placement"),
        Binding("i", "profile", "个人档案", show=False, key_display="i", id="map.profile"),
        Binding("r", "resume", "继续未完成", show=False, id="map.resume"),
        Binding("escape,p", "switch_player", "换玩家", key_display="Esc", id="map.switch-player"),
    ]

    class LevelPicked(Message):
        """The player wants to play this level in this mode."""

        def __init__(self, level_id: str, mode: str) -> None:
            super().__init__()
            self.level_id = level_id
            self.mode = mode

    def __init__(self, store: Store, player: Player) -> None:
        super().__init__()
        self.store = store
        self.player = player
        self.sub_title = f"{player.name}{' · ' + player.team if player.team else ''}"
        self.level_ids: list[str | None] = []
        self._resume_offered = False
        self.due_test: str | None = None
        """The mid or post test due now (t starts it instead of the placement test)."""
        self.bests: dict[str, BestResult] = {}
        """The player's best results as last read from the store (by the standing worker)."""
        self._standing_asked = 0
        self._saved: tuple[SavedProgress | None] | None = None
        """The saved progress as last read (None: not read yet)."""

    @property
    def mode(self) -> str:
        return host(self.app).preferred_mode

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="rank-bar"):
            yield Prose("", id="rank")
            with Vertical(id="rank-progress-box"):
                yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="rank-progress")
                yield Prose("", id="rank-next")
            yield Prose("", id="mode")
        with Horizontal(id="map-body"):
            with Vertical(id="levels-box") as box:
                box.border_title = "关卡地图"
                yield LoadingIndicator(id="map-loading")
                yield LevelList(id="levels")
                yield Prose("", id="suggestion")
            with VerticalScroll(id="detail") as detail:
                detail.border_title = "关卡详情"
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "catalog", self._catalog_changed, init=True)

    def on_screen_resume(self) -> None:
        self.refresh_map()

    def _catalog_changed(self, catalog: Catalog | None) -> None:
        self.set_class(catalog is None, "-loading")  # map.tcss: a spinner until the levels are read
        if catalog is not None:
            self.refresh_map()
            if not self._resume_offered:
                self._resume_offered = True
                self.call_after_refresh(host(self.app).offer_resume)

    @property
    def catalog(self) -> Catalog | None:
        return host(self.app).catalog

    def refresh_map(self) -> None:
        """Read the player's bests and saved progress from the store off the UI thread, then redraw."""
        self._refresh_mode()
        if self._saved is not None:
            self._draw(self.bests, self._saved[0] if self._saved else None)  # at once, from the last read
        self._standing_asked += 1
        self._read_standing(self._standing_asked)

    @work(thread=True, group="map-standing")
    def _read_standing(self, asked: int) -> None:
        try:
            bests = self.store.bests(self.player.id)
            # A save still waiting for the store (a lock held elsewhere) is newer than the stored one.
            waiting, stored = host(self.app).progress_saver.pending(self.player.id)
            if not waiting:
                stored = self.store.load_progress(self.player.id)
            catalog = self.catalog
            due = self._find_due_test(catalog, bests) if catalog is not None else None
        except StorageProblem as problem:
            self.app.call_from_thread(self._standing_failed, asked, str(problem))
            return
        self.app.call_from_thread(self._show_standing, asked, bests, SavedProgress.from_stored(stored), due)

    def _standing_failed(self, asked: int, problem: str) -> None:
        if asked != self._standing_asked or not self._showing():
            return
        self.query_one("#rank", Static).update(Content.styled("成绩暂时读不出来", "$text-error"))
        self.notify(
            f"读取成绩失败：{problem}\n地图上的星数和关卡状态可能不准；回到地图时会再试。",
            title="存档问题",
            severity="error",
            timeout=10,
            markup=False,
        )

    def _show_standing(
        self, asked: int, bests: dict[str, BestResult], saved: SavedProgress | None, due: str | None
    ) -> None:
        if asked != self._standing_asked or not self._showing():
            return  # a newer read is on its way, or the map was closed
        self.bests = bests
        self.due_test = due
        self._saved = (saved,)
        self._draw(bests, saved)

    def _showing(self) -> bool:
        """The map is on screen with its widgets (a late worker result may arrive as the app closes)."""
        return self.is_attached and not self._closing and bool(self.query("#rank"))

    def _draw(self, bests: dict[str, BestResult], saved: SavedProgress | None) -> None:
        self._refresh_rank(bests)
        catalog = self.catalog
        if catalog is None:
            return
        saved_level = saved.level if saved else None
        order = catalog.levels_in_play_order()
        placed = self._placed()
        states = map_states(catalog.levels, bests, order, placed)
        items: list[HangingItem] = []
        self.level_ids = []
        for tier in TIERS:
            tier_states = [s for s in states if s.level.tier == tier]
            if not tier_states:
                continue
            is_open = tier_open(catalog.levels, bests, tier, placed)
            items.append(HangingItem(Content(""), tier_heading(tier, is_open, tier_states, catalog), disabled=True))
            self.level_ids.append(None)
            for state in tier_states:
                items.append(level_item(state, state.level.id == saved_level))
                self.level_ids.append(state.level.id)
        self._refresh_review_count(catalog, bests)
        self._refresh_suggestion(catalog, bests, placed)
        levels = self.query_one("#levels", LevelList)
        previous = levels.highlighted_option.id if levels.highlighted_option else None
        levels.set_items(items)
        target = previous if previous is not None and previous in self.level_ids else self._first_playable(states)
        if target is not None and target in self.level_ids:
            levels.highlighted = self.level_ids.index(target)
        self._show_detail()

    def _placed(self) -> frozenset[str]:
        placed = getattr(self.app, "placed", None)
        return placed() if callable(placed) else frozenset()

    def _find_due_test(self, catalog: Catalog, bests: dict[str, BestResult]) -> str | None:
        # In the standing worker: the history is read only once an exam that opens a gain test is passed.
        exams = [exam_of(catalog.levels.values(), tier) for tier in GAIN_TESTS.values()]
        if not any(exam is not None and exam.id in bests and bests[exam.id].passed for exam in exams):
            return None
        return due_test(self.store.runs(self.player.id), catalog)

    def _refresh_suggestion(self, catalog: Catalog, bests: dict[str, BestResult], placed: frozenset[str]) -> None:
        """建议下一关: inside the tier, the open level that trains the weakest skill."""
        line = self.query_one("#suggestion", Prose)
        found = suggest_next(catalog, bests, placed)
        line.display = found is not None
        if found is not None:
            line.update(
                Content.assemble(
                    ("建议下一关：", "$text-muted"),
                    (found.level.title, "bold"),
                    ("（你的弱项：" if found.score is not None else "（还没练过：", "$text-muted"),
                    (found.skill, "bold $warning"),
                    (f" {found.score} 分）" if found.score is not None else "）", "$text-muted"),
                )
            )

    def _refresh_review_count(self, catalog: Catalog, bests: dict[str, BestResult]) -> None:
        """错题本 size and due cards under the level list; for a new trainee, the placement test."""
        learning = getattr(self.app, "learning", None)
        box = self.query_one("#levels-box")
        if learning is None:
            return
        now = getattr(self.app, "now", datetime.now)()
        learning.migrate_wrong_list(self.store, self.player.id, catalog, now)
        cards = learning.cards(self.player.id)
        due = [c for c in cards if c.is_due(now)]
        test = f" · {TEST_NAMES[self.due_test]}已开放（t）" if self.due_test else ""
        if due:
            box.border_subtitle = f"错题本 {len(cards)} 张 · {len(due)} 张待复习（v）{test}"
        elif cards:
            box.border_subtitle = f"错题本 {len(cards)} 张 · 暂无到期{test}"
        elif test:
            box.border_subtitle = test.removeprefix(" · ")
        elif not bests and learning.placement(self.player.id) is None:
            box.border_subtitle = "有经验？按 t 做定级测试"
        else:
            box.border_subtitle = ""

    def _first_playable(self, states: list[LevelState]) -> str | None:
        for state in states:
            if state.open and not state.passed:
                return state.level.id
        return states[0].level.id if states else None

    def highlight_level(self, level_id: str) -> None:
        if level_id in self.level_ids:
            self.query_one("#levels", OptionList).highlighted = self.level_ids.index(level_id)

    def _refresh_rank(self, bests: dict[str, BestResult]) -> None:
        stars = total_stars(bests)
        catalog = self.catalog
        levels = catalog.levels if catalog is not None else {}
        self.query_one("#rank", Static).update(
            Content.assemble(
                ("称号  ", "$text-muted"),
                (rank_for(levels, bests), "bold $accent"),
                ("\n★ ", "$warning"),
                (str(stars), "bold"),
                ("  经验 ", "$text-muted"),
                (f"{xp(bests):,}", "bold"),
            )
        )
        progress = self.query_one("#rank-progress", ProgressBar)
        upcoming = next_rank(levels, bests)
        if upcoming is None:
            progress.update(total=1, progress=1)
            self.query_one("#rank-next", Static).update(Content.styled("已是最高称号", "$text-muted"))
        else:
            rank, needs = upcoming
            progress.update(total=max(rank.stars, 1), progress=min(stars, rank.stars))
            self.query_one("#rank-next", Static).update(
                Content.assemble(("距「", "$text-muted"), (rank.title, "bold"), (f"」还需 {needs}", "$text-muted"))
            )

    def _refresh_mode(self) -> None:
        practice = self.mode == "practice"
        self.query_one("#mode", Static).update(
            Content.assemble(
                ("模式（m）\n", "$text-muted"),
                ("◉ 练习" if practice else "○ 练习", "bold $success" if practice else "$text-muted"),
                "  ",
                ("◉ 考核" if not practice else "○ 考核", "bold $warning" if not practice else "$text-muted"),
            )
        )

    @on(OptionList.OptionHighlighted, "#levels")
    def _highlighted(self) -> None:
        self._show_detail()

    def _current_level(self) -> Level | None:
        levels = self.query_one("#levels", OptionList)
        option = levels.highlighted_option
        catalog = self.catalog
        if option is None or option.id is None or catalog is None:
            return None
        return catalog.levels.get(option.id)

    def _show_detail(self) -> None:
        level = self._current_level()
        detail = self.query_one("#detail", VerticalScroll)
        detail.remove_children()
        catalog = self.catalog
        if level is None or catalog is None:
            return
        state = map_states(catalog.levels, self.bests, [level], self._placed())[0]
        widgets: list[Widget] = [
            Prose(
                Content.assemble(
                    ("◆ 晋升考核  " if level.exam else "", "bold $warning"),
                    (level.title, "bold"),
                    "\n",
                    (f"{level.tier} · 第 {level.order} 关 · 及格 {level.pass_score} 分", "$text-muted"),
                ),
                classes="detail-head",
            ),
        ]
        if level.summary:
            widgets.append(Prose(Content(level.summary), classes="detail-block"))
        if level.objectives:
            widgets.append(Prose(Content.styled("目标", "$text-muted"), classes="detail-block"))
            widgets += [Bullet(objective) for objective in level.objectives]
        case = level.case
        widgets.append(
            Rows(
                [
                    (
                        muted("客户"),
                        Content(f"{case.debtor} · {case.persona} · {money(case.amount)} · 逾期 {case.days_overdue} 天"),
                    ),
                    (muted("环节"), Content(" → ".join(STAGE_KIND_NAMES[stage.kind] for stage in level.stages))),
                    (muted("技能"), Content("、".join(level.skills))),
                ],
                label_width=5,
                classes="detail-block",
            )
        )
        if not state.open:
            status = Content.styled(f"⊘ {state.locked_reason}", "bold $text-warning")
        elif state.passed:
            status = Content.assemble(
                ("✓ 已通过  ", "bold $text-success"), (stars_text(state.stars), "$warning"), f"  最佳 {state.best} 分"
            )
        elif state.best is not None:
            status = Content.assemble(("✗ 未通过  ", "bold $text-error"), f"最佳 {state.best} 分")
        else:
            status = Content.styled("○ 尚未挑战", "bold")
        if state.open:
            mode = "assessment" if level.exam else self.mode
            note = "（晋升考核只能以考核模式进行）" if level.exam else ""
            status = Content("\n").join(
                [
                    status,
                    Content.assemble(("本次模式  ", "$text-muted"), (MODE_NAMES[mode], "bold"), note),
                    Content.styled(MODE_HELP[mode], "$text-muted"),
                ]
            )
        widgets.append(Prose(status, classes="detail-block"))
        detail.mount_all(widgets)

    # --- actions ------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#levels")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self._pick(event.option_id)

    def action_play(self) -> None:
        level = self._current_level()
        if level is not None:
            self._pick(level.id)

    def _pick(self, level_id: str) -> None:
        saved = host(self.app).saved_progress()
        if saved is not None and saved.level == level_id:
            host(self.app).resume_run()
            return
        self.post_message(self.LevelPicked(level_id, self.mode))

    def action_toggle_mode(self) -> None:
        new = "assessment" if self.mode == "practice" else "practice"
        host(self.app).preferred_mode = new
        self._refresh_mode()
        self._show_detail()

    def action_leaderboard(self) -> None:
        level = self._current_level()
        host(self.app).open_leaderboard(level.id if level else None)

    def action_placement(self) -> None:
        from tui.screens.briefing import BriefingScreen

        catalog = self.catalog
        if catalog is None:
            return
        if self.due_test is not None:  # the mid or post test, without the questions taken before
            found = gain_test(catalog, self.due_test, self.store.runs(self.player.id))
        else:
            level = placement_level(catalog)
            found = None if level is None else (level, catalog)
        if found is None:
            self.notify("题库里没有可用于测验的题目。", severity="warning", markup=False)
            return
        self.post_message(BriefingScreen.Begin(found[0], "assessment", found[1]))

    def action_profile(self) -> None:
        host(self.app).open_profile()

    def action_review(self) -> None:
        host(self.app).open_review()

    def action_handbook(self) -> None:
        host(self.app).open_handbook()

    def action_resume(self) -> None:
        host(self.app).resume_run()

    def action_switch_player(self) -> None:
        host(self.app).player = None
        self.dismiss()
