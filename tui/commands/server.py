"""Subcommands for a team: pin (sign-in), serve (play in a browser), store copy (folder ⇄ server)."""

from __future__ import annotations

import click

from game.storage import Player
from game.store import Store
from game.store.pins import clean_pin
from tui.commands.records import CommandError, open_store


def _player(store: Store, name: str, team: str | None) -> Player:
    """The one player with this name (in `team` if given), or a CommandError saying why not."""
    matches = [p for p in store.players() if p.name == name.strip() and (team is None or p.team == team)]
    if not matches:
        raise CommandError(f"没有找到学员「{name}」" + (f"(团队「{team}」)" if team else "") + "。")
    if len(matches) > 1:
        teams = "、".join(p.team for p in matches)
        raise CommandError(f"有多位学员叫「{name}」(团队:{teams}),请用 --team 指定。")
    return matches[0]


@click.group("pin")
def pin_group() -> None:
    """Trainers: set or reset a trainee's sign-in PIN."""


@pin_group.command("set")
@click.option("--player", "name", required=True, help="The trainee's name.")
@click.option("--team", default=None, help="Their team, when two trainees share a name.")
@click.option(
    "--pin",
    prompt="新 PIN(New PIN)",
    hide_input=True,
    confirmation_prompt="再输入一次(Repeat)",
    help="The new PIN (asked for when not given; at least 4 characters).",
)
@click.pass_context
def pin_set(ctx: click.Context, name: str, team: str | None, pin: str) -> None:
    """Give a trainee a PIN (they are asked for it on the start screen)."""
    store = open_store(ctx)
    player = _player(store, name, team)
    try:
        store.set_pin(player.id, clean_pin(pin))
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"已为学员「{player.name}」({player.team})设置 PIN。")


@pin_group.command("reset")
@click.option("--player", "name", required=True, help="The trainee's name.")
@click.option("--team", default=None, help="Their team, when two trainees share a name.")
@click.pass_context
def pin_reset(ctx: click.Context, name: str, team: str | None) -> None:
    """Remove a trainee's PIN (forgotten): on a served game they set a new one when they next sign in."""
    store = open_store(ctx)
    player = _player(store, name, team)
    store.set_pin(player.id, None)
    click.echo(f"已清除学员「{player.name}」({player.team})的 PIN:下次进入时请设置新的 PIN。")


def register(cli: click.Group) -> None:
    cli.add_command(pin_group)
