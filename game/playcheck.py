"""The trainer tool's exhaustive checks: every dialogue explored state by state, every level played
at its best.

The format's checks (game/validate.py) look at links and conditions; these follow the conditions
and meters through every reachable state: loops with no way out (CQ009), a pass score or three
stars no path reaches (CQ010/CQ029), choices all hidden at once (CQ026), nodes the conditions never
let through (CQ030), and a dialogue too large to explore (CQ028). `collectquest validate` runs both;
a cache (game/explore_cache.py) spares exploring a dialogue that has not changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import explore
from .catalog import Catalog
from .diagnostics import Diagnostic
from .explore_cache import ExplorationCache
from .loader import load_catalog
from .models import DialogueStage, Level
from .validate import ERROR, WARNING, ExplorableDialogue, check_format, in_order, locate


def validate(
    catalog: Catalog,
    diagnostics: Iterable[Diagnostic] = (),
    *,
    known_levels: Mapping[str, str] | None = None,
    cache: ExplorationCache | None = None,
) -> list[Diagnostic]:
    """Every problem: the loader's `diagnostics`, the format's checks and the exploration's, sorted by place.

    `known_levels` as in game.validate.validate. With a `cache`, a dialogue stage explored before
    (same content, same program) is not explored again; every other check runs as always."""
    checked = check_format(catalog, known_levels=known_levels)
    play = _PlayCheck(catalog, cache or ExplorationCache())
    play.run(checked.explorable)
    return in_order(diagnostics, checked.found, play.found)


def check_paths(
    level_paths: list[Path] | None = None,
    content_paths: list[Path] | None = None,
    known_levels: Mapping[str, str] | None = None,
    cache: ExplorationCache | None = None,
) -> tuple[Catalog, list[Diagnostic]]:
    """Load and run every check in one go (defaults: the levels and content folders)."""
    catalog, diagnostics = load_catalog(level_paths, content_paths)
    return catalog, validate(catalog, diagnostics, known_levels=known_levels, cache=cache)


class _PlayCheck:
    def __init__(self, catalog: Catalog, cache: ExplorationCache) -> None:
        self.catalog = catalog
        self.cache = cache
        self.found: list[Diagnostic] = []
        self.explored: dict[int, explore.StageExploration] = {}  # id(stage) -> result

    def report(self, path: Path, loc: tuple[Any, ...], code: str, message: str, severity: str = ERROR) -> None:
        self.found.append(locate(self.catalog, path, loc, code, message, severity))

    def run(self, explorable: list[ExplorableDialogue]) -> None:
        for dialogue in explorable:
            self.explore(dialogue)
        for level_id, level in self.catalog.levels.items():
            self.check_scores(self.catalog.level_files[level_id], level)

    def explore(self, dialogue: ExplorableDialogue) -> None:
        """CQ009/CQ026/CQ028/CQ030 from the full state exploration (conditions and meters respected)."""

        def report(loc: tuple[Any, ...], code: str, message: str, severity: str = ERROR) -> None:
            self.report(dialogue.path, dialogue.where + loc, code, message, severity)

        try:
            found = self.cache.explore_stage(dialogue.stage, dialogue.stage_index)
        except explore.ExplorationError as exc:
            report((), "CQ028", f"{exc}; reachability and scores were not checked", WARNING)
            return
        self.explored[id(dialogue.stage)] = found
        for node_id in found.nodes_unreached:
            if node_id in dialogue.linked:
                report(
                    ("nodes", node_id),
                    "CQ030",
                    f"node '{node_id}' is never reached: the conditions on the way never hold",
                    WARNING,
                )
        for ending_id in found.endings_unreached:
            if ending_id in dialogue.linked:
                report(
                    ("endings", ending_id),
                    "CQ030",
                    f"ending '{ending_id}' is never reached: the conditions on the way never hold",
                    WARNING,
                )
        for node_id in found.dead_end_nodes:
            report(
                ("nodes", node_id),
                "CQ009",
                f"from node '{node_id}' the conversation can loop forever: no choice from here ever reaches an ending",
            )
        for node_id in found.hidden_fallback_nodes:
            report(
                ("nodes", node_id, "choices"),
                "CQ026",
                f"at node '{node_id}' every choice can be hidden by its `if`; the game then shows "
                "them all. Add a choice without `if`",
                WARNING,
            )

    def check_scores(self, path: Path, level: Level) -> None:
        """CQ010/CQ029: the best total (best dialogue paths, perfect quiz and audit answers)."""
        dialogues = [s for s in level.stages if isinstance(s, DialogueStage)]
        if any(id(stage) not in self.explored for stage in dialogues):
            return  # a dialogue could not be explored; its own diagnostics explain why
        try:
            done = {i: self.explored[id(s)] for i, s in enumerate(level.stages) if id(s) in self.explored}
            result = explore.playtest(level, self.catalog, explored=done)
        except explore.ExplorationError:
            return
        if result.errors or result.best is None:
            return
        for index, found in result.dialogues.items():
            if found.dangling_targets:
                return  # CQ007 explains; scores of a half-linked dialogue mislead
            if found.best is None and found.best_red_line is not None:
                self.report(
                    path,
                    ("stages", index),
                    "CQ010",
                    f"every path through stage {index + 1} that reaches an ending crosses a red line, "
                    "so the level can never be passed",
                )
                return
        best = result.best
        if best.total < level.pass_score or not best.passed:
            self.report(
                path,
                ("pass_score",),
                "CQ010",
                f"pass_score {level.pass_score} cannot be reached: the best possible total is "
                f"{best.total} (best dialogue path, every question and audit line right)",
            )
            return
        thresholds = level.star_thresholds()
        if best.total < thresholds[2]:
            loc = ("stars",) if level.stars else ("pass_score",)
            self.report(
                path,
                loc,
                "CQ029",
                f"three stars need {thresholds[2]} but the best possible total is {best.total}",
                WARNING,
            )
