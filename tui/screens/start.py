"""The start screen: pick who is playing, or create a new player (name and team / 小组)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from game.progression import rank_for, total_stars
from game.store import Store
from game.store.errors import StorageProblem
from game.store.records import DEFAULT_TEAM, Player, clean_name
from tui.screens.host import host
from tui.screens.pin import PinDialog
from tui.widgets.prose import Prose

NAME_MAX = 20
TEAM_MAX = 20


class PlayerChosen(Message):
    """The player to play as (sent up to the app)."""

    def __init__(self, player: Player) -> None:
        super().__init__()
        self.player = player


def banner() -> Content:
    return Content.assemble(
        ("催 收 闯 关", "bold $accent"),
        ("   CollectQuest\n", "$text-muted"),
        ("合规 · 尊重 · 有效", "bold"),
        ("   新手 → 中级 → 主管，三级闯关", "$text-muted"),
    )


class FieldInput(Input):
    """A form field where `?` opens help while the field is empty (as it does everywhere else),
    and is typed as a character once the field has text."""

    async def _on_key(self, event: Key) -> None:
        if event.character in ("?", "？") and not self.value:
            event.stop()
            event.prevent_default()
            await self.run_action("app.help")
            return
        await super()._on_key(event)


class StartScreen(Screen[None]):
    """Choose or create a player profile."""

    CSS_PATH = "start.tcss"
    AUTO_FOCUS = "#players"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "play", "进入游戏", key_display="Enter", show=True, id="start.play"),
        Binding("n", "new_player", "新建玩家", tooltip="输入姓名与小组", id="start.new-player"),
        Binding("tab", "app.focus_next", "切换", show=False, id="start.focus-next"),
    ]

    def __init__(self, store: Store, *, require_pin: bool = False) -> None:
        super().__init__()
        self.store = store
        self.require_pin = require_pin
        """A served game: every player signs in with a PIN (one without a PIN sets one first)."""
        self.sub_title = "选择玩家"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with VerticalScroll(id="start-body"):
            yield Prose(banner(), id="banner")
            if self.store.problems:
                with Vertical(id="problems") as problems:
                    problems.border_title = "存档提示"
                    for problem in self.store.problems:
                        yield Prose(Content("⚠ " + problem))
            with Horizontal(id="start-columns"):
                with Vertical(id="players-box") as box:
                    box.border_title = "选择玩家"
                    yield OptionList(id="players")
                    yield Prose("", id="no-players")
                with Vertical(id="new-box") as box:
                    box.border_title = "新建玩家"
                    yield Label("姓名", classes="field-label")
                    yield FieldInput(placeholder="例如：王小明", max_length=NAME_MAX, id="name")
                    yield Label("小组", classes="field-label")
                    yield FieldInput(placeholder="例如：催收一组（可不填）", max_length=TEAM_MAX, id="team")
                    yield Prose("", id="form-error")
                    yield Button("创建并进入", variant="primary", id="create")
            yield Prose("", id="loading")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_players()
        self.watch(self.app, "catalog", self._catalog_changed, init=True)

    def _catalog_changed(self, catalog: object) -> None:
        loading = self.query_one("#loading", Static)
        if catalog is None:
            loading.update(Content.styled("◌ 正在载入关卡与手册…", "$text-muted"))
        else:
            levels = len(getattr(catalog, "levels", {}))
            rules = len(getattr(catalog, "rules", {}))
            loading.update(Content.styled(f"已载入 {levels} 个关卡 · {rules} 张规则卡", "$text-muted"))
            self.refresh_players()  # titles need the levels

    def refresh_players(self) -> None:
        players = self.store.players()
        options = []
        catalog = host(self.app).catalog
        for player in players:
            bests = self.store.bests(player.id)
            stars = total_stars(bests)
            # Titles depend on the levels passed; until the catalog has loaded, show stars alone.
            title = f"{rank_for(catalog.levels, bests)} · " if catalog is not None else ""
            options.append(
                Option(
                    Content.assemble(
                        (player.name, "bold"),
                        ("  ·  " + player.team if player.team else "", "$text-muted"),
                        "\n",
                        (f"  {title}★ {stars}", "$text-muted"),
                    ),
                    id=player.id,
                )
            )
        player_list = self.query_one("#players", OptionList)
        player_list.set_options(options)
        self.set_class(not options, "-no-players")  # start.tcss: a hint instead of an empty list
        self.query_one("#no-players", Static).update(
            "" if options else Content("还没有玩家。\n在右边输入姓名和小组，创建你的档案。")
        )
        if options:
            player_list.highlighted = 0
            player_list.focus()
        else:
            self.query_one("#name", Input).focus()

    def action_play(self) -> None:
        focused = self.focused
        if isinstance(focused, Input) or focused is self.query_one("#create"):
            self.create_player()
            return
        player_list = self.query_one("#players", OptionList)
        if player_list.highlighted is not None:
            self._choose(player_list.get_option_at_index(player_list.highlighted).id)

    def action_new_player(self) -> None:
        self.query_one("#name", Input).focus()

    @on(OptionList.OptionSelected, "#players")
    def _player_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_id)

    def _choose(self, player_id: str | None) -> None:
        player = self.store.get_player(player_id) if player_id else None
        if player is not None:
            self._sign_in(player)

    def _sign_in(self, player: Player) -> None:
        """Enter as `player`: after their PIN if they have one; on a served game, after setting one."""
        if self.store.has_pin(player.id):

            def checked(pin: str | None) -> None:
                if pin is not None:
                    self.post_message(PlayerChosen(player))

            self.app.push_screen(PinDialog(player.name, lambda pin: self.store.check_pin(player.id, pin)), checked)
        elif self.require_pin:

            def chosen(pin: str | None) -> None:
                if pin is not None:
                    self.store.set_pin(player.id, pin)
                    self.post_message(PlayerChosen(player))

            self.app.push_screen(PinDialog(player.name, None), chosen)
        else:
            self.post_message(PlayerChosen(player))

    @on(Input.Submitted, "#name")
    def _name_done(self) -> None:
        self.query_one("#team", Input).focus()

    @on(Input.Submitted, "#team")
    @on(Button.Pressed, "#create")
    def create_player(self) -> None:
        name = self.query_one("#name", Input).value
        team = self.query_one("#team", Input).value.strip()
        error = self.query_one("#form-error", Static)
        existing = self._existing_player(name, team)
        if existing is not None:
            self._offer_existing(existing)
            return
        try:
            player = self.store.create_player(name, team)
        except (ValueError, StorageProblem) as exc:  # a bad name, or a full disk / read-only folder
            error.update(Content.styled(f"✗ {exc}", "$text-error"))
            self.query_one("#name", Input).focus()
            return
        error.update("")
        self.query_one("#name", Input).value = ""
        self.query_one("#team", Input).value = ""
        self.refresh_players()
        self._sign_in(player)

    def _existing_player(self, name: str, team: str) -> Player | None:
        """The player this name and team already belong to (names compare as stored)."""
        try:
            team = clean_name(team, "团队名") if team.strip() else DEFAULT_TEAM
        except ValueError:
            return None
        return self.store.find_player(name, team)

    def _offer_existing(self, player: Player) -> None:
        """Same name in the same team: that is most likely the trainee coming back."""

        def decided(yes: bool | None) -> None:
            if yes:
                self.query_one("#name", Input).value = ""
                self.query_one("#team", Input).value = ""
                self.query_one("#form-error", Static).update("")
                self.post_message(PlayerChosen(player))
            else:
                self.query_one("#form-error", Static).update(
                    Content.styled("✗ 这个名字在该小组已被使用，请换一个（例如加上工号）。", "$text-error")
                )
                self.query_one("#name", Input).focus()

        from tui.screens.dialogs import ConfirmDialog  # here: the first screen shows before the level models load

        question = f"小组「{player.team}」里已经有玩家「{player.name}」。是你吗？以这个玩家继续？"
        self.app.push_screen(ConfirmDialog(question, yes="以此玩家继续", no="换个名字", title="玩家已存在"), decided)

    def on_screen_resume(self) -> None:
        self.refresh_players()
