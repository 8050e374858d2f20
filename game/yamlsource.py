"""Safe YAML reading that remembers where every key and item came from.

PyYAML's SafeLoader never constructs Python objects from tags, so a level file cannot run code.
On top of it we read only regular files with a size bound (a FIFO or /dev/zero must not hang or
fill memory), refuse alias bombs, recursive aliases and absurd nesting, report duplicate keys (YAML silently keeps
the last one), and keep a map from each data path to its (line, column) so that a schema error deep
in a level can be reported at the line the trainer must fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import slips
from .diagnostics import Diagnostic, LoadError
from .safeio import FileTooLarge, UnsafeFile, read_bytes_bounded
from .typeset import break_vanishes

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000  # counted with aliases expanded: stops "billion laughs" files
MAX_DEPTH = 100  # nested mappings and lists; real levels need under 10

PathKey = tuple[Any, ...]

# libyaml's safe loader when PyYAML was built with it (about 8x faster, same marks); both only
# ever construct plain data.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlSource:
    """A parsed YAML file: its data and where each path in it sits in the text."""

    path: Path
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    # Unquoted values YAML did not read as text (`21:30`, `yes`, `2026-03-01`), so that a schema
    # error on one can say "加引号".
    not_text: dict[PathKey, yaml.ScalarNode] = field(default_factory=dict)
    # Slips that parse but change what trainees see (see game.slips); printed, never fatal.
    warnings: list[Diagnostic] = field(default_factory=list)

    def where(self, loc: PathKey) -> tuple[int, int]:
        """Line and column (1-based) of the longest prefix of `loc` that exists in the file."""
        for end in range(len(loc), -1, -1):
            pos = self.positions.get(tuple(loc[:end]))
            if pos is not None:
                return pos
        return (1, 1)


class _Walker:
    def __init__(self, path: Path, lines: list[str]):
        self.path = path
        self.lines = lines
        self.count = 0
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.not_text: dict[PathKey, yaml.ScalarNode] = {}
        self.problems: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self._open: set[int] = set()  # ids of the nodes being walked: an alias back to one is a cycle

    def _slip(self, slip: slips.Slip | None) -> None:
        if slip is None:
            return
        found = Diagnostic(str(self.path), slip.line, slip.column, _slip_code(slip), slip.message, slip.severity)
        (self.warnings if slip.severity == "warning" else self.problems).append(found)

    def _mark(self, node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def _refuse(self, node: yaml.Node, message: str) -> LoadError:
        line, col = self._mark(node)
        return LoadError([Diagnostic(str(self.path), line, col, "CQ002", message)])

    def walk(self, node: yaml.Node, where: PathKey, depth: int = 0) -> None:
        if id(node) in self._open:
            raise self._refuse(node, "别名(*)指向包含它自己的内容,形成无限循环。 (recursive YAML alias)")
        if depth > MAX_DEPTH:
            raise self._refuse(node, f"嵌套超过 {MAX_DEPTH} 层。 (nesting deeper than {MAX_DEPTH})")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self._open.add(id(node))
            try:
                self._walk_children(node, where, depth + 1)
            finally:
                self._open.discard(id(node))
        else:
            self._count(node)
            if isinstance(node, yaml.ScalarNode):
                node.value = _unfold_chinese(node, self.lines)
                if slips.scalar_reading(node) is not None:
                    self.not_text[where] = node
                self._slip(slips.comment_slip(node, self.lines))

    def _count(self, node: yaml.Node) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            line, col = self._mark(node)
            raise LoadError(
                [
                    Diagnostic(
                        str(self.path), line, col, "CQ002", f"too many YAML nodes (over {MAX_NODES}, aliases expanded)"
                    )
                ]
            )

    def _walk_children(self, node: yaml.Node, where: PathKey, depth: int) -> None:
        self._count(node)
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, yaml.Node] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
                if key == "<<":  # merge key: positions of merged keys stay at their source
                    self.walk(value_node, where, depth)
                    continue
                if key in seen:
                    line, col = self._mark(key_node)
                    first = seen[key].start_mark.line + 1
                    self.problems.append(
                        Diagnostic(
                            str(self.path),
                            line,
                            col,
                            "CQ019",
                            f"duplicate key '{key}' (first on line {first}); the later value would win",
                        )
                    )
                seen[key] = key_node
                self._slip(slips.key_slip(key_node, self.lines))
                self._slip(slips.value_slip(key_node, value_node, self.lines))
                if isinstance(value_node, yaml.SequenceNode):
                    for slip in slips.comma_slips(key, value_node, self.lines):
                        self._slip(slip)
                # Positions are keyed by the constructed key; scalar keys that YAML reads as
                # numbers or booleans are stored under their text too.
                self.positions[where + (key,)] = self._mark(key_node)
                self.walk(value_node, where + (key,), depth)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.positions[where + (index,)] = self._mark(item)
                self.walk(item, where + (index,), depth)


def _slip_code(slip: slips.Slip) -> str:
    if slip.severity != "warning":
        return "CQ001"
    return "CQ033" if "逗号" in slip.message else "CQ034"


def read_yaml(path: Path) -> YamlSource:
    """Parse `path` safely. Raises LoadError with located diagnostics on any problem."""
    name = str(path)
    try:
        text = read_bytes_bounded(path, MAX_FILE_BYTES).decode("utf-8-sig")
    except FileTooLarge:
        raise LoadError(
            [Diagnostic(name, 1, 1, "CQ002", f"文件超过 {MAX_FILE_BYTES} 字节的上限。 (file larger than the limit)")]
        ) from None
    except UnsafeFile as exc:
        raise LoadError([Diagnostic(name, 1, 1, "CQ001", f"无法读取:{exc.reason}。 (not a regular file)")]) from None
    except UnicodeDecodeError as exc:
        raise LoadError(
            [Diagnostic(name, 1, 1, "CQ001", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]
        ) from None
    except OSError as exc:
        raise LoadError([Diagnostic(name, 1, 1, "CQ001", f"cannot read file: {exc.strerror or exc}")]) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlSource:
    name = str(path)
    loader = _SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        slip = slips.explain_syntax_error(text, exc)
        raise LoadError([Diagnostic(name, slip.line, slip.column, "CQ001", slip.message)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Diagnostic(name, 1, 1, "CQ001", f"YAML syntax error: {exc}")]) from None
    except RecursionError:
        raise LoadError([Diagnostic(name, 1, 1, "CQ002", "嵌套太深,无法解析。 (nesting too deep)")]) from None
    if root is None:
        return YamlSource(path, None)
    walker = _Walker(path, text.splitlines())
    walker.walk(root, ())
    if walker.problems:
        raise LoadError(walker.problems)
    try:
        data = loader.construct_document(root)  # build from the checked node tree: no second parse
    except RecursionError:
        raise LoadError([Diagnostic(name, 1, 1, "CQ002", "嵌套太深，无法解析。 (nesting too deep)")]) from None
    except yaml.MarkedYAMLError as exc:  # e.g. an unknown tag such as !!python/object or !注意
        slip = slips.explain_syntax_error(text, exc)
        raise LoadError([Diagnostic(name, slip.line, slip.column, "CQ001", slip.message)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Diagnostic(name, 1, 1, "CQ001", f"YAML error: {exc}")]) from None
    return YamlSource(path, _normalise_keys(data), walker.positions, walker.not_text, walker.warnings)


def _unfold_chinese(node: yaml.ScalarNode, lines: list[str]) -> str:
    """The scalar's text with the spaces YAML put at folded line breaks between Chinese
    characters taken out (see `typeset.break_vanishes`); spaces typed on a line stay."""
    start, end = node.start_mark, node.end_mark
    if node.style not in (None, "", ">") or end.line <= start.line or " " not in node.value or end.line >= len(lines):
        return str(node.value)
    first = [] if node.style == ">" else [lines[start.line][start.column :]]
    body = first + lines[start.line + 1 : end.line] + [lines[end.line][: end.column]]
    value: str = node.value
    gaps: list[int] = []  # positions of the folding spaces to drop
    pos = 0
    previous: str | None = None
    for raw in body:
        line = raw.strip()
        if not line:
            previous = None  # a blank line folds into a newline, not a space
            continue
        at = value.find(line, pos)
        if at < 0:
            return value  # the source does not read as expected (escapes, odd indentation): keep it
        if previous is not None and at == pos + 1 and value[pos] == " " and break_vanishes(previous[-1], line[0]):
            gaps.append(pos)
        pos = at + len(line)
        previous = line
    for gap in reversed(gaps):
        value = value[:gap] + value[gap + 1 :]
    return value


def _normalise_keys(data: Any) -> Any:
    """Mapping keys become strings (YAML reads `1:` or `yes:` as numbers or booleans), so that
    ids like node names always compare as text and match the recorded positions."""
    if isinstance(data, dict):
        return {(_key_text(k)): _normalise_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_normalise_keys(v) for v in data]
    return data


def _key_text(key: Any) -> Any:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)
