"""Chinese for what Textual itself shows: the descriptions of its widgets' key bindings (the Keys
panel lists them all), the command palette's system commands and its placeholder. Trainees read
only Chinese; installed once from `tui/__init__.py`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.screen import Screen

PALETTE_PLACEHOLDER = "搜索命令、关卡、手册…"

# English descriptions of Textual's built-in bindings -> Chinese.
BINDING_WORDS: dict[str, str] = {
    "Up": "上移",
    "Down": "下移",
    "First": "第一项",
    "Last": "最后一项",
    "Select": "选定",
    "Page Up": "上一页",
    "Page Down": "下一页",
    "Page up": "上一页",
    "Page down": "下一页",
    "Page Left": "向左翻页",
    "Page Right": "向右翻页",
    "Scroll Up": "向上滚动",
    "Scroll Down": "向下滚动",
    "Scroll Left": "向左滚动",
    "Scroll Right": "向右滚动",
    "Scroll Home": "滚到开头",
    "Scroll End": "滚到末尾",
    "Top": "顶部",
    "Bottom": "底部",
    "Home": "开头",
    "End": "末尾",
    "Cursor up": "光标上移",
    "Cursor down": "光标下移",
    "Cursor left": "光标左移",
    "Cursor right": "光标右移",
    "Move cursor left": "光标左移",
    "Move cursor right": "光标右移",
    "Move cursor left a word": "光标左移一词",
    "Move cursor right a word": "光标右移一词",
    "Move cursor left and select": "向左选择",
    "Move cursor right and select": "向右选择",
    "Move cursor left a word and select": "向左选择一词",
    "Move cursor right a word and select": "向右选择一词",
    "Move cursor right or accept the completion suggestion": "光标右移或接受补全",
    "Delete character left": "删除左边一字",
    "Delete character right": "删除右边一字",
    "Delete left to start of word": "删除左边一词",
    "Delete right to start of word": "删除右边一词",
    "Delete all to the left": "删除光标左边全部",
    "Delete all to the right": "删除光标右边全部",
    "Select all": "全选",
    "Go to start": "到开头",
    "Go to end": "到末尾",
    "Select line start": "选到行首",
    "Select line end": "选到行尾",
    "Submit": "确定",
    "Cut selected text": "剪切",
    "Copy selected text": "复制",
    "Paste text from the clipboard": "粘贴",
    "Cut": "剪切",
    "Copy": "复制",
    "Paste": "粘贴",
    "Undo": "撤销",
    "Redo": "重做",
    "Previous tab": "上一个标签页",
    "Next tab": "下一个标签页",
    "Press button": "按下按钮",
    "Focus Next": "下一个控件",
    "Focus Previous": "上一个控件",
    "Next command": "下一条命令",
    "Previous command": "上一条命令",
    "Next page": "下一页",
    "Previous page": "上一页",
    "Exit the command palette": "关闭命令面板",
    "Next option": "下一个选项",
    "Previous option": "上一个选项",
    "Toggle option": "勾选/取消",
    "Toggle": "切换",
    "Show menu": "展开菜单",
    "Maximize": "最大化",
    "Quit": "退出",
    "Screenshot": "截图",
    "Open link": "打开链接",
    "Unfocus any focused widget": "取消焦点",
}


GROUP_TITLES = {"Input": "输入框", "Collapsible": "折叠区"}


def _all_subclasses(cls: type) -> Iterable[type]:
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        yield sub
        yield from _all_subclasses(sub)


def _translate(binding: Any) -> Any:
    if isinstance(binding, Binding):
        words = BINDING_WORDS.get(binding.description)
        if words:
            return dataclasses.replace(binding, description=words)
    return binding


def translate_bindings() -> None:
    """Give every built-in widget class Chinese binding descriptions and drop its English help
    text (the Keys panel shows it for the focused widget)."""
    # textual.widgets loads its classes lazily: load the ones the game uses before translating.
    from textual.widgets import Button, Footer, Header, Input, OptionList, TabbedContent, Tabs  # noqa: F401

    classes = [DOMNode, *_all_subclasses(DOMNode)]
    for cls in classes:
        own = cls.__dict__.get("BINDINGS")
        if own and cls.__module__.startswith("textual."):
            cls.BINDINGS = [_translate(b) for b in own]  # type: ignore[attr-defined]
        if cls.__module__.startswith("textual.") and cls.__dict__.get("HELP"):
            cls.HELP = None  # type: ignore[attr-defined]
        title = cls.__dict__.get("BINDING_GROUP_TITLE")
        if title and cls.__module__.startswith("textual."):
            cls.BINDING_GROUP_TITLE = GROUP_TITLES.get(title, "")  # type: ignore[attr-defined]
    for cls in classes:
        cls._merged_bindings = cls._merge_bindings()  # type: ignore[attr-defined]


def system_commands(app: App[Any], screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Textual's system commands of the palette, in Chinese."""
    yield SystemCommand("主题", "切换配色主题", app.action_change_theme)
    yield SystemCommand("退出", "退出游戏", app.action_quit)
    if screen.query("HelpPanel"):
        yield SystemCommand("按键", "隐藏按键面板", app.action_hide_help_panel)
    else:
        yield SystemCommand("按键", "显示当前页面可用的按键", app.action_show_help_panel)
    if screen.maximized is not None:
        yield SystemCommand("还原", "把放大的部分还原", screen.action_minimize)
    elif screen.focused is not None and screen.focused.allow_maximize:
        yield SystemCommand("放大", "把当前焦点部分放大到全屏", screen.action_maximize)
    yield SystemCommand("截图", "把当前画面存为 SVG 截图", lambda: app.set_timer(0.1, app.deliver_screenshot))


_original_palette_init: Any = CommandPalette.__init__


def _palette_init(self: CommandPalette, *args: Any, **kwargs: Any) -> None:
    kwargs.setdefault("placeholder", PALETTE_PLACEHOLDER)
    _original_palette_init(self, *args, **kwargs)


def install() -> None:
    if getattr(CommandPalette, "_collectquest_localized", False):
        return
    translate_bindings()
    CommandPalette.__init__ = _palette_init  # type: ignore[method-assign]
    CommandPalette._collectquest_localized = True  # type: ignore[attr-defined]
