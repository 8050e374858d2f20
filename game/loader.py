"""Loading levels and handbook content from YAML into a Catalog.

Loading never raises on bad input: every problem becomes a located Diagnostic, and whatever loaded
cleanly is still returned, so one broken level does not take the whole game down.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import models
from .catalog import Catalog
from .diagnostics import Diagnostic, LoadError
from .models import Level, QuestionBank
from .textsafe import unsafe_characters
from .yamlsource import YamlSource, read_yaml

ROOT = Path(__file__).resolve().parent.parent


def _shipped(folder: str, package: str) -> Path:
    """The shipped `levels/` or `content/`: beside the code in a checkout (and an editable
    install); in an installed wheel, the data package it was packed into (see pyproject.toml)."""
    beside = ROOT / folder
    if beside.is_dir():
        return beside
    from importlib.util import find_spec

    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return beside  # neither there: `validate` and the game say the folder is missing
    return Path(next(iter(spec.submodule_search_locations)))


DEFAULT_LEVELS_DIR = _shipped("levels", "collectquest_levels")
DEFAULT_CONTENT_DIR = _shipped("content", "collectquest_content")
YAML_SUFFIXES = (".yaml", ".yml")

M = TypeVar("M", bound=BaseModel)


def levels_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where levels live: the argument, else $COLLECTQUEST_LEVELS, else the shipped levels/."""
    chosen = override or os.environ.get("COLLECTQUEST_LEVELS")
    return Path(chosen) if chosen else DEFAULT_LEVELS_DIR


def content_dir(override: str | os.PathLike[str] | None = None) -> Path:
    chosen = override or os.environ.get("COLLECTQUEST_CONTENT")
    return Path(chosen) if chosen else DEFAULT_CONTENT_DIR


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


def _friendly(error: dict[str, Any], path: tuple[Any, ...]) -> tuple[str, str]:
    kind = error["type"]
    where = ".".join(str(p) for p in path) or "(file)"
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        close = difflib.get_close_matches(key, _FIELD_NAMES, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return "CQ003", f"unknown key '{key}'{hint}"
    if kind == "missing":
        return "CQ005", f"missing required key '{path[-1] if path else '?'}'"
    msg = error.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ")
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "CQ004", f"{where}: stage `kind` must be dialogue, quiz or audit"
    if kind == "literal_error":
        return "CQ004", f"{where}: {msg}"
    return "CQ004", f"{where}: {msg}"


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
            code, message = _friendly(dict(error), path)
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
        return validate_model(Level, source), source, []
    except LoadError as exc:
        return None, None, exc.diagnostics


def load_content_file(catalog: Catalog, path: Path, diagnostics: list[Diagnostic]) -> None:
    try:
        source = read_yaml(path)
    except LoadError as exc:
        diagnostics.extend(exc.diagnostics)
        return
    data = source.data
    catalog.sources[path] = source
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


def load_catalog(
    level_paths: list[Path] | None = None, content_paths: list[Path] | None = None
) -> tuple[Catalog, list[Diagnostic]]:
    """Load every level and content file. Returns what loaded and the problems found on the way
    (syntax, schema and duplicate ids; cross-file checks live in `validate`)."""
    catalog = Catalog()
    diagnostics: list[Diagnostic] = []
    for path in yaml_files(content_paths if content_paths is not None else [content_dir()]):
        load_content_file(catalog, path, diagnostics)
    for path in yaml_files(level_paths if level_paths is not None else [levels_dir()]):
        level, source, problems = load_level_file(path)
        diagnostics.extend(problems)
        if level is None or source is None:
            continue
        catalog.sources[path] = source
        if _register(catalog, "level", level.id, path, ("id",), diagnostics):
            catalog.levels[level.id] = level
            catalog.level_files[level.id] = path
    return catalog, diagnostics
