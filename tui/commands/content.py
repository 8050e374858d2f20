"""Subcommands about the level format and handbook files: validate, levels, schema.

Shared helpers for trainer commands (loading with the --levels/--content overrides, finding a
level by id or path, printing diagnostics, turning errors into messages) live here too.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Union

import click

from game import loader, paths
from game import validate as validation
from game.catalog import Catalog
from game.diagnostics import Diagnostic
from game.models import GlossaryFile, Level, QuestionBank, RuleFile, ScriptFile
from game.yamlsource import read_yaml

if TYPE_CHECKING:
    from game.explore_cache import ExplorationCache

F = TypeVar("F", bound=Callable[..., Any])

CONTENT_KEYS = ("rules", "terms", "scripts", "bank")


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def friendly_errors(func: F) -> F:
    """Bad input becomes a one-line message and exit status 1, never a traceback.
    Set COLLECTQUEST_DEBUG=1 to see the traceback of an unexpected error."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:
            raise click.ClickException(
                f"文件错误 file error: {exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}"
            ) from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence for trainers
            if os.environ.get("COLLECTQUEST_DEBUG"):
                raise
            raise click.ClickException(
                f"内部错误 internal error: {type(exc).__name__}: {exc} (set COLLECTQUEST_DEBUG=1 for details)"
            ) from None

    return wrapper  # type: ignore[return-value]


def options(ctx: click.Context) -> dict[str, Any]:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, dict) else {}


def level_folders(ctx: click.Context) -> list[Path]:
    """The folders levels are read from: the shipped ones plus --levels, or --only-levels."""
    opts = options(ctx)
    return loader.level_folders(opts.get("levels"), opts.get("only_levels"))


def trainer_folder(ctx: click.Context) -> Path:
    """Where this trainer's new levels go (the first --levels or --only-levels folder)."""
    opts = options(ctx)
    return loader.trainer_folder(opts.get("levels"), opts.get("only_levels"))


def levels_folder(ctx: click.Context) -> Path:
    """The trainer's folder (kept for callers that name one folder; most want level_folders)."""
    return trainer_folder(ctx)


def existing_level_folders(ctx: click.Context) -> list[Path]:
    """level_folders, with a clear error for a named folder that does not exist."""
    folders = level_folders(ctx)
    for folder in folders:
        if not folder.is_dir() and folder != paths.DEFAULT_TRAINER_LEVELS_DIR:
            raise click.ClickException(f"关卡目录不存在 levels folder not found: {folder}")
    return [f for f in folders if f.is_dir()]


def content_folder(ctx: click.Context) -> Path:
    return loader.content_dir(options(ctx).get("content"))


def display_path(path: str | Path) -> str:
    """Paths under the working directory are shown relative to it (shorter, clickable)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def shown(diagnostic: Diagnostic) -> Diagnostic:
    return Diagnostic(
        display_path(diagnostic.file),
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
        diagnostic.message,
        diagnostic.severity,
    )


def format_diagnostic(diagnostic: Diagnostic) -> str:
    d = shown(diagnostic)
    label = "warning: " if d.severity == validation.WARNING else ""
    return f"{d.file}:{d.line}:{d.column}: {d.code} {label}{d.message}"


def echo_diagnostics(diagnostics: Iterable[Diagnostic], err: bool = False) -> None:
    for diagnostic in diagnostics:
        click.echo(format_diagnostic(diagnostic), err=err)


def _is_content_file(path: Path, content_root: Path) -> bool:
    try:
        path.resolve().relative_to(content_root.resolve())
        return True
    except (ValueError, OSError):
        pass
    try:
        data = read_yaml(path).data
    except Exception:  # noqa: BLE001 - unreadable files are reported by the level loader
        return False
    return isinstance(data, dict) and any(key in data for key in CONTENT_KEYS)


def known_levels(folders: Path | list[Path], skip: Iterable[Path] = ()) -> dict[str, str]:
    """Level id -> tier for the levels in `folders` (not those in `skip`): the context in which a
    single file's `requires` are checked."""
    skipped = {p.resolve() for p in skip}
    existing = [f for f in ([folders] if isinstance(folders, Path) else folders) if f.is_dir()]
    files = [p for p in loader.yaml_files(existing) if p.resolve() not in skipped]
    catalog, _ = loader.load_catalog(files, [])
    return {level.id: level.tier for level in catalog.levels.values()}


