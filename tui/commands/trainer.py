"""Subcommands for trainers who write levels: playtest, graph, new-level."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click

from game import explore, graph, playcheck, templates
from game import validate as validation
from game.autoplay import naive_results
from game.dialogue import replay
from game.loader import YAML_SUFFIXES, is_shipped, load_catalog
from game.models import TIER_SLUGS, TIERS, DialogueStage, Level
from tui.commands.content import (
    content_folder,
    display_path,
    echo_diagnostics,
    echo_json,
    find_level,
    friendly_errors,
    level_folders,
    shown,
    trainer_folder,
)

TIER_ALIASES = {**{t: t for t in TIERS}, **{slug: tier for tier, slug in TIER_SLUGS.items()}}


# --------------------------------------------------------------------------------------------
# playtest
# --------------------------------------------------------------------------------------------


def _path_steps(stage: DialogueStage, witness: explore.Witness) -> list[dict[str, Any]]:
    state = replay(stage, witness.choices)
    return [
        {"node": step.node, "choice": step.choice + 1, "quality": step.quality.value, "violation": step.violation}
        for step in state.steps
    ]


def _witness_json(stage: DialogueStage, witness: explore.Witness | None) -> dict[str, Any] | None:
    if witness is None:
        return None
    result = witness.result
    return {
        "score": result.score,
        "ending": result.ending_id,
        "compliance": result.compliance,
        "communication": result.communication,
        "outcome": result.outcome,
        "path": _path_steps(stage, witness),
    }


def _witness_text(stage: DialogueStage, witness: explore.Witness | None) -> str:
    if witness is None:
        return "—"
    steps = " → ".join(f"{s['node']}#{s['choice']}" for s in _path_steps(stage, witness))
    route = f"{steps} → {witness.result.ending_id}" if steps else witness.result.ending_id
    return f"{witness.score}  ({route})"


def playtest_json(report: explore.LevelPlaytest, diagnostics: list[Any]) -> dict[str, Any]:
    level = report.level
    stages: list[dict[str, Any]] = []
    for index, stage in enumerate(level.stages):
        entry: dict[str, Any] = {"index": index + 1, "kind": stage.kind, "title": stage.title}
        found = report.dialogues.get(index)
        if isinstance(stage, DialogueStage) and found is not None:
            entry.update(
                {
                    "states": found.states,
                    "paths": found.paths,
                    "paths_infinite": found.paths is None,
                    "paths_by_ending": found.paths_by_ending,
                    "endings_reached": found.endings_reached,
                    "endings_unreached": found.endings_unreached,
                    "nodes_unreached": found.nodes_unreached,
                    "dead_end_nodes": found.dead_end_nodes,
                    "dangling_targets": found.dangling_targets,
                    "cycles": [{"nodes": list(c.nodes), "has_exit": c.has_exit} for c in found.cycles],
                    "unused_choices": [
                        {
                            "node": u.node,
                            "choice": u.choice + 1,
                            "reason": u.reason,
                            "same_as": [i + 1 for i in u.same_as],
                        }
                        for u in found.unused_choices
                    ],
                    "shortest_path": found.shortest_path,
                    "longest_path": found.longest_path,
                    "horizon": found.horizon,
                    "best": _witness_json(stage, found.best),
                    "worst": _witness_json(stage, found.worst),
                    "best_red_line": _witness_json(stage, found.best_red_line),
                    "best_without_good": _witness_json(stage, found.best_without_good),
                }
            )
        elif index in report.errors:
            entry["error"] = report.errors[index]
        stages.append(entry)
    kinds = {kind for kind, _ in report.defects}
    return {
        "level": level.id,
        "title": level.title,
        "ok": report.ok and not validation.has_errors(diagnostics),
        "pass_score": level.pass_score,
        "best_total": report.best.total if report.best else None,
        "worst_total": report.worst.total if report.worst else None,
        "without_good_total": report.without_good.total if report.without_good else None,
        "red_line_can_pass": "red-line-passes" in kinds,
        "too_lenient": "too-lenient" in kinds,
        "naive": [
            {
                "policy": n.policy,
                "runs": n.runs,
                "passes": n.passes,
                "mean_score": n.mean_score,
                "best_score": n.best_score,
            }
            for n in report.naive
        ],
        "stages": stages,
        "defects": [{"kind": k, "message": m} for k, m in report.defects],
        "notes": [{"kind": k, "message": m} for k, m in report.notes],
        "errors": [shown(d).to_json() for d in diagnostics],
    }


def _echo_dialogue(level: Level, index: int, stage: DialogueStage, found: explore.StageExploration) -> None:
    title = stage.title or "对话"
    paths = "无穷多 infinite (loops)" if found.paths is None else f"{found.paths}"
    longest = "无上限 unbounded (loops)" if found.longest_path is None else f"{found.longest_path}"
    click.echo(f"\n阶段 {index + 1} 对话「{title}」 stage {index + 1}, dialogue")
    click.echo(
        f"  状态 states {found.states} · 路径 paths {paths} · "
        f"最短 shortest {found.shortest_path} 步 · 最长 longest {longest} 步 steps"
    )
    if found.paths_by_ending:
        by_ending = ", ".join(f"{e} ×{n}" for e, n in found.paths_by_ending.items())
        click.echo(f"  各结局路径数 paths per ending: {by_ending}")
    click.echo(f"  到达的结局 endings reached: {', '.join(found.endings_reached) or '—'}")
    if found.endings_unreached:
        click.echo(f"  ✗ 永远到不了的结局 never reached: {', '.join(found.endings_unreached)}")
    if found.nodes_unreached:
        click.echo(f"  ! 永远到不了的节点 nodes never reached: {', '.join(found.nodes_unreached)}")
    if found.horizon is not None:
        click.echo(
            f"  (对话有循环,分数按最多 {found.horizon} 步的路径计算 scores over paths up to {found.horizon} steps)"
        )
    click.echo(f"  最高分 best:          {_witness_text(stage, found.best)}")
    click.echo(f"  最低分 worst:         {_witness_text(stage, found.worst)}")
    click.echo(f"  越红线的最高分 best with a red line: {_witness_text(stage, found.best_red_line)}")
    click.echo(f"  不选 good 的最高分 best without a good choice: {_witness_text(stage, found.best_without_good)}")
    for cycle in found.cycles:
        exit_note = "有出口 has an exit" if cycle.has_exit else "✗ 没有出口 no exit"
        click.echo(f"  循环 cycle: {' ⇄ '.join(cycle.nodes)} ({exit_note})")


def _echo_report(report: explore.LevelPlaytest, path: Path) -> None:
    level = report.level
    click.echo(
        f"关卡 level {level.id}「{level.title}」 {level.tier} · 及格 pass {level.pass_score} · {display_path(path)}"
    )
    for index, stage in enumerate(level.stages):
        if isinstance(stage, DialogueStage) and index in report.dialogues:
            _echo_dialogue(level, index, stage, report.dialogues[index])
        elif index in report.errors:
            click.echo(f"\n阶段 {index + 1}: 无法探索 cannot explore: {report.errors[index]}")
        else:
            name = "答题 quiz" if stage.kind == "quiz" else "质检 audit"
            click.echo(
                f"\n阶段 {index + 1} {name}「{stage.title or ''}」: 满分按全对计 best assumes every "
                "answer right, 最低按全错计 worst assumes every answer wrong"
            )
    click.echo("")
    best = report.best.total if report.best else "—"
    worst = report.worst.total if report.worst else "—"
    lenient = report.without_good.total if report.without_good else "—"
    click.echo(
        f"总分 level total: 最高 best {best} · 最低 worst {worst} · "
        f"从不选 good 且答题全错 never good, all wrong {lenient}"
    )
    if report.red_line_results:
        worst_case = max(r.total for _, r in report.red_line_results)
        verdict = "✗ 可以及格!" if any(r.passed for _, r in report.red_line_results) else "不及格 fails ✓"
        click.echo(f"红线 red lines: 越过红线的路径最高总分 best total across a red line {worst_case} → {verdict}")
    for naive in report.naive:
        name = {"first": "总选第一个 always first", "longest": "总选最长 always longest"}[naive.policy]
        verdict = "✗ 太容易猜中 too easy to guess" if naive.too_easy else "✓"
        click.echo(
            f"天真玩家 naive player「{name}」: {naive.runs} 次乱序中及格 passed {naive.passes} 次 · "
            f"平均 mean {naive.mean_score} · 最高 best {naive.best_score} {verdict}"
        )
    if report.notes:
        click.echo("\n提示 notes:")
        for kind, message in report.notes:
            click.echo(f"  · {kind}: {message}")
    if report.defects:
        click.echo("\n结构缺陷 defects:")
        for kind, message in report.defects:
            click.echo(f"  ✗ {kind}: {message}")


@click.command("playtest")
@click.argument("level")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--naive/--no-naive",
    default=True,
    show_default=True,
    help="Also play the level as naive players (always the first / the longest option, "
    "over 20 shuffled orders) and flag it if they pass.",
)
@click.pass_context
@friendly_errors
def playtest_command(ctx: click.Context, level: str, as_json: bool, naive: bool) -> None:
    """穷举试玩一个关卡 Explore every path through a level.

    LEVEL is a level id or a path to a level file. Reports the number of paths, endings reached
    and never reached, best and worst scores (quiz and audit assumed perfect for the best, all
    wrong for the worst), whether a red-line path could pass, whether a player who never picks a
    good choice could pass (too lenient), whether a naive player who always takes the first or the
    longest option passes (naive-passes), choices that never matter, the longest path and loops.
    Exit status 1 on validation errors or defects (unreachable endings, dead ends, red line
    passes, too lenient, naive passes, pass score unreachable).

    \b
    Examples:
      collectquest playtest n01-identity-disclosure
      collectquest playtest levels/novice/n07-callback.yaml --json
    """
    catalog, diagnostics, found_level, path = find_level(ctx, level)
    report = explore.playtest(found_level, catalog)
    if naive and not report.errors:
        try:
            explore.add_naive(report, naive_results(found_level, catalog))
        except (ValueError, KeyError) as exc:
            report.notes.append(("naive-not-played", f"the naive players could not finish the level: {exc}"))
    if as_json:
        data = playtest_json(report, diagnostics)
        echo_json(data)
        ctx.exit(0 if data["ok"] else 1)
    if diagnostics:
        echo_diagnostics(diagnostics)
        click.echo("")
    _echo_report(report, path)
    errors = validation.has_errors(diagnostics)
    if report.ok and not errors:
        click.echo("\n✓ 没有结构缺陷 no structural defects")
        ctx.exit(0)
    problems = len(report.defects) + sum(d.severity != validation.WARNING for d in diagnostics)
    click.echo(f"\n✗ {problems} 个问题 problem(s): 见上 see above")
    ctx.exit(1)


# --------------------------------------------------------------------------------------------
# graph
# --------------------------------------------------------------------------------------------


@click.command("graph")
@click.argument("level")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(graph.FORMATS),
    default="mermaid",
    show_default=True,
    help="mermaid (paste into Markdown) or dot (Graphviz).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
@click.pass_context
@friendly_errors
def graph_command(ctx: click.Context, level: str, fmt: str, output: str | None) -> None:
    """画出关卡的对话流程图 Draw a level's dialogues as a flowchart.

    LEVEL is a level id or a path to a level file. Endings are rounded boxes with their score;
    red-line choices are thick red arrows marked ⛔; good choices are marked ✓.

    \b
    Examples:
      collectquest graph n01-identity-disclosure > n01.mmd
      collectquest graph levels/novice/n07-callback.yaml --format dot | dot -Tsvg > n07.svg
    """
    _catalog, _diagnostics, found_level, _path = find_level(ctx, level)
    if not any(isinstance(s, DialogueStage) for s in found_level.stages):
        raise click.ClickException(f"level {found_level.id} has no dialogue stage to draw")
    text = graph.render(found_level, fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"已写入 wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------------------------
# new-level
# --------------------------------------------------------------------------------------------


def _tier(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    tier = TIER_ALIASES.get(value.strip())
    if tier is None:
        raise click.BadParameter(
            f"'{value}' is not a tier; use 新手, 中级 or 主管 (or novice, intermediate, supervisor)"
        )
    return tier


def _level_id(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not templates.LEVEL_ID.match(value):
        raise click.BadParameter(f"'{value}' must be lower-case letters, digits and dashes, e.g. n07-callback")
    return value


@click.command("new-level")
@click.option("--tier", required=True, callback=_tier, help="新手, 中级 or 主管 (or novice/intermediate/supervisor).")
@click.option("--id", "level_id", required=True, callback=_level_id, help="Level id, e.g. n07-callback.")
@click.option("--title", help="Title shown to players (default: a placeholder to edit).")
@click.option("--order", type=click.IntRange(min=0), help="Position within the tier (default: after the last).")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.pass_context
@friendly_errors
def new_level_command(
    ctx: click.Context, tier: str, level_id: str, title: str | None, order: int | None, force: bool
) -> None:
    """写一个带注释的新关卡模板 Write a commented starter level.

    The file goes to <your levels folder>/<tier folder>/<ID>.yaml — the first --levels folder, else
    my-levels/ (in a checkout) or the user data folder; never the installed package. It validates
    as written and shows every stage kind (dialogue, quiz, audit) with short Chinese comments.
    Edit it, then run the commands it prints (validate, playtest, play).

    \b
    Examples:
      collectquest new-level --tier 新手 --id n07-callback --title "约定回电"
      collectquest --levels ~/my-levels new-level --tier 中级 --id i07-dispute
    """
    root = trainer_folder(ctx)
    if is_shipped(root / "x.yaml") and not (root / ".." / "pyproject.toml").is_file():
        raise click.ClickException(
            f"{display_path(root)} 是安装包里的关卡目录，不能写入：用 --levels DIR 指定你自己的关卡目录"
            " / that is the installed package's folder; name your own with --levels DIR"
        )
    target = root / TIER_SLUGS[tier] / f"{level_id}.yaml"
    content = content_folder(ctx)
    folders = [f for f in level_folders(ctx) if f.is_dir()]
    if root.is_dir() and root.resolve() not in {f.resolve() for f in folders}:
        folders.append(root)
    catalog, _ = load_catalog(folders, [content] if content.is_dir() else [])
    existing = catalog.level_files.get(level_id)
    if existing is not None and existing.resolve() != target.resolve():
        raise click.ClickException(f"a level with id '{level_id}' already exists: {display_path(existing)}")
    if target.exists() and not force:
        raise click.ClickException(f"{display_path(target)} already exists; use --force to overwrite it")
    if order is None:
        order = (
            max((lv.order for lv in catalog.levels.values() if lv.tier == tier and lv.id != level_id), default=0) + 1
        )
    missing = [rule for rule in templates.STARTER_RULES if rule not in catalog.rules]
    text = templates.starter_level(level_id, tier, title, order, set(catalog.banks))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"已创建 created {display_path(target)}")
    _, diagnostics = playcheck.check_paths(
        [target],
        [content] if content.is_dir() else [],
        known_levels={lid: lv.tier for lid, lv in catalog.levels.items()},
    )
    if missing:
        click.echo(
            f"注意 note: the handbook in {display_path(content)} lacks rule cards "
            f"{', '.join(missing)}, which the starter refers to",
            err=True,
        )
    if validation.has_errors(diagnostics):
        echo_diagnostics(diagnostics, err=True)
        raise click.ClickException("the starter level does not validate against this handbook; see above")
    prefix = _options_as_typed(ctx, root)
    click.echo("下一步 next: 编辑文件,然后运行 edit it, then run:")
    click.echo(f"  collectquest{prefix} validate {shlex.quote(display_path(target))}")
    click.echo(f"  collectquest{prefix} playtest {level_id}")
    click.echo(f"  collectquest{prefix} play {level_id}    # 在游戏里试玩,不解锁、不计成绩 preview in the game")


def _options_as_typed(ctx: click.Context, root: Path) -> str:
    """The --levels/--content options the next steps need to find this level again: those given
    on the command line (environment variables still hold in the same shell; the default
    trainer folder is always read)."""
    top = ctx.find_root()
    parts: list[str] = []
    for name, flag in (("only_levels", "--only-levels"), ("levels", "--levels"), ("content", "--content")):
        if top.get_parameter_source(name) != click.core.ParameterSource.COMMANDLINE:
            continue
        value = top.params.get(name)
        for item in [value] if isinstance(value, str) else list(value or ()):
            parts.append(f" {flag} {shlex.quote(str(item))}")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# play (preview)
# --------------------------------------------------------------------------------------------


@click.command("play")
@click.argument("level")
@click.pass_context
@friendly_errors
def play_command(ctx: click.Context, level: str) -> None:
    """在游戏里预览任意关卡 Preview any level in the game.

    LEVEL is a level id or a path to a level file. The level opens at once, locked or not, as a
    throw-away player on a throw-away saves folder: nothing is unlocked, recorded or put on the
    leaderboard.

    \b
    Examples:
      collectquest play n03-m1-first-call
      collectquest --levels ~/my-levels play my-n01-callback
      collectquest play ~/my-levels/novice/my-n01-callback.yaml
    """
    catalog, diagnostics, found, path = find_level(ctx, level)
    if validation.has_errors(diagnostics):
        echo_diagnostics(diagnostics, err=True)
        raise click.ClickException(f"关卡 {found.id} 有错误，先修改再预览 / fix the errors above first")
    opts = ctx.find_root().params
    added = list(opts.get("levels") or ())
    if Path(level).suffix in YAML_SUFFIXES or Path(level).is_file():
        added.append(str(path))  # a file outside the level folders: load it too
    from tui.app import run_app

    run_app(
        levels=added,
        only_levels=tuple(opts.get("only_levels") or ()),
        content=opts.get("content"),
        preview=found.id,
    )


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    for command in (playtest_command, graph_command, new_level_command, play_command):
        group.add_command(command)
