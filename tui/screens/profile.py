"""The trainee's profile (个人档案): score per skill with its trend, the gain per skill of the
前测/中测/后测, badges, the practice streak and the endings found per level."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Sparkline, Static

from game.gains import gain_text
from game.placement import TEST_IDS, TEST_NAMES
from game.profile import Profile
from game.store.records import Player
from tui.screens.host import host
from tui.widgets.lists import Bullet, HangingItem, LevelList, Rows


class ProfileScreen(Screen[None]):
    """Shows a Profile built by the engine."""

    CSS_PATH = "profile.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "返回", key_display="Esc", id="profile.close"),
        Binding("j", "replay", "从决策点重玩", tooltip="所选关卡最近一次的对话，以练习模式重玩", id="profile.replay"),
    ]

    def __init__(self, profile: Profile, player: Player) -> None:
        super().__init__()
        self.profile = profile
        self.player = player
        self.sub_title = f"个人档案 · {player.name}"

    def compose(self) -> ComposeResult:
        profile = self.profile
        yield Header(show_clock=False, icon="◆")
        with VerticalScroll(id="profile-body"):
            yield Static(
                Content.assemble(
                    ("练习 ", "$text-muted"),
                    (str(profile.runs), "bold"),
                    (" 次   连续练习 ", "$text-muted"),
                    (f"{profile.streak} 天", "bold $warning" if profile.streak else "bold"),
                    (f"（最长 {profile.best_streak} 天）", "$text-muted"),
                ),
                id="profile-head",
            )
            with Vertical(id="profile-skills") as box:
                box.border_title = "技能得分（各关最佳的平均）与走势"
                if not profile.skills:
                    yield Static(Content.styled("还没有成绩：打完一关再来看。", "$text-muted"))
                for skill, score in sorted(profile.skills.items(), key=lambda kv: -kv[1]):
                    with Horizontal(classes="skill-row"):
                        yield Static(Content.assemble((skill, "bold"), f"  {score:>3}"), classes="skill-name")
                        yield Sparkline(profile.trend.get(skill, [score]), summary_function=max, classes="skill-trend")
            with Vertical(id="profile-gains") as box:
                box.border_title = "测验提升（各技能答对率：前测 → 中测 → 后测）"
                yield from self._gains()
            with Vertical(id="profile-badges") as box:
                box.border_title = "徽章"
                if not profile.badges:
                    yield Static(Content.styled("还没有徽章：零失误通过一关，就能拿到第一枚。", "$text-muted"))
                for badge in profile.badges:
                    yield Bullet(Content.assemble((badge.title, "bold"), "  ", (badge.detail, "$text-muted")), "🏅")
            with Vertical(id="profile-endings") as box:
                box.border_title = "结局收集"
                if not profile.endings:
                    yield Static(Content.styled("打过的对话关卡会在这里列出已解锁的结局。", "$text-muted"))
                else:
                    box.border_subtitle = "↑↓ 选关卡 · j 从决策点重玩"
                    yield LevelList(id="endings")
        yield Footer()

    def on_mount(self) -> None:
        if self.profile.endings:
            items = [
                HangingItem(
                    Content(""),
                    Content.assemble(
                        (found.title, "bold"), ("  已解锁结局 ", "$text-muted"), f"{found.found}/{found.total}"
                    ),
                    id=found.level_id,
                )
                for found in self.profile.endings
            ]
            self.query_one("#endings", LevelList).set_items(items)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "replay":
            return bool(self.profile.endings)
        return True

    def action_replay(self) -> None:
        endings = self.query_one("#endings", LevelList)
        option = endings.highlighted_option
        level_id = option.id if option is not None else self.profile.endings[0].level_id
        if level_id:
            host(self.app).open_replay_of(level_id)

    @on(OptionList.OptionSelected, "#endings")
    def _ending_picked(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            host(self.app).open_replay_of(event.option_id)

    def _gains(self) -> ComposeResult:
        found = self.profile.gains
        if not found.taken:
            yield Static(
                Content.styled("还没有做过定级测试：在地图上按 t 开始，之后的中测、后测会显示提升。", "$text-muted")
            )
            return
        skills = list(dict.fromkeys(skill for test in found.taken for skill in found.tests[test]))
        rows: list[tuple[Content, Content]] = []
        for skill in skills:
            scores = [
                Content.assemble((f"{TEST_NAMES[t]} ", "$text-muted"), str(found.tests[t][skill]))
                for t in TEST_IDS
                if skill in found.tests.get(t, {})
            ]
            line = Content(" → ").join(scores)
            if skill in found.gain:
                value = found.gain[skill]
                style = "bold $text-success" if value > 0 else "bold $text-error" if value < 0 else "bold"
                line = Content.assemble(line, ("   提升 ", "$text-muted"), (gain_text(value), style))
            rows.append((Content.styled(skill, "bold"), line))
        yield Rows(rows)
        if not found.gain:
            yield Static(Content.styled("通过新手晋升考核后做中测，就能看到各项技能的提升。", "$text-muted"))

    def action_close(self) -> None:
        self.dismiss()