def load_checked(
    ctx: click.Context, paths: Iterable[str] = (), *, use_cache: bool = True
) -> tuple[Catalog, list[Diagnostic], list[Path]]:
    """Load and validate. With no paths: the levels and content folders. With paths: those files
    and folders (content files recognised by their top-level key), checked against the content
    folder and, for `requires`, the levels folder. Dialogue stages explored by an earlier run
    (same content, same program) come from the user's cache unless `use_cache` is False."""
    from game.explore_cache import ExplorationCache  # here: `levels` and `schema` need no explorer

    cache = ExplorationCache.open() if use_cache else ExplorationCache()
    try:
        return _load_checked(ctx, paths, cache)
    finally:
        cache.save()


def _load_checked(
    ctx: click.Context, paths: Iterable[str], cache: ExplorationCache
) -> tuple[Catalog, list[Diagnostic], list[Path]]:
    from game import playcheck

    content_root = content_folder(ctx)
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            raise click.BadParameter(f"'{path}' does not exist", param_hint="PATH")
    if not given:
        roots = existing_level_folders(ctx)
        catalog, diagnostics = playcheck.check_paths(roots, [content_root], cache=cache)
        return catalog, diagnostics, [*roots, content_root]
    extra_problems: list[Diagnostic] = []
    files = loader.yaml_files(given)
    content_files = [p for p in files if _is_content_file(p, content_root)]
    level_files = [p for p in files if p not in content_files]
    given_content = {p.resolve() for p in content_files}
    if content_root.is_dir():
        content_files += [p for p in loader.yaml_files([content_root]) if p.resolve() not in given_content]
    for folder in given:
        for misnamed in loader.misnamed_files([folder]):
            extra_problems.append(loader.misnamed_diagnostic(misnamed))
    context = known_levels(level_folders(ctx), level_files)
    catalog, diagnostics = playcheck.check_paths(level_files, content_files, known_levels=context, cache=cache)
    return catalog, sorted([*extra_problems, *diagnostics], key=lambda d: (d.file, d.line)), given


def find_level(ctx: click.Context, level: str) -> tuple[Catalog, list[Diagnostic], Level, Path]:
    """LEVEL as an id (in the levels folder) or a path to a YAML file. Diagnostics are those of
    that level's file. Raises a click error when the level cannot be found or loaded."""
    as_path = Path(level)
    if as_path.suffix in loader.YAML_SUFFIXES or as_path.is_file():
        if not as_path.is_file():
            raise click.BadParameter(f"file '{level}' does not exist", param_hint="LEVEL")
        catalog, diagnostics, _ = load_checked(ctx, [level])
        mine = [d for d in diagnostics if Path(d.file).resolve() == as_path.resolve()]
        match = [lid for lid, f in catalog.level_files.items() if f.resolve() == as_path.resolve()]
        if not match:
            echo_diagnostics(mine or diagnostics, err=True)
            raise click.ClickException(f"'{level}' is not a level that loads; fix the errors above")
        return catalog, mine, catalog.levels[match[0]], catalog.level_files[match[0]]
    catalog, diagnostics, _ = load_checked(ctx)
    if level not in catalog.levels:
        close = validation.did_you_mean(level, catalog.levels)
        raise click.BadParameter(
            f"no level with id '{level}' in {', '.join(display_path(f) for f in level_folders(ctx))}{close}; "
            "run `collectquest levels` to list them",
            param_hint="LEVEL",
        )
    path = catalog.level_files[level]
    mine = [d for d in diagnostics if Path(d.file).resolve() == path.resolve()]
    return catalog, mine, catalog.levels[level], path


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------


