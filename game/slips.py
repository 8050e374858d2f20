"""YAML slips a trainer makes when typing a level by hand, reported on the line of the slip.

PyYAML's own messages are English and often point at the line after the slip (a key without its
colon is only noticed when the next key starts). Here a syntax error is traced back to the line
the trainer must fix and worded in Chinese, naming the character and what to do, with the
English after it. Two slips parse without error but change what trainees see (an ASCII comma
that splits one option of a `[...]` list in two, and ` #` that cuts the rest of a line off as a
comment): they are found by comparing the parsed nodes with the raw line, and are warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

FULL_WIDTH_SPACE = "\u3000"
FULL_WIDTH_COLON = "："
STR_TAG = "tag:yaml.org,2002:str"

# Keys whose `[...]` lists hold ids or letters, where `[a,b]` without a space is a normal list.
ID_LIST_KEYS = frozenset({"skills", "tags", "requires", "rule_choices", "refs", "set", "answer"})

# What YAML reads an unquoted value as, for the "加引号" message.
TAG_NAMES = {
    "tag:yaml.org,2002:int": ("数字", "a number"),
    "tag:yaml.org,2002:float": ("数字", "a number"),
    "tag:yaml.org,2002:bool": ("真假值", "true/false"),
    "tag:yaml.org,2002:null": ("空值", "null"),
    "tag:yaml.org,2002:timestamp": ("日期", "a date"),
}
_SEXAGESIMAL = re.compile(r"^[-+]?\d+(:[0-5]?\d)+(\.\d*)?$")


@dataclass(frozen=True)
class Slip:
    line: int
    column: int
    message: str
    severity: str = "error"


def _indent(line: str) -> str:
    """The leading run of spaces, tabs and full-width spaces of a line."""
    return line[: len(line) - len(line.lstrip(" \t" + FULL_WIDTH_SPACE))]


def _content_start(line: str) -> int:
    """Column (0-based) where a line's key or item text starts, after indentation and `- `."""
    stripped = re.match(r"^[ \t\u3000]*(?:-[ \t]+)*", line)
    return stripped.end() if stripped else 0


def indentation_slip(lines: list[str], number: int) -> Slip | None:
    """A tab or full-width space in the indentation of line `number` (1-based)."""
    if not 1 <= number <= len(lines):
        return None
    lead = _indent(lines[number - 1])
    if "\t" in lead:
        return Slip(
            number,
            lead.index("\t") + 1,
            f"第 {number} 行的缩进里有制表符（Tab），YAML 只认空格：把 Tab 换成空格（每层 2 个）"
            f" / line {number}: a tab in the indentation; indent with spaces",
        )
    if FULL_WIDTH_SPACE in lead:
        return Slip(
            number,
            lead.index(FULL_WIDTH_SPACE) + 1,
            f"第 {number} 行用全角空格“　”缩进，YAML 只认半角空格：把全角空格换成半角空格（每层 2 个）"
            f" / line {number}: a full-width space (U+3000) in the indentation; indent with ASCII spaces",
        )
    return None


def full_width_colon_slip(lines: list[str], number: int) -> Slip | None:
    """Line `number` is `key：value` — a key followed by a full-width colon and no ASCII one."""
    if not 1 <= number <= len(lines):
        return None
    line = lines[number - 1]
    start = _content_start(line)
    match = re.match(r"[^\s:：#'\"\[\]{},]+[ \t]*：", line[start:])
    if match is None or ":" in line[start : start + match.end()]:
        return None
    return Slip(
        number,
        start + match.end(),
        f"第 {number} 行用了全角冒号“：”，键后面要用半角冒号“:”（冒号后再空一格）"
        f" / line {number}: full-width colon '：' after a key; use ':' followed by a space",
    )


def _missing_colon(number: int, column: int) -> Slip:
    return Slip(
        number,
        column,
        f"第 {number} 行缺少冒号：键和值之间要写半角冒号加空格，例如 `persona: 拖延型`"
        f" / line {number}: missing ':' between key and value",
    )


def _indent_stack(lines: list[str], before: int) -> list[int]:
    """Indentation widths of the lines enclosing line `before` (1-based), innermost first."""
    widths: list[int] = []
    for line in reversed(lines[: before - 1]):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        width = _content_start(line) if text.startswith("-") else len(_indent(line))
        if not widths or width < widths[-1]:
            widths.append(width)
        if width == 0:
            break
    return widths


