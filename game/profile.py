"""A trainee's profile: score per skill over time, badges for milestones, the streak of practice
days, the endings found per level and the gain per skill of the 前测/中测/后测 (game.gains). Built
from the run history (the trainee's own runs and `--as-trainee` autoplay runs); the day is passed
in, so tests choose it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import dialogue, mistakes
from .catalog import Catalog
from .gains import Gains, gains
from .models import TIERS, DialogueStage
from .store.records import UNRANKED_LEVELS, RunRecord

CLEAN_RUNS_BADGE = 10


@dataclass(frozen=True)
class Badge:
    title: str
    detail: str


@dataclass(frozen=True)
class EndingsFound:
    level_id: str
    title: str
    found: int
    total: int


@dataclass
class Profile:
    skills: dict[str, int] = field(default_factory=dict)  # skill -> mean best score of its levels
    trend: dict[str, list[int]] = field(default_factory=dict)  # skill -> run scores, oldest first
    badges: list[Badge] = field(default_factory=list)
    streak: int = 0  # days in a row with practice, up to today (or yesterday)
    best_streak: int = 0
    endings: list[EndingsFound] = field(default_factory=list)
    runs: int = 0
    gains: Gains = field(default_factory=Gains)


def _day(run: RunRecord) -> date | None:
    try:
        return datetime.fromisoformat(run.finished).date()
    except ValueError:
        return None


def _streaks(days: set[date], today: date) -> tuple[int, int]:
    """(current streak, longest streak) of consecutive practice days."""
    best = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    return current, best


def _endings_reached(run: RunRecord, catalog: Catalog) -> set[tuple[int, str]]:
    level = catalog.levels.get(run.level_id)
    if level is None:
        return set()
    found: set[tuple[int, str]] = set()
    carried: int | None = None
    for index, (stage, entry) in enumerate(zip(level.stages, run.inputs)):
        if not isinstance(stage, DialogueStage) or entry.get("kind") != "dialogue":
            continue
        try:
            state = dialogue.replay(stage, [int(i) for i in entry.get("choices", [])], carried)
        except (ValueError, KeyError, TypeError):
            break  # the level changed since the run
        if state.ended:
            found.add((index, state.at))
        left = dialogue.energy_of(state)
        carried = carried if left is None else left
    return found


def build_profile(runs: Iterable[RunRecord], catalog: Catalog, today: date) -> Profile:
    """The profile of one player from their runs (oldest first)."""
    profile = Profile()
    runs = list(runs)
    profile.gains = gains(runs, catalog)
    counted = [r for r in runs if (not r.autoplay or r.as_trainee) and r.level_id not in UNRANKED_LEVELS]
    profile.runs = len(counted)
    best_of: dict[str, int] = {}
    passed: set[str] = set()
    endings: dict[str, set[tuple[int, str]]] = {}
    clean = 0
    first_clean: RunRecord | None = None
    for run in counted:
        level = catalog.levels.get(run.level_id)
        if level is None:
            continue
        best_of[run.level_id] = max(best_of.get(run.level_id, 0), run.total)
        for skill in level.skills:
            profile.trend.setdefault(skill, []).append(run.total)
        if run.passed:
            passed.add(run.level_id)
        if run.passed and not run.violations:
            clean += 1
            if first_clean is None and not mistakes.mistakes_in_run(run, catalog, level):
                first_clean = run
        endings.setdefault(run.level_id, set()).update(_endings_reached(run, catalog))
    for skill in profile.trend:
        levels = [lv for lv in catalog.levels.values() if skill in lv.skills and lv.id in best_of]
        profile.skills[skill] = round(sum(best_of[lv.id] for lv in levels) / len(levels)) if levels else 0
    if first_clean is not None:
        title = catalog.levels[first_clean.level_id].title
        profile.badges.append(Badge("零失误通关", f"「{title}」一次都没有失分的选择或错题"))
    if clean >= CLEAN_RUNS_BADGE:
        profile.badges.append(Badge("十次干净通关", f"已有 {clean} 次通关没有碰红线"))
    for tier in TIERS:
        in_tier = [lv.id for lv in catalog.levels.values() if lv.tier == tier]
        if in_tier and all(level_id in passed for level_id in in_tier):
            profile.badges.append(Badge(f"{tier}全通", f"{tier}的 {len(in_tier)} 关全部通过"))
    days = {d for d in (_day(r) for r in counted) if d is not None}
    profile.streak, profile.best_streak = _streaks(days, today)
    for level in catalog.levels_in_play_order():
        total = sum(len(s.endings) for s in level.stages if isinstance(s, DialogueStage))
        if total and level.id in best_of:
            profile.endings.append(EndingsFound(level.id, level.title, len(endings.get(level.id, set())), total))
    return profile