def _summary(catalog: Catalog, diagnostics: list[Diagnostic]) -> str:
    counts = validation.counts(catalog)
    errors = sum(d.severity != validation.WARNING for d in diagnostics)
    warnings = len(diagnostics) - errors
    tiers = " · ".join(f"{tier} {n}" for tier, n in counts.levels.items())
    held = (
        f"{sum(counts.levels.values())} 个关卡 levels ({tiers}), {counts.questions} 道题 questions, "
        f"{counts.dialogue_nodes} 个对话节点 dialogue nodes, {counts.rule_cards} 张规则卡 rule cards, "
        f"{counts.glossary_terms} 个术语 glossary terms"
    )
    if errors:
        files = len({d.file for d in diagnostics if d.severity != validation.WARNING})
        return f"✗ {errors} 个错误 errors, {warnings} 个警告 warnings in {files} file(s); loaded {held}"
    note = f"; {warnings} 个警告 warnings" if warnings else ""
    return f"✓ 通过 OK: {held}{note}"


def _is_training_file(path: Path) -> bool:
    """A roster or assignments file (YAML or CSV), checked by game.roster rather than as a level."""
    return path.is_file() and (path.suffix.lower() == ".csv" or path.stem.startswith(("roster", "assignments")))


def _check_training_files(ctx: click.Context, paths: list[Path]) -> list[Diagnostic]:
    from game import roster

    catalog, _ = loader.load_catalog([f for f in level_folders(ctx) if f.is_dir()], [content_folder(ctx)])
    titles = {lid: lv.title for lid, lv in catalog.levels.items()}
    rosters = [p for p in paths if not p.stem.startswith("assignments")]
    found: list[Diagnostic] = []
    trainees: list[roster.Trainee] = []
    for path in rosters:
        listed, problems = roster.load_roster(path)
        trainees += listed
        found += problems
    if not rosters:  # assignments alone: checked against the roster in the saves folder
        from game.store.folders import default_saves_dir

        folder = default_saves_dir(options(ctx).get("saves"))
        trainees, problems = roster.load_roster(roster.find_file(folder, roster.ROSTER_FILES))
        found += problems
    for path in paths:
        if path.stem.startswith("assignments"):
            found += roster.load_assignments(path, titles, trainees)[1]
    return found


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (ok, levels, counts, errors).")
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Explore every dialogue again instead of reusing earlier results for unchanged stages.",
)
@click.pass_context
@friendly_errors
def validate_command(ctx: click.Context, paths: tuple[str, ...], as_json: bool, no_cache: bool) -> None:
    """检查关卡和手册文件 Check level and handbook files.

    With no PATH, checks the levels folder and the content folder. Prints one line per problem,
    `file:line:column: CODE message` (codes are explained in levels/README.md); warnings do not
    fail. Exit status 0 when there is no error, 1 otherwise.

    \b
    Examples:
      collectquest validate
      collectquest validate levels/novice/n07-callback.yaml
      collectquest --levels ~/my-levels validate --json
    """
    training = [p for p in paths if _is_training_file(Path(p))]
    paths = tuple(p for p in paths if p not in training)
    catalog, diagnostics, _ = (
        load_checked(ctx, paths, use_cache=not no_cache) if paths or not training else (Catalog(), [], [])
    )
    if training:
        diagnostics = [*diagnostics, *_check_training_files(ctx, [Path(p) for p in training])]
    ok = not validation.has_errors(diagnostics)
    if as_json:
        counts = validation.counts(catalog)
        echo_json(
            {
                "ok": ok,
                "levels": counts.levels,
                "questions": counts.questions,
                "dialogue_nodes": counts.dialogue_nodes,
                "rule_cards": counts.rule_cards,
                "glossary_terms": counts.glossary_terms,
                "errors": [shown(d).to_json() for d in diagnostics],
            }
        )
    else:
        echo_diagnostics(diagnostics)
        click.echo(_summary(catalog, diagnostics))
    ctx.exit(0 if ok else 1)


# --------------------------------------------------------------------------------------------
# levels
# --------------------------------------------------------------------------------------------


