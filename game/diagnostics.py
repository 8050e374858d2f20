"""Diagnostics: located, coded problems in trainers' files.

Codes are stable (trainers look them up in levels/README.md), like Yarn Spinner's YS0001.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

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
    "CQ040": (
        "unsafe-text",
        "文字或字段名中有控制字符(响铃、回车、ESC 等)、方向控制符(RLO 等)或零宽字符,会扰乱终端显示或藏起文字。",
    ),
}


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
