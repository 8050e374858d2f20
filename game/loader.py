"""Loading levels and handbook content from YAML into a Catalog.

Loading never raises on bad input: every problem becomes a located Diagnostic, and whatever loaded
cleanly is still returned, so one broken level does not take the whole game down.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import models, slips
from .catalog import Catalog
from .diagnostics import Diagnostic, LoadError, place_name
from .models import Level, QuestionBank
from .paths import DEFAULT_CONTENT_DIR as DEFAULT_CONTENT_DIR
from .paths import DEFAULT_LEVELS_DIR as DEFAULT_LEVELS_DIR
from .paths import DEFAULT_TRAINER_LEVELS_DIR as DEFAULT_TRAINER_LEVELS_DIR
from .paths import ROOT as ROOT
from .paths import content_dir as content_dir
from .paths import is_shipped as is_shipped
from .paths import level_folders as level_folders
from .paths import levels_dir as levels_dir
from .paths import trainer_folder as trainer_folder
from .textsafe import unsafe_characters
from .yamlsource import YamlSource, read_yaml

YAML_SUFFIXES = (".yaml", ".yml")

M = TypeVar("M", bound=BaseModel)


def yaml_files(paths: list[Path]) -> list[Path]:
    """Every YAML file under the given files or folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            # is_file() follows symlinks and never opens: a FIFO or a link to /dev/zero is skipped.
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()))
        elif path.suffix in YAML_SUFFIXES or path.is_file():
            found.append(path)
    return found


def misnamed_files(paths: list[Path]) -> list[Path]:
    """Files in the given folders saved as `x.yaml.txt` or `x.yml.txt` (Windows hides known
    extensions, so Notepad's "x.yaml" becomes x.yaml.txt): never loaded, so they are named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.name.lower().endswith((".yaml.txt", ".yml.txt")) and p.is_file())
            )
    return found


def misnamed_diagnostic(path: Path) -> Diagnostic:
    right = path.name[: -len(".txt")]
    return Diagnostic(
        str(path),
        1,
        1,
        "CQ035",
        f"文件名是“{path.name}”，以 .txt 结尾，游戏不会加载它（Windows 默认隐藏扩展名）：把文件改名为“{right}”"
        f" / '{path.name}' ends in .txt and is not loaded; rename it to '{right}'",
    )


# --------------------------------------------------------------------------------------------
# pydantic errors -> diagnostics
# --------------------------------------------------------------------------------------------


def _all_field_names() -> list[str]:
    names: set[str] = set()
    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            for name, info in obj.model_fields.items():
                names.add(info.alias or name)
    return sorted(names)


_FIELD_NAMES = _all_field_names()


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Keep only the parts of a pydantic `loc` that exist in the data (pydantic inserts union
    tags such as 'dialogue' or 'function-after[...]' that are not keys in the file)."""
    path: list[Any] = []
    current = data
    for part in loc:
        if (
            isinstance(current, dict)
            and isinstance(part, str)
            and part not in current
            and (part == current.get("kind") or "[" in part)
        ):
            continue  # a union tag such as 'dialogue' or 'function-after[...]', not a key
        if isinstance(current, dict) and part in current:
            current = current[part]
            path.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            path.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and part not in current:
            # A missing or extra key: keep it so the message can name it, but stop walking.
            path.append(part)
            break
    return tuple(path)


# pydantic error type -> what the value should be, in Chinese ({ctx} fields filled in).
_SHOULD_BE = {
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表（[...] 或每行一个“- ”）",
    "dict_type": "应为“键: 值”的映射",
    "model_type": "应为“键: 值”的映射",
    "model_attributes_type": "应为“键: 值”的映射",
    "literal_error": "取值不在允许的范围内（见英文提示）",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "too_short": "至少要有 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_too_short": "不能为空",
    "union_tag_invalid": "环节的 `kind` 只能是 dialogue、quiz 或 audit",
    "union_tag_not_found": "环节缺少 `kind`（dialogue、quiz 或 audit）",
}


