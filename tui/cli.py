"""The `collectquest` command: with no subcommand it starts the game; subcommands serve trainers
and team leads (validate, playtest, leaderboard, report …). Errors are messages, never tracebacks."""

from __future__ import annotations

from typing import Any

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "autoplay": (
        "tui.commands.records:autoplay_command",
        "Play a level with no screen by a fixed policy (for demos and load tests).",
    ),
    "graph": ("tui.commands.trainer:graph_command", "画出关卡的对话流程图 Draw a level's dialogues as a flowchart."),
    "leaderboard": (
        "tui.commands.records:leaderboard_command",
        "Show the leaderboard: best assessment score per player (per level or overall), or by team.",
    ),
    "levels": ("tui.commands.content:levels_command", "列出关卡(按游玩顺序) List the levels in play order."),
    "new-level": (
        "tui.commands.trainer:new_level_command",
        "写一个带注释的新关卡模板 Write a commented starter level.",
    ),
    "playtest": ("tui.commands.trainer:playtest_command", "穷举试玩一个关卡 Explore every path through a level."),
    "report": (
        "tui.commands.records:report_command",
        "Results per trainee (levels passed, best scores, attempts, time, red lines by rule, weakest dimensions "
        "and skills) and per team.",
    ),
    "schema": (
        "tui.commands.content:schema_command",
        "打印关卡格式的 JSON Schema Print the JSON Schema of the level format.",
    ),
    "play": ("tui.commands.trainer:play_command", "在游戏里预览任意关卡 Preview any level in the game."),
    "review": (
        "tui.commands.learning:review_command",
        "List the review cards (错题本) due for a trainee: kind (quiz or dialogue), level, due date.",
    ),
    "roster": (
        "tui.commands.training:roster_group",
        "学员名单 The roster: who trains, in which team, who is a test player.",
    ),
    "assign": (
        "tui.commands.training:assign_command",
        "布置关卡 Assign a level to trainees or a team, with a due date.",
    ),
    "questions": (
        "tui.commands.training:questions_group",
        "题库与 Excel Question banks to a spreadsheet and back (the YAML stays the source).",
    ),
    "pin": ("tui.commands.server:pin_group", "Trainers: set or reset a trainee's sign-in PIN."),
    "serve": (
        "tui.commands.server:serve",
        "Serve the game to browsers: every tab plays its own game on this server's store, and every player "
        "signs in with a PIN.",
    ),
    "store": ("tui.commands.server:store_group", "Move saved data between a saves folder and a team server."),
    "validate": ("tui.commands.content:validate_command", "检查关卡和手册文件 Check level and handbook files."),
    "verify": (
        "tui.commands.records:verify_command",
        "Re-score every recorded run and leaderboard entry against the current levels; list any stored score "
        "that does not match (exit 1 if there is one).",
    ),
}
"""Subcommand name -> ("module:attribute", short help). A command's module is imported only when
that command runs, so starting the game or printing --help does not pay for every command's
imports (click's documented LazyGroup pattern). The short help is kept here so --help lists the
commands without importing them; tests/test_import_cost.py checks it matches each command's own.
A new command: add it to its module's `register()` and here."""


class LazyGroup(click.Group):
    """A click group whose SUBCOMMANDS are imported on first use."""

    def __init__(self, *args: Any, lazy_subcommands: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands and cmd_name not in self.commands:
            from importlib import import_module

            module_name, attribute = self.lazy_subcommands[cmd_name][0].split(":")
            command = getattr(import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module_name}:{attribute} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click.Group.format_commands, with the short help of commands not yet imported taken
        from SUBCOMMANDS."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                placeholder = click.Command(name, help=self.lazy_subcommands[name][1])  # not imported yet
                rows.append((name, placeholder.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy_subcommands=SUBCOMMANDS, invoke_without_command=True, context_settings=CONTEXT)
@click.option(
    "--saves",
    "saves",
    type=click.Path(file_okay=False),
    envvar="COLLECTQUEST_SAVES",
    help="Folder for player data (default: saves/). Env: COLLECTQUEST_SAVES.",
)
@click.option(
    "--levels",
    "levels",
    type=click.Path(file_okay=False),
    multiple=True,
    envvar="COLLECTQUEST_LEVELS",
    help="A folder of your own levels, added to the shipped ones (repeatable; new-level writes into the first). "
    "Env: COLLECTQUEST_LEVELS, several folders separated by the path separator (: or ; on Windows).",
)
@click.option(
    "--only-levels",
    "only_levels",
    type=click.Path(file_okay=False),
    multiple=True,
    envvar="COLLECTQUEST_LEVELS_ONLY",
    help="Folder(s) of levels that replace the shipped curriculum. Env: COLLECTQUEST_LEVELS_ONLY.",
)
@click.option(
    "--content",
    "content",
    type=click.Path(),
    envvar="COLLECTQUEST_CONTENT",
    help="Folder of handbook files (default: the shipped content/). Env: COLLECTQUEST_CONTENT.",
)
@click.option(
    "--leaderboard",
    "leaderboard",
    type=click.Path(dir_okay=False),
    envvar="COLLECTQUEST_LEADERBOARD",
    help="Shared leaderboard file (default: inside the saves folder). Env: COLLECTQUEST_LEADERBOARD.",
)
@click.option(
    "--store",
    "store",
    metavar="URL",
    envvar="COLLECTQUEST_STORE",
    help="Team server, e.g. postgresql://user@host/db (default: the saves folder). Env: COLLECTQUEST_STORE.",
)
@click.version_option(package_name="collectquest")
@click.pass_context
def cli(
    ctx: click.Context,
    saves: str | None,
    levels: tuple[str, ...],
    only_levels: tuple[str, ...],
    content: str | None,
    leaderboard: str | None,
    store: str | None,
) -> None:
    """催收闯关 CollectQuest — a training game for lawful, respectful debt collection.

    Run with no command to play.  Example:  collectquest --saves /mnt/team/saves
    """
    ctx.obj = {
        "saves": saves,
        "levels": levels,
        "only_levels": only_levels,
        "content": content,
        "leaderboard": leaderboard,
        "store": store,
    }
    if ctx.invoked_subcommand is None:
        from tui.app import run_app

        run_app(
            saves=saves, levels=levels, only_levels=only_levels, content=content, leaderboard=leaderboard, store=store
        )


def main() -> None:
    cli(prog_name="collectquest")
