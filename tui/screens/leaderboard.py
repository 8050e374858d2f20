"""The leaderboard: per level, overall, and by team, all-time or this week, with the current
player highlighted. Only assessment runs count (the storage decides what counts).

The store is read in a worker thread (a shared leaderboard file or a team server may be slow):
the screen shows 加载中… until the rows arrive, and a storage problem is told on the screen."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, Tab, Tabs
from textual.worker import get_current_worker

from game.catalog import Catalog
from game.store import Store
from game.store.errors import StorageProblem
from game.store.records import LeaderboardEntry, Player
from tui.widgets.prose import Prose

VIEWS = (("level", "本关"), ("overall", "总榜"), ("teams", "小组"))


def when_text(iso: str) -> str:
    """`2026-03-05 14:20` from an ISO timestamp (or the text as it is)."""
    return iso.replace("T", " ")[:16] if iso else ""


class LeaderboardScreen(Screen[None]):
    """Leaderboards from the (possibly shared) leaderboard file."""

    CSS_PATH = "leaderboard.tcss"
    AUTO_FOCUS = "#board"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "view('level')", "本关", show=False, id="leaderboard.view-level"),
        Binding("2", "view('overall')", "总榜", show=False, id="leaderboard.view-overall"),
        Binding("3", "view('teams')", "小组", show=False, id="leaderboard.view-teams"),
        Binding("tab", "next_view", "切换榜单", key_display="Tab", id="leaderboard.next-view"),
        # One key, two bindings: the footer names the board the key switches to.
        Binding("w", "week(True)", "本周", key_display="W", id="leaderboard.show-week"),
        Binding("w", "week(False)", "总榜", key_display="W", id="leaderboard.show-all-time"),
        Binding("left,[", "level(-1)", "上一关", key_display="←", id="leaderboard.previous-level"),
        Binding("right,]", "level(1)", "下一关", key_display="→", id="leaderboard.next-level"),
        Binding("escape,q", "app.pop_screen", "返回", key_display="Esc", id="leaderboard.back"),
    ]

    def __init__(
        self, store: Store, catalog: Catalog | None, player: Player | None, level_id: str | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.catalog = catalog
        self.player = player
        self.level_ids = [lv.id for lv in catalog.levels_in_play_order()] if catalog else []
        self.level_id = level_id if level_id in self.level_ids else (self.level_ids[0] if self.level_ids else None)
        self.view = "level" if self.level_id else "overall"
        self.week = False  # this ISO week only (from Monday 00:00), else all time
        self.loaded: list[LeaderboardEntry] | None = None  # the rows shown, once they have arrived
        self._request = 0  # the latest request: rows of an older one are dropped
        self.sub_title = "排行榜 · 只计考核成绩"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Tabs(
            *(Tab(f"{label} ({n})", id=f"tab-{key}") for n, (key, label) in enumerate(VIEWS, start=1)),
            active=f"tab-{self.view}",
            id="views",
        )
        with Horizontal(id="board-head"):
            yield Prose("", id="board-title")
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Prose("", id="board-note")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_board()

    @on(Tabs.TabActivated, "#views")
    def _tab(self, event: Tabs.TabActivated) -> None:
        view = (event.tab.id or "tab-overall").removeprefix("tab-")
        if view != self.view:
            self.view = view
            self.refresh_board()

    def action_view(self, view: str) -> None:
        self.query_one("#views", Tabs).active = f"tab-{view}"

    def action_next_view(self) -> None:
        keys = [key for key, _ in VIEWS]
        self.action_view(keys[(keys.index(self.view) + 1) % len(keys)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "week":
            return bool(parameters) and parameters[0] != self.week
        return True

    def action_week(self, week: bool) -> None:
        self.week = week
        self.refresh_bindings()
        self.refresh_board()

    def action_level(self, step: int) -> None:
        if not self.level_ids:
            return
        if self.view != "level":
            self.action_view("level")
            return
        index = self.level_ids.index(self.level_id) if self.level_id in self.level_ids else 0
        self.level_id = self.level_ids[(index + step) % len(self.level_ids)]
        self.refresh_board()

    def _entries(self, view: str, level_id: str | None, week: bool) -> list[LeaderboardEntry]:
        if view == "teams":
            return self.store.leaderboard(teams=True, week=week)
        if view == "level":
            return self.store.leaderboard(level_id=level_id, week=week) if level_id else []
        return self.store.leaderboard(week=week)

    @work(thread=True, exclusive=True, group="leaderboard")
    def _load(self, request: int, view: str, level_id: str | None, week: bool) -> None:
        try:
            entries = self._entries(view, level_id, week)
        except StorageProblem as problem:  # a shared leaderboard file may be locked or damaged
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show_problem, request, str(problem))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_rows, request, entries)

    def _is_me(self, entry: LeaderboardEntry) -> bool:
        if self.player is None:
            return False
        if self.view == "teams":
            return bool(self.player.team) and entry.player == self.player.team
        if entry.player_id is not None:
            return entry.player_id == self.player.id
        return entry.player == self.player.name and entry.team == self.player.team

    def refresh_board(self) -> None:
        """Show the title of the chosen board and 加载中…, then read it in a worker."""
        title = self.query_one("#board-title", Static)
        period = ("本周（周一 0 点起）  ", "bold $warning") if self.week else ("", "")
        if self.view == "level":
            level = self.catalog.levels.get(self.level_id) if self.catalog and self.level_id else None
            title.update(
                Content.assemble(
                    period,
                    ("本关  ", "$text-muted"),
                    (level.title if level else "—", "bold"),
                    ("   ← → 换关", "$text-muted"),
                )
            )
        elif self.view == "overall":
            title.update(Content.assemble(period, ("总榜  ", "$text-muted"), ("各关最佳考核成绩之和", "bold")))
        else:
            title.update(Content.assemble(period, ("小组榜  ", "$text-muted"), ("组员成绩的平均", "bold")))
        self.sub_title = "排行榜 · 只计考核成绩 · " + ("本周" if self.week else "全部时间")
        self.query_one("#board", DataTable).clear(columns=True)
        self.loaded = None
        self.query_one("#board-note", Static).update(Content.styled("加载中…", "$text-muted"))
        self._request += 1
        self._load(self._request, self.view, self.level_id, self.week)

    def _show_problem(self, request: int, problem: str) -> None:
        if request != self._request:
            return
        self.loaded = []
        self.query_one("#board-note", Static).update(
            Content.styled(f"排行榜暂时无法读取，请稍后再试：{problem}", "$error")
        )
        self.notify(f"排行榜暂时无法读取：{problem}", title="存档问题", severity="error", timeout=8, markup=False)

    def _show_rows(self, request: int, entries: list[LeaderboardEntry]) -> None:
        if request != self._request:
            return  # the player switched boards while this one was read
        self.loaded = entries
        table = self.query_one("#board", DataTable)
        table.clear(columns=True)
        rows: list[tuple[Content, ...]] = []
        mine: int | None = None
        for rank, entry in enumerate(entries, start=1):
            me = self._is_me(entry)
            style = "bold $accent" if me else ""
            marker = ("  ◀ 你的小组" if self.view == "teams" else "  ◀ 你") if me else ""
            rows.append(
                (
                    Content.styled(f"{rank:>3}", "bold $warning" if rank <= 3 else ""),
                    Content.assemble((entry.player, style), (marker, "bold $accent")),
                    Content(str(entry.members) if self.view == "teams" else entry.team or "—"),
                    Content.styled(f"{entry.score:,}", style or "bold"),
                    Content(str(entry.attempts)),
                    Content(when_text(entry.when)),
                )
            )
            if me and mine is None:
                mine = rank - 1
        headers = [
            "名次",
            "小组" if self.view == "teams" else "玩家",
            "人数" if self.view == "teams" else "小组",
            "分数",
            "次数",
            "最佳成绩时间",
        ]
        # Explicit widths: DataTable cannot measure Content cells by itself.
        for index, header in enumerate(headers):
            width = max([Content(header).cell_length] + [row[index].cell_length for row in rows])
            table.add_column(header, width=width, key=f"col-{index}")
        for rank, row in enumerate(rows, start=1):
            table.add_row(*row, key=str(rank))
        if mine is not None:
            table.move_cursor(row=mine)
        note = self.query_one("#board-note", Static)
        if not entries and self.week:
            note.update(Content.styled("本周还没有考核成绩。本周用「考核」模式通关，就能上本周榜。", "$text-muted"))
        elif not entries:
            note.update(Content.styled("还没有考核成绩。用「考核」模式通关，就能上榜。", "$text-muted"))
        elif mine is None and self.player is not None:
            note.update(Content.styled("你还不在这张榜上。", "$text-muted"))
        else:
            note.update(Content.styled("◀ 标出的是你。", "$text-muted"))
