"""Diagnostics: located, coded problems in trainers' files.

Codes are stable (trainers look them up in levels/README.md), like Yarn Spinner's YS0001.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

# code -> (short English name, explanation for the trainer guide, in Chinese)
CODES: dict[str, tuple[str, str]] = {
    "CQ001": ("yaml-syntax", "YAML 语法错误:缩进、冒号或引号有误,文件无法解析。"),
    "CQ002": ("file-too-large", "文件过大或别名(&/*)展开过多,为安全起见拒绝加载。"),
    "CQ003": ("unknown-key", "未知字段:拼写错误或字段放错了位置(会提示最接近的字段名)。"),
    "CQ004": ("invalid-value", "字段的值类型或取值不对,例如分数超出 0–100、未知的层级或人设。"),
    "CQ005": ("missing-key", "缺少必填字段。"),
    "CQ006": ("duplicate-id", "id 重复:关卡、规则卡、术语、题库或题目的 id 必须全局唯一。"),
    "CQ007": ("dangling-next", "`next`、`start` 或路由 `to` 指向了不存在的节点或结局。"),
    "CQ008": ("unreachable-node", "节点或结局从起点永远走不到。"),
    "CQ009": ("endless-path", "对话中存在走不到任何结局的死循环。"),
    "CQ010": ("unreachable-pass", "任何路径都达不到及格分。"),
    "CQ011": ("unknown-level", "`requires` 引用了不存在的关卡 id。"),
    "CQ012": ("requires-cycle", "关卡之间的 `requires` 形成了循环,永远无法解锁。"),
    "CQ013": ("unknown-ref", "`ref` 或 `violation` 引用的规则卡/术语不存在。"),
    "CQ014": ("bad-condition", "条件表达式写法有误(例:`信任 >= 40 and verified`)。"),
    "CQ015": ("unknown-meter", "效果或条件里用到了未定义的指标;在 `meters` 中先定义。"),
    "CQ016": ("flag-never-set", "条件检查的标记(flag)从未被任何选项 `set`。"),
    "CQ017": ("draw-too-few", "`draw` 要抽的题目数量多于题库中符合条件的题目数。"),
    "CQ018": ("unknown-bank", "`draw` 引用的题库不存在。"),
    "CQ019": ("duplicate-key", "同一个映射里同一个字段写了两次(后者会悄悄覆盖前者)。"),
    "CQ020": ("unknown-file", "content/ 中的文件无法识别:顶层应为 rules、terms、scripts 或 bank。"),
    "CQ021": ("bucket-mismatch", "`bucket` 与 `days_overdue` 不一致(M1=1–30 天,M2=31–60 天…)。"),
    "CQ022": ("exam-setup", "晋升考核设置有误:每个层级最多一个 `exam: true` 的关卡。"),
    "CQ023": ("tier-order", "`requires` 引用了更高层级的关卡。"),
    "CQ024": ("no-good-path", "对话里没有任何 `quality: good` 的选项,玩家无从学习正确做法。"),
    "CQ025": (
        "route-fallback",
        "路由列表的最后一项带有 `if`;条件都不成立时会走最后一项,应写一个不带 `if` 的兜底路由。",
    ),
    "CQ026": ("choices-all-hidden", "某个节点在可能出现的状态下所有选项的 `if` 都不成立(此时游戏会显示全部选项)。"),
    "CQ027": ("violation-not-red-line", "`violation` 指向的规则卡不是红线(`red_line: true`),却会让关卡直接失败。"),
    "CQ028": ("too-large", "对话状态太多,无法穷举检查;请拆分对话或减少指标变化。"),
    "CQ029": ("stars-unreachable", "任何路径都拿不到三星(或二星)所需的分数。"),
    "CQ030": ("never-reached", "节点或结局虽有 `next` 指向,但指标和标记的条件使它永远走不到。"),
    "CQ033": ("comma-splits-option", "`[...]` 列表里的半角逗号把一个选项拆成了两个(警告):改用全角逗号“，”或加引号。"),
    "CQ034": ("comment-cuts-text", "未加引号的文字里有“ #”,后面的内容被当成注释删掉了(警告):整段文字加引号。"),
    "CQ036": (
        "roster-row",
        "名单或布置文件(roster / assignments,YAML 或 CSV)某一行有误:缺姓名、未知关卡、日期格式等。",
    ),
    "CQ035": (
        "not-a-yaml-file",
        "文件名以 .yaml.txt / .yml.txt 结尾(Windows 隐藏了扩展名),游戏不会加载:改名为 .yaml。",
    ),
    "CQ040": (
        "unsafe-text",
        "文字或字段名中有控制字符(响铃、回车、ESC 等)、方向控制符(RLO 等)或零宽字符,会扰乱终端显示或藏起文字。",
    ),
}

# Names of the lists and maps of a level or handbook file, for paths a trainer can follow:
# ("stages", 1, "questions", 3, "options", 0) -> 第 2 个环节 · 第 4 题 · 选项 1.
_ITEM_NAMES = {
    "stages": "第 {n} 个环节",
    "questions": "第 {n} 题",
    "options": "选项 {n}",
    "choices": "第 {n} 个回答",
    "transcript": "第 {n} 句",
    "draw": "第 {n} 次抽题",
    "rule_choices": "规则选项 {n}",
    "next": "第 {n} 条路由",
    "variants": "第 {n} 个变体",
    "rules": "第 {n} 张规则卡",
    "terms": "第 {n} 个术语",
    "scripts": "第 {n} 段话术",
    "requires": "前置关卡 {n}",
    "skills": "技能 {n}",
    "tags": "标签 {n}",
}
_KEYED_NAMES = {"nodes": "节点 {k}", "endings": "结局 {k}", "effects": "效果 {k}", "meters": "指标 {k}"}
_KEY_NAMES = {"case": "案件"}


def place_name(path: Sequence[Any]) -> str:
    """A data path in words a trainer can follow, 1-based: 第 2 个环节 · 第 4 题 · 选项 1."""
    parts: list[str] = []
    parent: Any = None
    for part in path:
        if isinstance(part, int):
            template = _ITEM_NAMES.get(str(parent), "第 {n} 项")
            if parts and parent in _ITEM_NAMES:
                parts.pop()  # "第 2 个环节" replaces the bare "stages"
            parts.append(template.format(n=part + 1))
        elif parent in _KEYED_NAMES and parts and parts[-1] == f"`{parent}`":
            parts[-1] = _KEYED_NAMES[parent].format(k=part)
        else:
            parts.append(_KEY_NAMES.get(str(part), f"`{part}`"))
        parent = part
    return " · ".join(parts) or "文件顶层"


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    column: int
    code: str
    message: str
    severity: str = "error"  # "error" fails validation; "warning" is printed only

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.code} {self.message}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class LoadError(Exception):
    """Raised when a file cannot be turned into a model; carries located diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics
