"""Command palette (Ctrl+P) commands of the game: jump to a level and search the handbook (its
rule cards, terms and scripts are commands too). 排行榜, 手册 and 帮助 are the app's system
commands, so they are listed once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from game.progression import BestResult, level_state
from tui.screens.host import host

Command = tuple[str, str, Callable[[], Any]]


class GameCommands(Provider):
    """Commands that depend on what is loaded and who is playing, built once when the palette opens."""

    async def startup(self) -> None:
        app = host(self.app)
        # The player's bests come from storage: read them once, off the UI thread, not per keystroke.
        bests = await asyncio.to_thread(app.bests) if app.player is not None else {}
        self._listed = self._commands(bests)

    def _commands(self, bests: dict[str, BestResult]) -> list[Command]:
        """(text, help, callback) of every command available now."""
        app = host(self.app)
        commands: list[Command] = []
        catalog = app.catalog
        if catalog is not None and app.player is not None:
            for level in catalog.levels_in_play_order():
                state = level_state(catalog.levels, bests, level)
                status = "已通过" if state.passed else "可挑战" if state.open else f"未解锁：{state.locked_reason}"
                commands.append(
                    (f"关卡：{level.title}", f"{level.tier} · {status}", partial(app.jump_to_level, level.id))
                )
        if catalog is not None and app.handbook_open():
            for rule in catalog.rules.values():
                commands.append(
                    (
                        f"手册：{rule.title}",
                        f"规则卡 · {rule.law}{rule.article or ''}",
                        partial(app.open_handbook, "", rule.id),
                    )
                )
            for term in catalog.glossary.values():
                commands.append((f"手册：{term.term}", "术语", partial(app.open_handbook, "", term.id)))
            for script in catalog.scripts.values():
                commands.append((f"手册：{script.objection}", "话术", partial(app.open_handbook, "", script.id)))
        return commands

    async def discover(self) -> Hits:
        for text, help_text, callback in self._listed:
            if not text.startswith("手册："):
                yield DiscoveryHit(Content(text), callback, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, callback in self._listed:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, text=text, help=help_text)
        app = host(self.app)
        if query.strip() and app.handbook_open():
            yield Hit(
                0.01,
                Content(f"在手册中搜索「{query.strip()}」"),
                partial(app.open_handbook, query.strip()),
                text=f"搜索手册 {query}",
                help="在规则卡、术语、话术中全文搜索",
            )
