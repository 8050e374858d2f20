"""Subcommands on saved results: leaderboard, autoplay, verify, report.

Every command honours --saves / --leaderboard / --levels / --content (and their environment
variables), prints a message instead of a traceback on bad input, and reports damaged save files
that were moved aside.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from game.autoplay import POLICIES, autoplay
from game.catalog import Catalog
from game.gains import GAIN_TESTS, gain_test, gain_text
from game.loader import content_dir, level_folders, load_catalog
from game.placement import PLACEMENT_ID, TEST_IDS, TEST_NAMES, placement_level
from game.quiz import DrawError
from game.report import Report, build_report, parse_since, report_csv
from game.roster import (
    ASSIGNMENT_FILES,
    DONE,
    NOT_STARTED,
    OVERDUE,
    ROSTER_FILES,
    Assignment,
    Trainee,
    TraineeAssignments,
    assignment_status,
    find_file,
    load_assignments,
    load_roster,
)
from game.runs import run_from_session, verify_store
from game.session import MODE_NAMES, MODES
from game.store import Store, default_location
from game.store import open_store as open_location
from game.store.errors import RunKept, StorageProblem
from game.store.folders import default_saves_dir
from game.store.records import LeaderboardEntry, Player, clean_name
from game.textsafe import safe_text
from game.workbook import report_workbook


class CommandError(click.ClickException):
    """A user-facing error: printed as 错误:… with exit code 2, never a traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"错误:{safe_text(self.format_message())}", err=True)


def _options(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, dict) else {}


def open_store(ctx: click.Context, *, read_only: bool = False) -> Store:
    """The store of --store (a server) or else --saves / --leaderboard (a folder); `read_only`
    for commands that only look at a folder (they never write, so they work on a full disk, a
    read-only share and while the game is recording)."""
    opts = _options(ctx)
    saves = default_saves_dir(opts.get("saves"))
    try:
        location = default_location(opts.get("store"), saves)
        store = open_location(location, opts.get("leaderboard"), outbox_dir=saves, read_only=read_only)
    except StorageProblem as exc:
        raise CommandError(str(exc)) from None
    for problem in store.problems:
        click.echo(f"注意:{safe_text(problem)}", err=True)
    return store


def cell(text: str) -> Text:
    """A table cell from stored text: literal (no markup) and with nothing a terminal acts on."""
    return Text(safe_text(text))


def open_catalog(ctx: click.Context) -> Catalog:
    opts = _options(ctx)
    folders = level_folders(opts.get("levels"), opts.get("only_levels"))
    catalog, diagnostics = load_catalog([f for f in folders if f.is_dir()], [content_dir(opts.get("content"))])
    if diagnostics:
        click.echo(
            f"注意:关卡或题库中有 {len(diagnostics)} 处问题,相关内容未加载(运行 collectquest validate 查看)。", err=True
        )
    return catalog


def _console() -> Console:
    # Piped into a file or another tool there is no terminal width to honour: use a wide one so
    # the report's columns are not cut to 80 characters.
    console = Console(highlight=False, soft_wrap=False)
    return console if console.is_terminal else Console(highlight=False, soft_wrap=False, width=160)


def _when(text: str) -> str:
    try:
        return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text


def _level_or_fail(catalog: Catalog, level_id: str) -> Any:
    level = catalog.levels.get(level_id)
    if level is None:
        close = difflib.get_close_matches(level_id, list(catalog.levels), n=1)
        hint = f"(是不是 {close[0]}?)" if close else ""
        raise CommandError(f"找不到关卡 {level_id}{hint}。已加载的关卡:{', '.join(catalog.levels) or '无'}")
    return level


# --------------------------------------------------------------------------------------------
# leaderboard
# --------------------------------------------------------------------------------------------


