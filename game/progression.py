"""Which levels and tiers a player may play, and what rank their record earns.

Rules:
- 新手 is always open. Each later tier opens once the previous tier's promotion exam (the level
  with `exam: true`) is passed. A tier without an exam opens when every level before it is passed.
- A placement test may open tiers directly (`placed`: the tiers its verdict opened, game.placement).
- Within an open tier, a level is open when every level in its `requires` is passed.
- Passing in either mode unlocks (practice is for learning); promotion exams are always played in
  assessment mode, and only assessment runs count on the leaderboard.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .vocabulary import TIERS

if TYPE_CHECKING:  # the level models (pydantic) are not needed to open the saves
    from .models import Level


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


def exam_of(levels: Iterable[Level], tier: str) -> Level | None:
    return next((lv for lv in levels if lv.tier == tier and lv.exam), None)


def tier_open(
    levels: Mapping[str, Level], bests: Mapping[str, BestResult], tier: str, placed: Collection[str] = ()
) -> bool:
    index = TIERS.index(tier)
    if index == 0 or tier in placed:
        return True
    previous = TIERS[index - 1]
    if not tier_open(levels, bests, previous, placed):
        return False
    exam = exam_of(levels.values(), previous)
    if exam is not None:
        return _passed(bests, exam.id)
    return all(_passed(bests, lv.id) for lv in levels.values() if lv.tier == previous)


def _passed(bests: Mapping[str, BestResult], level_id: str) -> bool:
    best = bests.get(level_id)
    return bool(best and best.passed)


def level_state(
    levels: Mapping[str, Level], bests: Mapping[str, BestResult], level: Level, placed: Collection[str] = ()
) -> LevelState:
    best = bests.get(level.id)
    passed = bool(best and best.passed)
    reason = None
    if not tier_open(levels, bests, level.tier, placed):
        previous = TIERS[TIERS.index(level.tier) - 1]
        exam = exam_of(levels.values(), previous)
        reason = f"需先通过「{exam.title}」" if exam else f"需先通过全部{previous}关卡"
    else:
        missing = [levels[r].title if r in levels else r for r in level.requires if not _passed(bests, r)]
        if len(missing) > 2:
            reason = f"需先通过「{missing[0]}」等 {len(missing)} 关"
        elif missing:
            reason = "需先通过：" + "、".join(f"「{title}」" for title in missing)
    return LevelState(level, reason is None, passed, best.stars if best else 0, best.score if best else None, reason)


def map_states(
    levels: Mapping[str, Level], bests: Mapping[str, BestResult], order: Iterable[Level], placed: Collection[str] = ()
) -> list[LevelState]:
    return [level_state(levels, bests, level, placed) for level in order]


@dataclass(frozen=True)
class Rank:
    """A title: the stars it needs, and the tier whose levels must have been passed (so a 主管
    title comes only after 主管 levels), with how many of them."""

    title: str
    stars: int
    tier: str | None = None
    tier_levels: int = 0  # passed levels of `tier` needed (exams included)
    exam: bool = False  # the tier's promotion exam must be passed too


RANKS: tuple[Rank, ...] = (
    Rank("见习催收员", 0),
    Rank("催收专员", 3, "新手", 2),
    Rank("资深催收专员", 8, "新手", 4, exam=True),
    Rank("催收组长", 14, "中级", 4, exam=True),
    Rank("催收主管", 20, "主管", 2),
    Rank("合规催收导师", 30, "主管", 3, exam=True),
)
"""Titles rise with stars earned and follow the tiers: each needs levels of its tier passed."""


def total_stars(bests: Mapping[str, BestResult]) -> int:
    return sum(b.stars for b in bests.values())


def _earned(rank: Rank, levels: Mapping[str, Level], bests: Mapping[str, BestResult]) -> bool:
    if total_stars(bests) < rank.stars:
        return False
    if rank.tier is None:
        return True
    in_tier = [lv for lv in levels.values() if lv.tier == rank.tier]
    passed = [lv for lv in in_tier if _passed(bests, lv.id)]
    # A curriculum with fewer levels in the tier asks for all of them; one with none gives no
    # title of that tier (stars alone never make a 主管).
    if not in_tier or len(passed) < min(rank.tier_levels, len(in_tier)):
        return False
    if rank.exam:
        exam = exam_of(in_tier, rank.tier)
        if exam is not None and not _passed(bests, exam.id):
            return False
    return True


def rank_for(levels: Mapping[str, Level], bests: Mapping[str, BestResult]) -> str:
    """The highest title earned; titles are taken in order, so none is skipped."""
    title = RANKS[0].title
    for rank in RANKS:
        if not _earned(rank, levels, bests):
            break
        title = rank.title
    return title


def next_rank(levels: Mapping[str, Level], bests: Mapping[str, BestResult]) -> tuple[Rank, str] | None:
    """The next title and what it still needs, in Chinese, or None at the top."""
    for rank in RANKS:
        if _earned(rank, levels, bests):
            continue
        needs = []
        stars = total_stars(bests)
        if stars < rank.stars:
            needs.append(f"{rank.stars - stars} ★")
        if rank.tier is not None:
            in_tier = [lv for lv in levels.values() if lv.tier == rank.tier]
            passed = sum(_passed(bests, lv.id) for lv in in_tier)
            want = min(rank.tier_levels, len(in_tier))
            if passed < want:
                needs.append(f"{rank.tier}关卡 {want - passed} 关")
            exam = exam_of(in_tier, rank.tier) if rank.exam else None
            if exam is not None and not _passed(bests, exam.id):
                needs.append(f"通过{exam.title}")
        return rank, "、".join(needs)
    return None


def is_new_record(previous: BestResult | None, total: int, passed: bool) -> bool:
    """A personal best worth announcing: a passed run that beats the previous best."""
    return passed and (previous is None or total > previous.score)


def xp(bests: Mapping[str, BestResult]) -> int:
    """Experience points: the sum of best scores on passed levels."""
    return sum(b.score for b in bests.values() if b.passed)