def _friendly(error: dict[str, Any], path: tuple[Any, ...], source: YamlSource | None = None) -> tuple[str, str]:
    """Code and message for one pydantic error: Chinese with a 1-based named place, then the English."""
    kind = error["type"]
    where = ".".join(str(p) for p in path) or "(file)"
    place = place_name(path)
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        close = difflib.get_close_matches(key, _FIELD_NAMES, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        zh_hint = f"（是不是 `{close[0]}`？）" if close else ""
        return "CQ003", f"{place_name(path[:-1])}：未知字段 `{key}`{zh_hint} / unknown key '{key}'{hint}"
    if kind == "missing":
        key = path[-1] if path else "?"
        return "CQ005", f"{place_name(path[:-1])}：缺少必填字段 `{key}` / missing required key '{key}'"
    msg = error.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ")
    node = source.not_text.get(path) if source is not None else None
    if kind == "string_type" and node is not None:
        return "CQ004", f"{place}：{slips.needs_quotes_message(node, error.get('input'))} / {where}: {msg}"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "CQ004", f"{place}：{_SHOULD_BE[kind]} / {where}: stage `kind` must be dialogue, quiz or audit"
    should = _SHOULD_BE.get(kind, "取值有误")
    try:
        should = should.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        should = "取值有误"
    return "CQ004", f"{place}：{should} / {where}: {msg}"


def unsafe_text_diagnostics(source: YamlSource) -> list[Diagnostic]:
    """CQ040 for every key or text holding a control, bidi or invisible character: such text
    would ring the bell, rewind or reorder a line, or hide words on the trainee's screen."""
    found: list[Diagnostic] = []

    def check(text: str, where: tuple[Any, ...]) -> None:
        bad = unsafe_characters(text)
        if bad:
            line, col = source.where(where)
            found.append(
                Diagnostic(
                    str(source.path),
                    line,
                    col,
                    "CQ040",
                    f"文字中有控制字符或不可见字符({'、'.join(bad)}),会扰乱终端显示,请删去。"
                    " (control or invisible character in text)",
                )
            )

    stack: list[tuple[Any, tuple[Any, ...]]] = [(source.data, ())]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            check(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    check(key, where + (key,))
                stack.append((item, where + (key,)))
        elif isinstance(value, list):
            stack.extend((item, where + (i,)) for i, item in enumerate(value))
    found.sort(key=lambda d: (d.line, d.column))
    return found


def validate_model(model: type[M], source: YamlSource) -> M:
    """Build `model` from the parsed file or raise LoadError with one diagnostic per problem."""
    if not isinstance(source.data, dict):
        got = "an empty file" if source.data is None else type(source.data).__name__
        raise LoadError([Diagnostic(str(source.path), 1, 1, "CQ004", f"expected a mapping of keys, got {got}")])
    unsafe = unsafe_text_diagnostics(source)
    if unsafe:
        raise LoadError(unsafe)
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        diagnostics = []
        seen: set[tuple[int, int, str]] = set()
        for error in exc.errors():
            path = _data_path(source.data, tuple(error["loc"]))
            line, col = source.where(path)
            code, message = _friendly(dict(error), path, source)
            if (line, col, message) in seen:
                continue
            seen.add((line, col, message))
            diagnostics.append(Diagnostic(str(source.path), line, col, code, message))
        raise LoadError(diagnostics) from None


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _register(
    catalog: Catalog, kind: str, ident: str, path: Path, loc: tuple[Any, ...], diagnostics: list[Diagnostic]
) -> bool:
    """Record that `ident` of `kind` is defined here; report a duplicate. True if new."""
    key = (kind, ident)
    if key in catalog.id_files:
        first_path, first_loc = catalog.id_files[key]
        first_line = catalog.sources[first_path].where(first_loc)[0] if first_path in catalog.sources else 1
        line, col = catalog.sources[path].where(loc)
        diagnostics.append(
            Diagnostic(
                str(path), line, col, "CQ006", f"duplicate {kind} id '{ident}' (also in {first_path}:{first_line})"
            )
        )
        return False
    catalog.id_files[key] = (path, loc)
    return True


def load_level_file(path: Path) -> tuple[Level | None, YamlSource | None, list[Diagnostic]]:
    try:
        source = read_yaml(path)
    except LoadError as exc:
        return None, None, exc.diagnostics
    try:
        return validate_model(Level, source), source, list(source.warnings)
    except LoadError as exc:
        return None, None, [*source.warnings, *exc.diagnostics]


def load_content_file(catalog: Catalog, path: Path, diagnostics: list[Diagnostic]) -> None:
    try:
        source = read_yaml(path)
    except LoadError as exc:
        diagnostics.extend(exc.diagnostics)
        return
    data = source.data
    catalog.sources[path] = source
    diagnostics.extend(source.warnings)
    kinds: list[tuple[str, type[BaseModel]]] = [
        ("rules", models.RuleFile),
        ("terms", models.GlossaryFile),
        ("scripts", models.ScriptFile),
        ("bank", models.QuestionBank),
    ]
    model = next((m for key, m in kinds if isinstance(data, dict) and key in data), None)
    if model is None:
        diagnostics.append(
            Diagnostic(
                str(path),
                1,
                1,
                "CQ020",
                "unknown content file: the top level needs `rules:`, `terms:`, `scripts:` or `bank:`",
            )
        )
        return
    try:
        parsed = validate_model(model, source)
    except LoadError as exc:
        diagnostics.extend(exc.diagnostics)
        return
    if isinstance(parsed, models.RuleFile):
        for i, rule in enumerate(parsed.rules):
            if _register(catalog, "rule", rule.id, path, ("rules", i, "id"), diagnostics):
                catalog.rules[rule.id] = rule
    elif isinstance(parsed, models.GlossaryFile):
        for i, term in enumerate(parsed.terms):
            if _register(catalog, "glossary term", term.id, path, ("terms", i, "id"), diagnostics):
                catalog.glossary[term.id] = term
    elif isinstance(parsed, models.ScriptFile):
        for i, script in enumerate(parsed.scripts):
            if _register(catalog, "script", script.id, path, ("scripts", i, "id"), diagnostics):
                catalog.scripts[script.id] = script
    elif isinstance(parsed, QuestionBank):
        if _register(catalog, "bank", parsed.bank, path, ("bank",), diagnostics):
            catalog.banks[parsed.bank] = parsed
        for i, question in enumerate(parsed.questions):
            if _register(catalog, "question", question.id, path, ("questions", i, "id"), diagnostics):
                catalog.questions[question.id] = question


def _clash_with_shipped(path: Path, line: int, col: int, level_id: str, shipped: Path) -> Diagnostic:
    shown = f"{shipped.parent.name}/{shipped.name}"
    return Diagnostic(
        str(path),
        line,
        col,
        "CQ006",
        f"关卡 id“{level_id}”已被随游戏提供的关卡使用（{shown}），你的这一关没有加载：换一个 id，"
        f"例如加上你们团队的前缀“my-{level_id}”（`requires` 里引用它的地方一起改）"
        f" / duplicate level id '{level_id}': a shipped level ({shown}) already uses it; rename yours",
    )


def load_catalog(
    level_paths: list[Path] | None = None, content_paths: list[Path] | None = None
) -> tuple[Catalog, list[Diagnostic]]:
    """Load every level and content file. Returns what loaded and the problems found on the way
    (syntax, schema and duplicate ids; cross-file checks live in `validate`)."""
    catalog = Catalog()
    diagnostics: list[Diagnostic] = []
    for path in yaml_files(content_paths if content_paths is not None else [content_dir()]):
        load_content_file(catalog, path, diagnostics)
    level_roots = level_paths if level_paths is not None else level_folders()
    for path in misnamed_files(level_roots):
        diagnostics.append(misnamed_diagnostic(path))
        catalog.unavailable[path] = diagnostics[-1].message
    for path in yaml_files(level_roots):
        level, source, problems = load_level_file(path)
        diagnostics.extend(problems)
        if level is None or source is None:
            errors = [d for d in problems if d.severity != "warning"]
            first = errors[0] if errors else None
            reason = first.message if first else "无法加载"
            if first and not reason.startswith(f"第 {first.line} 行"):
                reason = f"第 {first.line} 行：{reason}"
            catalog.unavailable[path] = reason
            continue
        catalog.sources[path] = source
        shipped = catalog.level_files.get(level.id)
        if shipped is not None and is_shipped(shipped) and not is_shipped(path):
            line, col = source.where(("id",))
            diagnostics.append(_clash_with_shipped(path, line, col, level.id, shipped))
            catalog.unavailable[path] = diagnostics[-1].message
            continue
        if _register(catalog, "level", level.id, path, ("id",), diagnostics):
            catalog.levels[level.id] = level
            catalog.level_files[level.id] = path
    return catalog, diagnostics