def _leaderboard_table(entries: list[LeaderboardEntry], teams: bool, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("名次", justify="right")
    if teams:
        table.add_column("团队")
        table.add_column("人数", justify="right")
        table.add_column("平均分", justify="right")
    else:
        table.add_column("学员")
        table.add_column("团队")
        table.add_column("分数", justify="right")
    table.add_column("次数", justify="right")
    table.add_column("达成时间")
    for rank, e in enumerate(entries, start=1):
        # Names are literal text: Text() keeps "[red]" as typed instead of reading it as markup.
        if teams:
            table.add_row(str(rank), cell(e.team), str(e.members), str(e.score), str(e.attempts), cell(_when(e.when)))
        else:
            table.add_row(str(rank), cell(e.player), cell(e.team), str(e.score), str(e.attempts), cell(_when(e.when)))
    return table


@click.command("leaderboard")
@click.option(
    "--level", "level_id", metavar="ID", help="Only this level (default: overall, the sum of per-level bests)."
)
@click.option("--teams", is_flag=True, help="Rank teams by the mean of their members' scores.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {player, team, score, attempts, when}.")
@click.option("--include-autoplay", is_flag=True, help="Count runs recorded by `autoplay --record` too.")
@click.option("--week", is_flag=True, help="This ISO week only (runs since Monday 00:00, local time).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000), help="Rows shown.")
@click.pass_context
def leaderboard_command(
    ctx: click.Context,
    level_id: str | None,
    teams: bool,
    as_json: bool,
    include_autoplay: bool,
    week: bool,
    limit: int,
) -> None:
    """Show the leaderboard: best assessment score per player (per level or overall), or by team.

    \b
    Examples:
      collectquest leaderboard
      collectquest leaderboard --level n01-identity-disclosure --json
      collectquest leaderboard --teams --week
      collectquest --leaderboard /mnt/team/leaderboard.json leaderboard --teams
    """
    store = open_store(ctx, read_only=True)
    try:
        entries = store.leaderboard(level_id, teams=teams, include_autoplay=include_autoplay, limit=limit, week=week)
    except StorageProblem as exc:
        raise CommandError(str(exc)) from None
    if as_json:
        click.echo(json.dumps([e.to_json() for e in entries], ensure_ascii=False, indent=2))
        return
    scope = f"关卡 {level_id}" if level_id else "总榜(各关最高分之和)"
    if week:
        scope = "本周（周一 0 点起）· " + (f"关卡 {level_id}" if level_id else "各关最高分之和")
    title = f"排行榜 · {scope}" + (" · 团队(成员平均)" if teams else "") + (" · 含自动演示" if include_autoplay else "")
    if not entries:
        when = "本周还没有" if week else "还没有"
        click.echo(f"{title}\n{when}成绩:完成一次「考核」模式的关卡后就会出现在这里。")
        return
    _console().print(_leaderboard_table(entries, teams, title))


# --------------------------------------------------------------------------------------------
# autoplay
# --------------------------------------------------------------------------------------------


@click.command("autoplay")
@click.argument("level_id", metavar="LEVEL")
@click.option(
    "--player", "player_name", default=None, metavar="NAME", help="Trainee the run is played as (needed with --record)."
)
@click.option("--team", default=None, metavar="T", help="Team (for a new player; default 未分组).")
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    required=True,
    help="best: highest-scoring play; worst: lowest; random: uniform, from --seed; "
    "first / longest: a naive player taking the first / the longest option shown.",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(0, 2**53),
    help="Seed for question draws and the random policy.",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="assessment",
    show_default=True,
    help="assessment runs count on the leaderboard; practice runs only for unlocking.",
)
@click.option("--record", is_flag=True, help="Store the run (marked as autoplay; off the leaderboard by default).")
@click.option(
    "--as-trainee",
    is_flag=True,
    help="With --record: count the run like a played one (unlocks, review cards); still marked autoplay "
    "and kept off the leaderboard.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.pass_context
def autoplay_command(
    ctx: click.Context,
    level_id: str,
    player_name: str | None,
    team: str | None,
    policy: str,
    seed: int,
    mode: str,
    record: bool,
    as_trainee: bool,
    as_json: bool,
) -> None:
    """Play a level with no screen by a fixed policy (for demos and load tests).

    \b
    Examples:
      collectquest autoplay n01-identity-disclosure --player 演示员 --policy best
      collectquest autoplay n01-identity-disclosure --player 压测 --team 测试组 --policy random --seed 7 --record
      collectquest autoplay n06-exam --policy longest --json
    """
    if record and not player_name:
        raise CommandError("--record 需要 --player NAME：这条记录算在哪位学员名下？")
    if as_trainee and not record:
        raise CommandError("--as-trainee 需要与 --record 一起使用。")
    player_name = player_name or "自动演示"
    catalog = open_catalog(ctx)
    try:
        name = clean_name(player_name, "学员名字")
        team_name = clean_name(team, "团队名") if team and team.strip() else None
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    drawn_from = catalog
    if level_id in GAIN_TESTS:  # drawn without the questions this trainee met in earlier tests
        known = open_store(ctx).find_player(name, team_name) if record else None
        found = gain_test(catalog, level_id, open_store(ctx).runs(known.id) if known else [])
        level, drawn_from = found if found is not None else (None, catalog)
    else:
        level = placement_level(catalog) if level_id == PLACEMENT_ID else _level_or_fail(catalog, level_id)
    if level is None:
        raise CommandError("题库里没有可用于定级测试的题目。")
    started = datetime.now().astimezone()
    try:
        session = autoplay(level, drawn_from, policy, seed, mode=mode)
    except DrawError as exc:
        raise CommandError(f"关卡 {level_id} 的抽题无法满足:{exc}") from None
    except ValueError as exc:
        raise CommandError(f"关卡 {level_id} 无法自动完成:{exc}") from None
    finished = datetime.now().astimezone()
    result = session.result()
    verdict = "通过" if result.passed else "未通过"
    if as_json:
        click.echo(
            json.dumps(
                {
                    "level": level.id,
                    "policy": policy,
                    "seed": seed,
                    "mode": mode,
                    "score": result.total,
                    "passed": result.passed,
                    "stars": result.stars,
                    "stages": [
                        {"kind": stage.kind, "score": score} for stage, score in zip(level.stages, result.stage_scores)
                    ],
                    "missed_minimums": result.missed_minimums,
                    "violations": result.violations,
                },
                ensure_ascii=False,
            )
        )
    else:
        _echo_autoplay(level, policy, seed, mode, result, verdict)
    if not record:
        return
    store = open_store(ctx)
    try:
        player = store.find_or_create_player(name, team_name)
        run = run_from_session(session, player, started, finished, autoplay=True, as_trainee=as_trainee)
        store.record_run(run)
        if as_trainee:
            from tui.commands.learning import take_in_trainee_run

            take_in_trainee_run(store, run, catalog, level, finished, quiet=as_json)
    except RunKept as exc:
        click.echo(f"注意:{exc}", err=True)
        return
    except (ValueError, StorageProblem) as exc:
        raise CommandError(str(exc)) from None
    if not as_json:
        click.echo(f"已记录（自动演示）到 {store.location}，学员 {player.name}（{player.team}）。")


def _echo_autoplay(level: Any, policy: str, seed: int, mode: str, result: Any, verdict: str) -> None:
    click.echo(f"{level.title}({level.id})· 策略 {policy} · 种子 {seed} · {MODE_NAMES[mode]}")
    click.echo(f"总分 {result.total} · {verdict} · {'★' * result.stars or '无星'}")
    click.echo("各阶段得分:" + " / ".join(str(s) for s in result.stage_scores))
    if result.dimensions:
        click.echo("维度:" + "  ".join(f"{k} {v}" for k, v in result.dimensions.items()))
    if result.violations:
        click.echo("触碰红线:" + "、".join(result.violations))
    for missed in result.missed_minimums:
        click.echo(f"未达环节最低分:{missed}")


# --------------------------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------------------------

WHERE_NAMES = {"history": "运行记录", "bests": "最佳成绩", "leaderboard": "排行榜"}


@click.command("verify")
@click.pass_context
def verify_command(ctx: click.Context) -> None:
    """Re-score every recorded run and leaderboard entry against the current levels; list any
    stored score that does not match (exit 1 if there is one).

    \b
    Example:
      collectquest --saves /mnt/team/saves verify
    """
    catalog = open_catalog(ctx)
    store = open_store(ctx, read_only=True)
    try:
        report = verify_store(store, catalog)
    except StorageProblem as exc:
        raise CommandError(str(exc)) from None
    for note in report.unverifiable:
        click.echo(f"注意:{note}", err=True)
    click.echo(f"已核对 {report.checked_runs} 条运行记录、{report.checked_entries} 条排行榜成绩。")
    if report.ok:
        click.echo("全部一致。")
        return
    table = Table(title=f"{len(report.mismatches)} 处不一致", title_justify="left")
    for name in ("位置", "学员", "关卡", "记录分数", "重算分数", "说明", "运行 ID"):
        table.add_column(name)
    for m in report.mismatches:
        table.add_row(
            WHERE_NAMES[m.where],
            cell(m.player),
            cell(m.level_id),
            "" if m.stored is None else str(m.stored),
            "" if m.expected is None else str(m.expected),
            cell(m.detail),
            cell(m.run_id or ""),
        )
    _console().print(table)
    ctx.exit(1)


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def _print_report(report: Report) -> None:
    console = _console()
    filters = []
    if report.team:
        filters.append(f"团队 {report.team}")
    if report.since:
        filters.append(f"自 {report.since} 起")
    console.print(
        Text(f"培训报告 · {report.generated[:16].replace('T', ' ')}" + (" · " + " · ".join(filters) if filters else ""))
    )
    if not report.trainees:
        console.print(Text("没有符合条件的学员或成绩。"))
        return
    trainees = Table(title="学员", title_justify="left")
    for name, justify in (
        ("团队", "left"),
        ("学员", "left"),
        ("通过", "right"),
        ("平均最高分", "right"),
        ("次数", "right"),
        ("用时(分)", "right"),
        ("红线", "left"),
        ("最弱维度", "left"),
        ("最弱技能", "left"),
    ):
        trainees.add_column(name, justify=justify)  # type: ignore[arg-type]
    for t in report.trainees:
        violations = "、".join(f"{rule}×{n}" for rule, n in t.violations.items()) or "—"
        trainees.add_row(
            cell(t.team),
            cell(t.player),
            str(len(t.levels_passed)),
            "—" if t.average_best is None else str(t.average_best),
            f"{t.attempts}(考核 {t.assessment_runs})",
            _minutes(t.time_spent),
            cell(violations),
            "、".join(t.weakest_dimensions) or "—",
            "、".join(t.weakest_skills) or "—",
        )
    console.print(trainees)
    teams = Table(title="团队", title_justify="left")
    for name in ("团队", "人数", "通过关卡合计", "平均最高分", "次数", "用时(分)", "红线", "最弱维度", "最弱技能"):
        teams.add_column(name)
    for team in report.teams:
        violations = "、".join(f"{rule}×{n}" for rule, n in team.violations.items()) or "—"
        teams.add_row(
            cell(team.team),
            f"{team.active_members}/{team.members}",
            str(team.levels_passed),
            "—" if team.average_best is None else str(team.average_best),
            str(team.attempts),
            _minutes(team.time_spent),
            cell(violations),
            "、".join(team.weakest_dimensions) or "—",
            "、".join(team.weakest_skills) or "—",
        )
    console.print(teams)
    _print_gains(report)


def _gain_pairs(gain: dict[str, int]) -> str:
    return "；".join(f"{skill} {gain_text(value)}" for skill, value in gain.items()) or "—"


def _print_gains(report: Report) -> None:
    """前测 / 中测 / 后测 per trainee, and the gain per skill (per trainee and per team)."""
    tested = [t for t in report.trainees if t.tests]
    if not tested:
        return
    table = Table(title="测验提升（前测 → 中测 / 后测，各技能答对率的变化，百分点）", title_justify="left")
    for name in ("团队", "学员", *(TEST_NAMES[t] for t in TEST_IDS), "各技能提升"):
        table.add_column(name)
    for t in tested:
        table.add_row(
            cell(t.team),
            cell(t.player),
            *("—" if t.tests.get(test) is None else str(t.tests[test]) for test in TEST_IDS),
            Text(_gain_pairs(t.gain)),
        )
    for team in report.teams:
        if team.gain:
            table.add_row(cell(team.team), Text("（全队平均）"), "", "", "", Text(_gain_pairs(team.gain)))
    _console().print(table)


@click.command("report")
@click.option("--team", default=None, metavar="T", help="Only this team.")
@click.option("--since", default=None, metavar="DATE", help="Only runs finished on or after DATE (YYYY-MM-DD).")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Also write the report as CSV (UTF-8 with BOM, opens in Excel).",
)
@click.option(
    "--xlsx",
    "xlsx_file",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Also write an Excel workbook: trainees, teams, scores, red lines by rule, assignments.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of tables.")
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="The day overdue is judged on (default: today).")
@click.option("--include-test", is_flag=True, help="Also show test players of the roster (marked 测试).")
@click.option("--include-autoplay", is_flag=True, help="Count runs recorded by `autoplay --record` too.")
@click.pass_context
def report_command(
    ctx: click.Context,
    team: str | None,
    since: str | None,
    csv_file: str | None,
    xlsx_file: str | None,
    as_json: bool,
    today: str | None,
    include_test: bool,
    include_autoplay: bool,
) -> None:
    """Results per trainee (levels passed, best scores, attempts, time, red lines by rule, weakest
    dimensions and skills) and per team.

    \b
    Examples:
      collectquest report
      collectquest report --team 一组 --since 2026-03-01 --csv 一组.csv
    """
    try:
        since_date = parse_since(since) if since else None
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    catalog = open_catalog(ctx)
    store = open_store(ctx, read_only=True)
    try:
        team_name = clean_name(team, "团队名") if team and team.strip() else None
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    try:
        today_date = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise CommandError(f"--today“{today}”要写成 YYYY-MM-DD") from None
    trainees, assignments = _roster_and_assignments(default_saves_dir(_options(ctx).get("saves")), catalog)
    tests = {t.name for t in trainees if t.test}
    try:
        runs = list(store.runs())
        players = list(store.players())
    except StorageProblem as exc:
        raise CommandError(str(exc)) from None
    if include_test:  # shown, and marked
        runs = [replace(r, player=f"{r.player}（测试）") if r.player in tests else r for r in runs]
        players = [replace(p, name=f"{p.name}（测试）") if p.name in tests else p for p in players]
    else:  # kept in the history, left out of the report
        runs = [r for r in runs if r.player not in tests]
        players = [p for p in players if p.name not in tests]
    known = {p.name for p in players}
    for trainee in trainees:  # on the roster but never opened the game: still a row of the report
        shown_name = f"{trainee.name}（测试）" if trainee.test else trainee.name
        if shown_name not in known and (include_test or not trainee.test):
            players.append(Player(f"roster:{trainee.name}", shown_name, trainee.team, ""))
    report = build_report(
        runs,
        catalog.levels,
        players,
        team=team_name,
        since=since_date,
        include_autoplay=include_autoplay,
        catalog=catalog,
    )
    counted = [r for r in store.runs() if include_autoplay or not r.autoplay or r.as_trainee]
    status = [
        s
        for s in assignment_status(trainees, assignments, counted, today_date, include_test=include_test)
        if team_name is None or s.trainee.team == team_name
    ]
    if xlsx_file:
        try:
            report_workbook(report, catalog.levels, catalog.rules, status).save(xlsx_file)
        except OSError as exc:
            raise CommandError(f"无法写入 {xlsx_file}:{exc.strerror or exc}") from None
        click.echo(f"已写入 {xlsx_file}", err=as_json)
    if csv_file:
        try:
            Path(csv_file).write_text(report_csv(report), encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise CommandError(f"无法写入 {csv_file}:{exc.strerror or exc}") from None
        click.echo(f"已写入 {csv_file}", err=as_json)
    if as_json:
        data = report.to_json()
        data["assignments"] = [
            {
                "player": t.trainee.name,
                "team": t.trainee.team,
                "never_played": t.never_played,
                "levels": [
                    {"level": r.level, "due": r.due.isoformat(), "status": r.status, "best": r.best} for r in t.rows
                ],
            }
            for t in status
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_report(report)
        if status:
            _print_assignments(status, catalog, today_date)


def _roster_and_assignments(folder: Path, catalog: Catalog) -> tuple[list[Trainee], list[Assignment]]:
    """The roster and assignments of the saves folder; problems are printed and fail the command."""
    trainees, problems = load_roster(find_file(folder, ROSTER_FILES))
    titles = {lid: lv.title for lid, lv in catalog.levels.items()}
    assignments, more = load_assignments(find_file(folder, ASSIGNMENT_FILES), titles, trainees)
    for problem in [*problems, *more]:
        click.echo(f"{problem.file}:{problem.line}: {problem.message}", err=True)
    if problems or more:
        raise CommandError("名单或布置文件有问题，见上")
    return trainees, assignments


def _print_assignments(status: list[TraineeAssignments], catalog: Catalog, today: date) -> None:
    table = Table(title=f"布置完成情况 · 截至 {today.isoformat()}", title_justify="left")
    for name in ("团队", "学员", "布置", "已完成", "已逾期", "未开始", "逾期的关卡"):
        table.add_column(name)
    for t in status:
        overdue = [catalog.levels[r.level].title for r in t.rows if r.status == OVERDUE and r.level in catalog.levels]
        never = " · 从未玩过" if t.never_played else ""
        table.add_row(
            Text(t.trainee.team),
            Text(t.trainee.name + never),
            str(len(t.rows)),
            str(t.count(DONE)),
            str(t.count(OVERDUE)),
            str(t.count(NOT_STARTED)),
            Text("、".join(overdue) or "—"),
        )
    _console().print(table)
    idle = [t.trainee.name for t in status if t.never_played]
    if idle:
        _console().print(Text(f"还没玩过的学员（{len(idle)} 人）：" + "、".join(idle)))


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    for command in (leaderboard_command, autoplay_command, verify_command, report_command):
        group.add_command(command)
