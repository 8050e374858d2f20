"""Subcommands for running a training week: roster, assign, questions export/import.

The roster and assignments live in the saves folder (roster.yaml / assignments.yaml, or the
CSV of the same name); `report` reads them to show who is done, overdue or has never played.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from game import roster as rosters
from game import workbook
from game.catalog import Catalog
from game.diagnostics import Diagnostic
from game.store.folders import default_saves_dir
from game.store.records import clean_name
from tui.commands.content import echo_diagnostics, friendly_errors, options
from tui.commands.records import CommandError, _console, open_catalog


def saves_folder(ctx: click.Context) -> Path:
    return default_saves_dir(options(ctx).get("saves"))


def roster_file(ctx: click.Context) -> Path:
    return rosters.find_file(saves_folder(ctx), rosters.ROSTER_FILES)


def assignments_file(ctx: click.Context) -> Path:
    return rosters.find_file(saves_folder(ctx), rosters.ASSIGNMENT_FILES)


def read_roster(ctx: click.Context) -> list[rosters.Trainee]:
    trainees, problems = rosters.load_roster(roster_file(ctx))
    _fail_on(problems)
    return trainees


def read_assignments(ctx: click.Context, catalog: Catalog, trainees: list[rosters.Trainee]) -> list[rosters.Assignment]:
    titles = {lid: lv.title for lid, lv in catalog.levels.items()}
    found, problems = rosters.load_assignments(assignments_file(ctx), titles, trainees)
    _fail_on(problems)
    return found


def _fail_on(problems: list[Diagnostic]) -> None:
    if problems:
        echo_diagnostics(problems, err=True)
        raise CommandError(f"{len(problems)} 处问题，见上；改好文件再试（collectquest validate 文件 可单独检查）")


def _writable(path: Path) -> Path:
    if path.suffix == ".csv":
        raise CommandError(f"{path.name} 是 CSV：请直接编辑它，或删掉它改用命令（命令写 YAML）")
    return path


# --------------------------------------------------------------------------------------------
# roster
# --------------------------------------------------------------------------------------------


@click.group("roster")
def roster_group() -> None:
    """学员名单 The roster: who trains, in which team, who is a test player.

    \b
    Examples:
      collectquest roster add 王芳 --team 一组
      collectquest roster add 测试员 --team 培训部 --test
      collectquest roster list
    """


@roster_group.command("add")
@click.argument("name")
@click.option("--team", required=True, help="Team, e.g. 一组.")
@click.option("--test/--no-test", "test", default=False, help="A test player: kept out of reports.")
@click.pass_context
@friendly_errors
def roster_add(ctx: click.Context, name: str, team: str, test: bool) -> None:
    """Add a trainee (or change the team / test mark of one already listed)."""
    try:
        name, team = clean_name(name, "学员名字"), clean_name(team, "团队名")
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    path = _writable(roster_file(ctx))
    trainees = [t for t in read_roster(ctx) if t.name != name]
    trainees.append(rosters.Trainee(name, team, test))
    rosters.save_yaml(path, "roster", [rosters.trainee_dict(t) for t in trainees])
    mark = "（测试账号，不计入报告）" if test else ""
    click.echo(f"已加入名单：{name}（{team}）{mark}· {len(trainees)} 人 · {path}")


@roster_group.command("list")
@click.pass_context
@friendly_errors
def roster_list(ctx: click.Context) -> None:
    """List the roster."""
    trainees = read_roster(ctx)
    if not trainees:
        click.echo("名单是空的：collectquest roster add 姓名 --team 团队")
        return
    table = Table(title=f"学员名单 · {len(trainees)} 人", title_justify="left")
    for name in ("团队", "学员", "测试账号"):
        table.add_column(name)
    for t in sorted(trainees, key=lambda t: (t.team, t.name)):
        table.add_row(Text(t.team), Text(t.name), "是" if t.test else "")
    _console().print(table)


# --------------------------------------------------------------------------------------------
# assign
# --------------------------------------------------------------------------------------------


def _due(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”要写成 YYYY-MM-DD，例如 2026-03-06") from None


@click.command("assign")
@click.argument("level")
@click.option("--to", "names", multiple=True, metavar="NAME", help="Trainee on the roster (repeatable).")
@click.option("--team", default=None, metavar="T", help="Every trainee of this team.")
@click.option("--due", required=True, callback=_due, metavar="YYYY-MM-DD", help="Due date.")
@click.pass_context
@friendly_errors
def assign_command(ctx: click.Context, level: str, names: tuple[str, ...], team: str | None, due: date) -> None:
    """布置关卡 Assign a level to trainees or a team, with a due date.

    \b
    Examples:
      collectquest assign n01-identity-disclosure --team 一组 --due 2026-03-06
      collectquest assign n02-contact-hours --to 王芳 --to 李雷 --due 2026-03-09
    """
    if not names and not team:
        raise CommandError("要布置给谁？用 --to 姓名 或 --team 团队")
    catalog = open_catalog(ctx)
    trainees = read_roster(ctx)
    path = _writable(assignments_file(ctx))
    existing = read_assignments(ctx, catalog, trainees)
    new = rosters.Assignment(level, due, tuple(names), team)
    titles = {lid: lv.title for lid, lv in catalog.levels.items()}
    rows = [rosters.assignment_dict(a) for a in [*existing, new]]
    rosters.save_yaml(path.with_name("assignments.check.yaml"), "assignments", rows)
    try:
        _, problems = rosters.load_assignments(path.with_name("assignments.check.yaml"), titles, trainees)
    finally:
        path.with_name("assignments.check.yaml").unlink(missing_ok=True)
    if problems:
        raise CommandError(problems[-1].message.replace(f"第 {problems[-1].line} 行：", ""))
    rosters.save_yaml(path, "assignments", rows)
    who = "、".join(names) + (f"{'、' if names else ''}{team} 全组" if team else "")
    click.echo(f"已布置「{catalog.levels[level].title}」给 {who}，截止 {due.isoformat()} · {path}")


# --------------------------------------------------------------------------------------------
# questions export / import
# --------------------------------------------------------------------------------------------


@click.group("questions")
def questions_group() -> None:
    """题库与 Excel Question banks to a spreadsheet and back (the YAML stays the source).

    \b
    Examples:
      collectquest questions export --xlsx 题库.xlsx
      collectquest questions import 题库.xlsx
    """


@questions_group.command("export")
@click.option("--xlsx", "xlsx_file", required=True, type=click.Path(dir_okay=False), help="Workbook to write.")
@click.option("--bank", "bank_ids", multiple=True, help="Only this bank (repeatable).")
@click.pass_context
@friendly_errors
def questions_export(ctx: click.Context, xlsx_file: str, bank_ids: tuple[str, ...]) -> None:
    """Write the question banks to a workbook, one row per question."""
    catalog = open_catalog(ctx)
    banks = [b for bid, b in sorted(catalog.banks.items()) if not bank_ids or bid in bank_ids]
    workbook.questions_workbook(banks).save(xlsx_file)
    click.echo(f"已写入 {xlsx_file}：{len(banks)} 个题库，{sum(len(b.questions) for b in banks)} 道题")


@questions_group.command("import")
@click.argument("xlsx_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
@click.pass_context
@friendly_errors
def questions_import(ctx: click.Context, xlsx_file: str, dry_run: bool) -> None:
    """Check a workbook row by row and write its questions back to the banks' YAML files.

    A bank in the workbook replaces the questions of the bank file of that id (comments in that
    file are not kept); a new bank id gets a new file under <content>/questions/."""
    catalog = open_catalog(ctx)
    result = workbook.read_questions(Path(xlsx_file), catalog.refs())
    if result.problems:
        echo_diagnostics(result.problems, err=True)
        raise CommandError(f"{len(result.problems)} 行有问题，什么都没有写入；改好表格再导入")
    from game.loader import content_dir

    written = []
    for bank_id, questions in result.questions.items():
        bank = catalog.banks.get(bank_id)
        target = (
            catalog.id_files[("bank", bank_id)][0]
            if bank is not None
            else content_dir(options(ctx).get("content")) / "questions" / f"{bank_id}.yaml"
        )
        text = workbook.bank_yaml(bank, bank_id, questions)
        if not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        written.append(f"{target}（{len(questions)} 道题）")
    verb = "检查通过，未写入" if dry_run else "已写入"
    click.echo(f"{verb}：" + "；".join(written) + "。运行 collectquest validate 检查引用和抽题。")


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    for command in (roster_group, assign_command, questions_group):
        group.add_command(command)
