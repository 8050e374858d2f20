"""Help: every key of every screen (read from the screens' own bindings, so it never drifts)
and how the game is scored. Opened with ? or F1 from anywhere."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from tui.widgets.prose import Prose

HOW_TO_PLAY = (
    ("关卡", "新手 → 中级 → 主管三级。通过本级的「晋升考核」才开放下一级；关卡按顺序解锁。"),
    ("模式", "练习：每一步都有点评和提示，不计排行榜。考核：结束后统一点评，成绩计入排行榜。晋升考核只能考核。"),
    ("对话", "按数字键选择你要说的话。信任越高、情绪越平稳越好；合规从 100 开始，只会下降。"),
    ("红线", "触碰红线（如向第三人透露债务、冒充公检法）会让「合规」归零，本关直接判为未通过。"),
    ("答题", "限时作答，越快得分越高（最少得一半）；连续答对有连对奖励，答错或超时清零。"),
    ("质检", "逐句标记违规并选出违反的规则；命中加分，漏报和误报都会扣分。"),
    ("存档", "每一步都自动保存。中途离开或退出，下次选择同一玩家即可继续或放弃。"),
)


def key_label(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    names = {
        "escape": "Esc",
        "enter": "Enter",
        "space": "空格",
        "tab": "Tab",
        "question_mark": "?",
        "slash": "/",
        "left": "←",
        "right": "→",
        "up": "↑",
        "down": "↓",
    }
    return "/".join(names.get(k, k) for k in binding.key.split(","))


def keys_of(bindings: list[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for item in bindings:
        if isinstance(item, Binding) and item.description and (item.show or item.key_display):
            rows.append((key_label(item), item.description))
    return rows


def keys_table(title: str, rows: list[tuple[str, str]]) -> Content:
    lines = [Content.styled(title, "bold $accent")]
    for key, description in rows:
        label = Content.styled(f"  {key}", "bold")
        lines.append(label.pad_right(max(1, 14 - label.cell_length)) + Content(description))
    return Content("\n").join(lines)


def screen_sections() -> list[tuple[str, type[Screen]]]:
    from tui.screens.audit import AuditScreen
    from tui.screens.briefing import BriefingScreen
    from tui.screens.dialogue import DialogueScreen
    from tui.screens.handbook import HandbookScreen
    from tui.screens.leaderboard import LeaderboardScreen
    from tui.screens.map import MapScreen
    from tui.screens.quiz import QuizScreen
    from tui.screens.results import ResultsScreen
    from tui.screens.start import StartScreen

    return [
        ("开始", StartScreen),
        ("关卡地图", MapScreen),
        ("任务简报", BriefingScreen),
        ("对话", DialogueScreen),
        ("答题", QuizScreen),
        ("质检", AuditScreen),
        ("成绩", ResultsScreen),
        ("排行榜", LeaderboardScreen),
        ("手册", HandbookScreen),
    ]


class HelpScreen(ModalScreen[None]):
    """Every key, screen by screen, with the keys of the screen below first."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "close", "关闭", key_display="Esc", id="help.close"),
    ]

    def __init__(self, below: Screen | None = None) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        sections = screen_sections()
        current = next((name for name, cls in sections if type(self.below) is cls), None)
        if current is not None:
            sections.sort(key=lambda item: item[0] != current)
        with Vertical(id="help-box") as box:
            box.border_title = "帮助 · 按键与玩法"
            with VerticalScroll(id="help-body"):
                palette = ("^p", "命令面板：跳到关卡、排行榜、搜索手册")
                global_keys = [row for row in keys_of(list(type(self.app).BINDINGS)) if row[0] != palette[0]]
                global_keys.append(palette)  # the palette once, with what it does (not twice)
                yield Prose(keys_table("全局", global_keys), classes="help-section")
                for name, cls in sections:
                    title = f"{name}（当前页面）" if name == current else name
                    yield Prose(keys_table(title, keys_of(list(cls.BINDINGS))), classes="help-section")
                play = [Content.styled("玩法", "bold $accent")]
                play += [Content.assemble((f"  {topic}  ", "bold"), text) for topic, text in HOW_TO_PLAY]
                yield Prose(Content("\n").join(play), classes="help-section")
                yield Prose(
                    Content.styled("鼠标也可以用：点击选项、按钮和标签页。", "$text-muted"), classes="help-section"
                )
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