@click.command("levels")
@click.option("--json", "as_json", is_flag=True, help='Print {"levels": [{id, tier, title, requires, file, shipped}]}.')
@click.option(
    "--player",
    "player_name",
    default=None,
    metavar="NAME",
    help="Add, per level, whether it is unlocked for NAME and NAME's best.",
)
@click.pass_context
@friendly_errors
def levels_command(ctx: click.Context, as_json: bool, player_name: str | None) -> None:
    """列出关卡(按游玩顺序) List the levels in play order.

    \b
    Examples:
      collectquest levels
      collectquest --levels ~/my-levels levels --json
      collectquest levels --json --player 王小明
    """
    folders = existing_level_folders(ctx)
    # Only the levels: listing them needs no handbook (its cross-checks are `validate`'s job).
    catalog, diagnostics = loader.load_catalog(folders, [])
    ordered = catalog.levels_in_play_order()
    standing = None
    if player_name is not None:
        from tui.commands.learning import player_standing

        standing = player_standing(ctx, catalog, player_name)
    if as_json:
        echo_json(
            {
                "levels": [
                    {
                        "id": lv.id,
                        "tier": lv.tier,
                        "title": lv.title,
                        "requires": list(lv.requires),
                        "file": display_path(catalog.level_files[lv.id]),
                        "shipped": loader.is_shipped(catalog.level_files[lv.id]),
                        **(standing[lv.id] if standing is not None else {}),
                    }
                    for lv in ordered
                ]
            }
        )
    else:
        if not ordered:
            click.echo(f"没有关卡 no levels in {', '.join(display_path(f) for f in folders)}")
        for lv in ordered:
            needs = f"  ← {', '.join(lv.requires)}" if lv.requires else ""
            exam = " [晋升考核]" if lv.exam else ""
            mine = ""
            if standing is not None:
                own = standing[lv.id]
                mine = ("  ✓" if own["passed"] else "  ○" if own["unlocked"] else "  ⊘") + (
                    f" 最佳 {own['best']}" if own["best"] is not None else ""
                )
            authored = "" if loader.is_shipped(catalog.level_files[lv.id]) else " [自编]"
            click.echo(f"{lv.tier}  {lv.order:>2}  {lv.id:<28} {lv.title}{exam}{authored}{needs}{mine}")
    level_problems = [d for d in diagnostics if d.severity != validation.WARNING]
    if level_problems:
        click.echo(
            f"注意 note: {len(level_problems)} problem(s) while loading; run `collectquest validate` for details",
            err=True,
        )


# --------------------------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------------------------

SCHEMA_KINDS = ("level", "content", "all")
# Draft-07: the draft VS Code's YAML extension (yaml-language-server) validates with.
DRAFT = "http://json-schema.org/draft-07/schema#"


def json_schema(kind: str = "level") -> dict[str, Any]:
    """JSON Schema of level files ("level"), handbook files ("content") or either ("all")."""
    from pydantic import TypeAdapter

    content_union = Union[RuleFile, GlossaryFile, ScriptFile, QuestionBank]
    if kind == "level":
        schema = Level.model_json_schema(by_alias=True)
        title = "CollectQuest level 催收闯关关卡"
    elif kind == "content":
        schema = TypeAdapter(content_union).json_schema(by_alias=True)
        title = "CollectQuest handbook file 手册文件 (rules / terms / scripts / bank)"
    elif kind == "all":
        schema = TypeAdapter(Union[Level, content_union]).json_schema(by_alias=True)
        title = "CollectQuest level or handbook file"
    else:
        raise ValueError(f"kind must be one of {', '.join(SCHEMA_KINDS)}")
    return {"$schema": DRAFT, "title": title, **{k: v for k, v in schema.items() if k != "title"}}


@click.command("schema")
@click.option(
    "--kind",
    type=click.Choice(SCHEMA_KINDS),
    default="level",
    show_default=True,
    help="level files, handbook (content) files, or all.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file (UTF-8) instead of printing.",
)
@click.pass_context
@friendly_errors
def schema_command(ctx: click.Context, kind: str, output: str | None) -> None:
    """打印关卡格式的 JSON Schema Print the JSON Schema of the level format.

    Point VS Code's YAML extension at it to get completion and red underlines: add
    `# yaml-language-server: $schema=<path>/level.schema.json` as the first line of a level file.

    \b
    Examples:
      collectquest schema > level.schema.json
      collectquest schema --kind content -o content.schema.json
    """
    text = json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"已写入 wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    for command in (validate_command, levels_command, schema_command):
        group.add_command(command)
