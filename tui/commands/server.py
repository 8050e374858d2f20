"""Subcommands for a team: pin (sign-in), serve (play in a browser), store copy (folder ⇄ server)."""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path

import click

from game.store import Store
from game.store.pins import clean_pin
from game.store.records import Player
from tui.commands.records import CommandError, _options, open_store


def _player(store: Store, name: str, team: str | None) -> Player:
    """The one player with this name (in `team` if given), or a CommandError saying why not."""
    matches = [p for p in store.players() if p.name == name.strip() and (team is None or p.team == team)]
    if not matches:
        raise CommandError(f"没有找到学员「{name}」" + (f"（团队「{team}」）" if team else "") + "。")
    if len(matches) > 1:
        teams = "、".join(p.team for p in matches)
        raise CommandError(f"有多位学员叫「{name}」（团队：{teams}），请用 --team 指定。")
    return matches[0]


@click.group("pin")
def pin_group() -> None:
    """Trainers: set or reset a trainee's sign-in PIN."""


@pin_group.command("set")
@click.option("--player", "name", required=True, help="The trainee's name.")
@click.option("--team", default=None, help="Their team, when two trainees share a name.")
@click.option(
    "--pin",
    prompt="新 PIN（New PIN）",
    hide_input=True,
    confirmation_prompt="再输入一次（Repeat）",
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
    click.echo(f"已为学员「{player.name}」（{player.team}）设置 PIN。")


@pin_group.command("reset")
@click.option("--player", "name", required=True, help="The trainee's name.")
@click.option("--team", default=None, help="Their team, when two trainees share a name.")
@click.pass_context
def pin_reset(ctx: click.Context, name: str, team: str | None) -> None:
    """Remove a trainee's PIN (forgotten): on a served game they set a new one when they next sign in."""
    store = open_store(ctx)
    player = _player(store, name, team)
    store.set_pin(player.id, None)
    click.echo(f"已清除学员「{player.name}」（{player.team}）的 PIN：下次进入时请设置新的 PIN。")


PASSED_THROUGH = ("saves", "levels", "content", "leaderboard", "store")
"""Global options a served game gets from `collectquest serve` (paths made absolute)."""


def game_command(options: dict[str, str | None]) -> list[str]:
    """The command line of one game process for one browser tab, on the server's store."""
    command = [sys.executable, "-m", "tui"]
    for name in PASSED_THROUGH:
        value = options.get(name)
        if value:
            if name != "store":
                value = str(Path(value).resolve())
            command += [f"--{name}", value]
    return command


def _addresses(host: str, port: int) -> list[str]:
    """What trainees type: the host given, or for 0.0.0.0 this PC's name and address."""
    if host not in ("0.0.0.0", "::", ""):
        return [f"http://{host}:{port}/"]
    names = [socket.gethostname()]
    try:
        names.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    return [f"http://{name}:{port}/" for name in dict.fromkeys(names)]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: the whole room).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--public-url", default=None, help="The URL trainees open, when behind a proxy (default: as typed).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, public_url: str | None) -> None:
    """Serve the game to browsers: every tab plays its own game on this server's store, and every
    player signs in with a PIN."""
    try:
        from tui.web import GameServer
    except ImportError as exc:
        raise CommandError(f"浏览器模式需要安装 textual-serve：pip install 'collectquest[server]'（{exc}）") from None
    from tui.app import REQUIRE_PIN_ENV

    options = _options(ctx)
    store = open_store(ctx)  # fail here, with a message, rather than in every browser tab
    location = store.location
    store.close()
    os.environ[REQUIRE_PIN_ENV] = "1"  # inherited by every game process
    server = GameServer(shlex.join(game_command(options)), host, port, "催收闯关 CollectQuest", public_url)
    click.echo(f"催收闯关浏览器模式：成绩保存在 {location}")
    for address in [public_url] if public_url else _addresses(host, port):
        click.echo(f"学员在浏览器打开：{address}")
    click.echo("按 Ctrl+C 停止。")
    server.serve()


@click.group("store")
def store_group() -> None:
    """Move saved data between a saves folder and a team server."""


def _open_for_copy(location: str, outbox_dir: Path) -> Store:
    """A store named on the command line: a postgresql:// URL or a folder (its own leaderboard
    file; --leaderboard and $COLLECTQUEST_LEADERBOARD do not apply here)."""
    from game.store import EmbeddedStore, is_server_url
    from game.store import open_store as open_location
    from game.store.errors import StorageProblem
    from game.store.folders import LEADERBOARD_FILE

    try:
        if is_server_url(location):
            return open_location(location, outbox_dir=outbox_dir)
        return EmbeddedStore(Path(location), Path(location) / LEADERBOARD_FILE)
    except StorageProblem as exc:
        raise CommandError(str(exc)) from None


