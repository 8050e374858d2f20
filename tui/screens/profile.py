"""The trainee's profile (个人档案): score per skill with its trend, badges, the practice streak and
the endings found per level."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Sparkline, Static

from game.profile import Profile
from game.store.records import Player
from tui.widgets.lists import Bullet


class ProfileScreen(Screen[None]):
    """Shows a Profile built by the engine."""

    CSS_PATH = "profile.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "返回", key_display="Esc", id="profile.close")
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
                for found in profile.endings:
                    yield Static(
                        Content.assemble(
                            (found.title, "bold"), ("  已解锁结局 ", "$text-muted"), f"{found.found}/{found.total}"
                        )
                    )
        yield Footer()

    def action_close(self) -> None:
        self.dismiss()
