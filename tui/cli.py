"""The `collectquest` command: with no subcommand it starts the game; subcommands serve trainers
and team leads (validate, playtest, leaderboard, report …). Errors are messages, never tracebacks."""

from __future__ import annotations

import click

from tui.commands import content, records, server, trainer

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(invoke_without_command=True, context_settings=CONTEXT)
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
    type=click.Path(),
    envvar="COLLECTQUEST_LEVELS",
    help="Folder of level files (default: the shipped levels/). Env: COLLECTQUEST_LEVELS.",
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
    levels: str | None,
    content: str | None,
    leaderboard: str | None,
    store: str | None,
) -> None:
    """催收闯关 CollectQuest — a training game for lawful, respectful debt collection.

    Run with no command to play.  Example:  collectquest --saves /mnt/team/saves
    """
    ctx.obj = {"saves": saves, "levels": levels, "content": content, "leaderboard": leaderboard, "store": store}
    if ctx.invoked_subcommand is None:
        from tui.app import run_app

        run_app(saves=saves, levels=levels, content=content, leaderboard=leaderboard, store=store)


for module in (content, records, trainer, server):
    module.register(cli)


def main() -> None:
    cli(prog_name="collectquest")