def store_counts(store: Store) -> dict[str, int]:
    """What must be equal on both sides of a copy (the verify-like check)."""
    bests = store.all_bests()
    board = store.leaderboard_data()["levels"]
    return {
        "runs": sum(1 for _ in store.runs()),
        "players": len(store.players()),
        "bests": sum(len(levels) for levels in bests.values()),
        "attempts": sum(b.attempts for levels in bests.values() for b in levels.values()),
        "best_total": sum(b.score for levels in bests.values() for b in levels.values()),
        "board": sum(len(players) for players in board.values()),
        "cards": sum(len(store.learning.cards(p.id, include_retired=True)) for p in store.players()),
        "placements": sum(store.learning.placement(p.id) is not None for p in store.players()),
    }


COUNT_NAMES = {
    "runs": "运行记录",
    "players": "学员",
    "bests": "最佳成绩",
    "attempts": "计入次数",
    "best_total": "最佳成绩总分",
    "board": "排行榜条目",
    "cards": "错题卡片",
    "placements": "定级结果",
}


@store_group.command("copy")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.pass_context
def store_copy(ctx: click.Context, source: str, target: str) -> None:
    """Copy players (with their PINs), every run, review cards and placement results from FROM to
    TO (a saves folder or a postgresql:// URL); bests and the leaderboard are rebuilt from the runs.
    A run or card already in TO is not copied twice. Then both sides are checked (counts, verify)."""
    from game.runs import verify_store
    from game.store.errors import StorageProblem
    from game.store.folders import default_saves_dir
    from tui.commands.records import open_catalog

    outbox = default_saves_dir(_options(ctx).get("saves"))
    origin, destination = _open_for_copy(source, outbox), _open_for_copy(target, outbox)
    if origin.location == destination.location:
        raise CommandError("来源和目标是同一个存档。")
    added = sum(destination.add_player(p, origin.pin_hash(p.id)) for p in origin.players())
    present = {run.run_id for run in destination.runs()}
    total = sum(1 for _ in origin.runs())
    copied = 0
    try:
        with click.progressbar(origin.runs(), length=total, label="复制运行记录", show_pos=True) as runs:
            for run in runs:
                if run.run_id in present:
                    continue
                destination.record_run(run)
                copied += 1
    except StorageProblem as exc:
        raise CommandError(f"复制中断（已复制 {copied} 条，再次运行会接着复制）：{exc}") from None
    if destination.pending_runs():
        raise CommandError("目标服务器在复制中连接中断，部分记录暂存在本机；请在服务器恢复后再次运行。")
    try:
        cards = sum(destination.learning.copy_player_from(origin.learning, p.id) for p in origin.players())
    except StorageProblem as exc:
        raise CommandError(f"复制错题本时中断（再次运行会接着复制）：{exc}") from None
    click.echo(f"已复制 {added} 位学员、{copied} 条运行记录（{total - copied} 条目标中已有）、{cards} 张错题卡片。")
    before, after = store_counts(origin), store_counts(destination)
    for key, name in COUNT_NAMES.items():
        mark = "✓" if before[key] == after[key] else "✗"
        click.echo(f"  {mark} {name}：来源 {before[key]}，目标 {after[key]}")
    catalog = open_catalog(ctx)
    problems = [(where, verify_store(s, catalog)) for where, s in (("来源", origin), ("目标", destination))]
    for where, report in problems:
        mark = "✓" if report.ok else "✗"
        counted = f"{report.checked_runs} 条运行、{report.checked_entries} 条排行榜记录"
        click.echo(f"  {mark} verify {where}：{counted}，{len(report.mismatches)} 处不符")
    # The copy is faithful when the target holds no finding the source does not: what the source
    # already had (a rival's copied run, a level no longer shipped) is copied as it is, and said.
    (_, source_report), (_, target_report) = problems
    if before != after or len(target_report.mismatches) > len(source_report.mismatches):
        raise CommandError("复制后两边不一致（见上），请运行 collectquest verify 查看详情。")
    if source_report.mismatches:
        click.echo(
            f"两边一致；来源本身有 {len(source_report.mismatches)} 处不符，已原样复制，请用 collectquest verify 查看。"
        )
        return
    click.echo("两边一致。")


def register(cli: click.Group) -> None:
    cli.add_command(pin_group)
    cli.add_command(serve)
    cli.add_command(store_group)
