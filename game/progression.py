"""Which levels and tiers a player may play, and what rank their record earns.

Rules:
- 新手 is always open. Each later tier opens once the previous tier's promotion exam (the level
  with `exam: true`) is passed. A tier without an exam opens when every level before it is passed.
- Within an open tier, a level is open when every level in its `requires` is passed.
- Passing in either mode unlocks (practice is for learning); promotion exams are always played in
  assessment mode, and only assessment runs count on the leaderboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import TIERS, Level


@dataclass(frozen=True)
class BestResult:
    """A player's best on one level, as kept by storage."""

    level_id: str
    score: int
    stars: int
    passed: bool
    attempts: int = 1


@dataclass(frozen=True)
class LevelState:
    level: Level
    open: bool
    passed: bool
    stars: int
    best: int | None
    locked_reason: str | None  # in Chinese, for the map


RANKS: tuple[tuple[int, str], ...] = (
    (0, "见习催收员"),
    (3, "催收专员"),
    (8, "资深催收专员"),
    (14, "催收组长"),
    (20, "催收主管"),
    (30, "合规催收导师"),
)
"""(stars needed, title). Titles rise with stars earned; the last needs most of the curriculum."""


def exam_of(levels: Iterable[Level], tier: str) -> Level | None:
    return next((lv for lv in levels if lv.tier == tier and lv.exam), None)


def tier_open(levels: Mapping[str, Level], bests: Mapping[str, BestResult], tier: str) -> bool:
    index = TIERS.index(tier)
    if index == 0:
        return True
    previous = TIERS[index - 1]
    if not tier_open(levels, bests, previous):
        return False
    exam = exam_of(levels.values(), previous)
    if exam is not None:
        return _passed(bests, exam.id)
    return all(_passed(bests, lv.id) for lv in levels.values() if lv.tier == previous)


def _passed(bests: Mapping[str, BestResult], level_id: str) -> bool:
    best = bests.get(level_id)
    return bool(best and best.passed)


def level_state(levels: Mapping[str, Level], bests: Mapping[str, BestResult], level: Level) -> LevelState:
    best = bests.get(level.id)
    passed = bool(best and best.passed)
    reason = None
    if not tier_open(levels, bests, level.tier):
        previous = TIERS[TIERS.index(level.tier) - 1]
        exam = exam_of(levels.values(), previous)
        reason = f"需先通过「{exam.title}」" if exam else f"需先通过全部{previous}关卡"
    else:
        missing = [levels[r].title if r in levels else r for r in level.requires if not _passed(bests, r)]
        if len(missing) > 2:
            reason = f"需先通过「{missing[0]}」等 {len(missing)} 关"
        elif missing:
            reason = "需先通过：" + "、".join(f"「{title}」" for title in missing)
    return LevelState(level, reason is None, passed, best.stars if best else 0,
                      best.score if best else None, reason)


def map_states(levels: Mapping[str, Level], bests: Mapping[str, BestResult],
               order: Iterable[Level]) -> list[LevelState]:
    return [level_state(levels, bests, level) for level in order]


def total_stars(bests: Mapping[str, BestResult]) -> int:
    return sum(b.stars for b in bests.values())


def rank_for(stars: int) -> str:
    title = RANKS[0][1]
    for needed, name in RANKS:
        if stars >= needed:
            title = name
    return title


def next_rank(stars: int) -> tuple[str, int] | None:
    """The next title and the stars it needs, or None at the top."""
    for needed, name in RANKS:
        if stars < needed:
            return name, needed
    return None


def xp(bests: Mapping[str, BestResult]) -> int:
    """Experience points: the sum of best scores on passed levels."""
    return sum(b.score for b in bests.values() if b.passed)
