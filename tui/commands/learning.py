"""Subcommands of the learning loop: review (the 错题本 due for review)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from game import gains
from game.catalog import Catalog
from game.gains import GAIN_TESTS
from game.mistakes import KIND_NAMES, ReviewCard, card_question, mistakes_in_run
from game.models import Level
from game.placement import PLACEMENT_ID, assess
from game.progression import map_states
from game.store import Store
from game.store.errors import StorageProblem
from game.store.learning import LearningRecords
from game.store.records import Player, RunRecord, clean_name
from tui.commands.records import CommandError, _console, open_catalog, open_store


def find_player_or_fail(store: Store, name: str, team: str | None) -> Player:
    try:
        cleaned = clean_name(name, "学员名字")
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    player = store.find_player(cleaned, team)
    if player is None:
        known = "、".join(p.name for p in store.players()[:10]) or "无"
        raise CommandError(f"找不到学员 {cleaned}。已有学员:{known}")
    return player


def open_learning(store: Store) -> LearningRecords:
    try:
        learning = store.learning
    except StorageProblem as exc:
        raise CommandError(str(exc)) from None
    for problem in learning.problems:
        click.echo(f"注意:{problem}", err=True)
    return learning


def card_place(card: ReviewCard, catalog: Catalog) -> str:
    """Where a card comes from, in Chinese: the level's title, or the question bank's."""
    level = catalog.levels.get(card.level_id)
    if level is not None:
        return level.title
    if card.question is not None and card_question(card, catalog) is not None:
        for bank in catalog.banks.values():
            if any(q.id == card.question for q in bank.questions):
                return bank.title
    return card.level_id or "—"


def _local(card: ReviewCard) -> datetime:
    return card.due_at.astimezone()


def card_json(card: ReviewCard, catalog: Catalog) -> dict[str, Any]:
    return {
        "kind": card.kind,
        "level": card.level_id or None,
        "place": card_place(card, catalog),
        "due": _local(card).isoformat(timespec="seconds"),
        "card": card.card_id,
        "streak": card.streak,
        "reviews": card.reviews,
        "lapses": card.lapses,
    }


def take_in_trainee_run(
    store: Store, run: RunRecord, catalog: Catalog, level: Level, now: datetime, quiet: bool = False
) -> None:
    """`autoplay --record --as-trainee`: the run's mistakes go to the trainee's 错题本."""
    learning = open_learning(store)
    cards = learning.add_mistakes(run.player_id, mistakes_in_run(run, catalog, level), now)
    if level.id == PLACEMENT_ID:
        verdict = assess(run, catalog, level)
        learning.save_placement(run.player_id, {**verdict.to_dict(), "when": run.finished, "run_id": run.run_id})
        if not quiet:
            click.echo(verdict.summary())
    if level.id in GAIN_TESTS and not quiet:
        click.echo(gains.summary(gains.gains(store.runs(run.player_id), catalog)))
    if not quiet:
        click.echo(f"已按学员本人的成绩计入（仍标记为自动演示，不上排行榜）；错题本新增或更新 {len(cards)} 张卡片。")


def player_standing(ctx: click.Context, catalog: Catalog, player_name: str) -> dict[str, dict[str, Any]]:
    """Per level id: unlocked, best, passed and stars of one trainee (placement included)."""
    store = open_store(ctx)
    player = find_player_or_fail(store, player_name, None)
    placed = open_learning(store).opened_tiers(player.id)
    bests = store.bests(player.id)
    states = map_states(catalog.levels, bests, catalog.levels_in_play_order(), placed)
    return {s.level.id: {"unlocked": s.open, "best": s.best, "passed": s.passed, "stars": s.stars} for s in states}


@click.command("review")
@click.option("--player", "player_name", required=True, metavar="NAME", help="The trainee whose 错题本 to list.")
@click.option("--team", default=None, metavar="T", help="The trainee's team, when two share a name.")
@click.option("--all", "show_all", is_flag=True, help="List every card still in the 错题本, not only those due.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {kind, level, due, …}.")
@click.pass_context
def review_command(ctx: click.Context, player_name: str, team: str | None, show_all: bool, as_json: bool) -> None:
    """List the review cards (错题本) due for a trainee: kind (quiz or dialogue), level, due date.

    \b
    Examples:
      collectquest review --player 王小明
      collectquest review --player 王小明 --all --json
    """
    store = open_store(ctx)
    catalog = open_catalog(ctx)
    player = find_player_or_fail(store, player_name, team)
    learning = open_learning(store)
    now = datetime.now().astimezone()
    try:
        learning.migrate_wrong_list(store, player.id, catalog, now)
        cards = learning.cards(player.id) if show_all else learning.due(player.id, now, catalog)
    except StorageProblem as exc:
        raise CommandError(str(exc)) from None
    if as_json:
        click.echo(json.dumps([card_json(c, catalog) for c in cards], ensure_ascii=False))
        return
    scope = "错题本" if show_all else "到期待复习"
    table = Table(title=f"{scope} · {player.name}（{player.team}）· {len(cards)} 张", title_justify="left")
    for column in ("类型", "来源", "到期", "连对"):
        table.add_column(column)
    for card in cards:
        table.add_row(
            KIND_NAMES[card.kind],
            Text(card_place(card, catalog)),
            _local(card).strftime("%Y-%m-%d %H:%M"),
            str(card.streak),
        )
    _console().print(table)


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    group.add_command(review_command)