def _indent_slip(lines: list[str], number: int, too_deep: bool) -> Slip:
    line = lines[number - 1] if 1 <= number <= len(lines) else ""
    width = len(_indent(line))
    stack = _indent_stack(lines, number)
    previous = _previous_line(lines, number)
    sibling = _content_start(lines[previous - 1]) if previous is not None else 0
    if not too_deep and sibling > width:
        return Slip(
            number,
            width + 1,
            f"第 {number} 行缩进太浅（{width} 个空格）：同一层的键要与上一行对齐，用 {sibling} 个空格"
            f" / line {number}: indented too shallow ({width} spaces); align it with the line above ({sibling})",
        )
    if too_deep:
        expected = sibling if sibling < width else (stack[0] if stack else 0)
        return Slip(
            number,
            width + 1,
            f"第 {number} 行缩进太深（{width} 个空格）：同一层的键要与上一行对齐，用 {expected} 个空格"
            f" / line {number}: indented too deep ({width} spaces); align it with the line above ({expected})",
        )
    choices = sorted(w for w in stack if w != width)
    near = "、".join(str(w) for w in choices[-2:]) or "0"
    return Slip(
        number,
        width + 1,
        f"第 {number} 行缩进不对（{width} 个空格），对不上上面任何一层：同一层的键要对齐，改成 {near} 个空格"
        f" / line {number}: indentation of {width} spaces matches no enclosing level; use {near}",
    )


def _quote_hint(number: int, what: str, english: str) -> str:
    return (
        f'第 {number} 行的文字里{what}，YAML 会误读：整段文字加引号（"…"） / line {number}: {english}; quote the text'
    )


# A line that holds a key (`key:` or `- key: value`), or a list item, or a block scalar's text.
_KEY_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)*(?:[^:#\s][^:#]*:(?:[ \t]|$)|-[ \t]*$|[|>])|^[ \t]*-[ \t]")


def _previous_line(lines: list[str], number: int) -> int | None:
    """The nearest line above `number` (1-based) with something on it other than a comment."""
    for index in range(number - 2, -1, -1):
        text = lines[index].strip()
        if text and not text.startswith("#"):
            return index + 1
    return None


def explain_syntax_error(text: str, exc: yaml.MarkedYAMLError) -> Slip:
    """Trace a syntax error back to the slip that caused it, worded for a trainer. libyaml words
    its errors differently: the file is parsed again by pure-Python PyYAML, whose errors these
    rules read (only when there is an error, so the speed of libyaml is kept for good files)."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as python_exc:
        exc = python_exc
    except (yaml.YAMLError, RecursionError):
        pass  # deep nesting: the pure-Python parser recurses; keep libyaml's error
    lines = text.splitlines()
    problem = exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    number = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    english = " ".join(p for p in (exc.context, exc.problem) if p)
    context_line = exc.context_mark.line + 1 if exc.context_mark else number

    # A tab or full-width space in the indentation of the line PyYAML stopped at, or just before.
    for candidate in (number, number - 1):
        found = indentation_slip(lines, candidate)
        if found is not None:
            return found
    if "mapping values are not allowed" in problem or "could not find expected ':'" in problem:
        line = lines[number - 1] if 1 <= number <= len(lines) else ""
        if re.search(r":[ \t]", line[_content_start(line) : max(column - 1, 0)]):
            return Slip(number, column, _quote_hint(number, "有“: ”（冒号加空格）", "': ' inside unquoted text"))
        previous = _previous_line(lines, number)
        if previous is not None and not _KEY_LINE.match(lines[previous - 1]):
            # `key value` or `key：value`: the scanner read on into this line looking for the colon.
            return full_width_colon_slip(lines, previous) or _missing_colon(previous, len(lines[previous - 1]) + 1)
        if previous is not None and len(_indent(line)) > _content_start(lines[previous - 1]):
            return _indent_slip(lines, number, too_deep=True)
        return Slip(number, column, _quote_hint(number, "有“: ”（冒号加空格）", "': ' inside unquoted text"))
    if "expected <block end>" in problem:
        return _indent_slip(lines, number, too_deep=False)
    if "while parsing a tag" in english or "constructor for the tag" in problem:
        return Slip(
            number, column, _quote_hint(number, "以“!”开头", f"a value starting with '!' is read as a tag ({problem})")
        )
    if "cannot start any token" in problem:
        char = re.search(r"'(.+?)'", problem)
        shown = char[1] if char else "?"
        return Slip(
            number,
            column,
            _quote_hint(number, f"以“{shown}”开头", f"a value starting with '{shown}' is reserved in YAML"),
        )
    if "while scanning a quoted scalar" in english:
        return Slip(
            context_line,
            exc.context_mark.column + 1 if exc.context_mark else 1,
            f"第 {context_line} 行的引号没有配对：在文字末尾补上同样的引号"
            f" / line {context_line}: a quoted text is never closed",
        )
    if "while parsing a flow" in english:
        bracket = "]" if "sequence" in english else "}"
        return Slip(
            context_line,
            exc.context_mark.column + 1 if exc.context_mark else 1,
            f"第 {context_line} 行的括号没有闭合：在这一行末尾补上“{bracket}”"
            f" / line {context_line}: '{bracket}' is missing; {english}",
        )
    if "undefined alias" in problem:
        return Slip(number, column, _quote_hint(number, "以“*”开头", "a value starting with '*' is read as an alias"))
    return Slip(number, column, f"第 {number} 行 YAML 语法错误 / YAML syntax error: {english}")


# --------------------------------------------------------------------------------------------
# Slips that parse: found on the node tree
# --------------------------------------------------------------------------------------------


def _plain(node: yaml.Node) -> bool:
    """An unquoted scalar (PyYAML marks plain style None, libyaml '')."""
    return isinstance(node, yaml.ScalarNode) and not node.style


def scalar_reading(node: yaml.ScalarNode) -> tuple[str, str] | None:
    """(Chinese, English) of what YAML made of an unquoted value that is not text, else None."""
    if not _plain(node) or node.tag == STR_TAG:
        return None
    chinese, english = TAG_NAMES.get(node.tag, ("非文字", "not text"))
    if node.tag == "tag:yaml.org,2002:int" and _SEXAGESIMAL.match(node.value):
        chinese, english = "六十进制数字（时间）", "a base-60 number (a time)"
    return chinese, english


def needs_quotes_message(node: yaml.ScalarNode, value: object) -> str:
    """The message for a value YAML read as a number, date or true/false where text is wanted."""
    line = node.start_mark.line + 1
    chinese, english = scalar_reading(node) or ("非文字", "not text")
    return (
        f'第 {line} 行的“{node.value}”被 YAML 读成了{chinese}（{value!r}），不是文字：加引号写成 "{node.value}"'
        f" / line {line}: '{node.value}' is read as {english}; quote it"
    )


def key_slip(key_node: yaml.Node, lines: list[str]) -> Slip | None:
    """A key that begins with a full-width space (it was meant as indentation)."""
    if not isinstance(key_node, yaml.ScalarNode) or not isinstance(key_node.value, str):
        return None
    if key_node.value.startswith(FULL_WIDTH_SPACE):
        return indentation_slip(lines, key_node.start_mark.line + 1)
    return None


def value_slip(key_node: yaml.Node, value_node: yaml.Node, lines: list[str]) -> Slip | None:
    """A value on its own line that reads `key：value`: the trainer meant a nested key."""
    if not _plain(value_node):
        return None
    line = value_node.start_mark.line
    if line == key_node.start_mark.line or value_node.start_mark.column != _content_start(lines[line]):
        return None
    return full_width_colon_slip(lines, line + 1)


def comma_slips(key: object, node: yaml.SequenceNode, lines: list[str]) -> list[Slip]:
    """`[是的,我会还, 不]`: an ASCII comma with no space splits one Chinese option in two."""
    if not node.flow_style or key in ID_LIST_KEYS:
        return []
    found: list[Slip] = []
    items = node.value
    for left, right in zip(items, items[1:]):
        if not (isinstance(left, yaml.ScalarNode) and isinstance(right, yaml.ScalarNode)):
            continue
        if not (_plain(left) and _plain(right)) or left.end_mark.line != right.start_mark.line:
            continue
        if right.start_mark.index - left.end_mark.index != 1:  # only a bare "," between them
            continue
        line = left.start_mark.line + 1
        joined = f"{left.value},{right.value}"
        found.append(
            Slip(
                line,
                left.end_mark.column + 1,
                f"第 {line} 行的“{joined}”被半角逗号“,”拆成了两个选项“{left.value}”和“{right.value}”："
                f"如果是一个选项，改用全角逗号“，”或加引号；如果是两个，在逗号后加空格"
                f" / line {line}: the ASCII comma splits '{joined}' into two list items",
                "warning",
            )
        )
    return found


def comment_slip(node: yaml.ScalarNode, lines: list[str]) -> Slip | None:
    """`say: 请按 #2 转人工`: ` #` starts a comment, so the rest of the line is lost."""
    if not _plain(node) or node.tag != STR_TAG or node.end_mark.line >= len(lines):
        return None
    rest = lines[node.end_mark.line][node.end_mark.column :]
    match = re.match(r"^([ \t]+)#(.*)$", rest)
    if match is None:
        return None
    spaces, comment = match.groups()
    if len(spaces) > 1 or not re.search(r"[\u3400-\u9fff]", node.value):
        return None  # `text  # note` (two spaces) or an id: a deliberate comment
    line = node.end_mark.line + 1
    return Slip(
        line,
        node.end_mark.column + len(spaces) + 1,
        f"第 {line} 行“ #”后面的“#{comment.strip()}”被当成注释删掉了，学员只会看到“{node.value}”："
        f"整段文字加引号，或去掉 # 前的空格"
        f" / line {line}: ' #' starts a comment and cuts the rest of the text; quote the text",
        "warning",
    )
