"""The placement test (定级测试, level id `placement`): a timed quiz drawn from the banks across all
tiers by a blueprint (tags × tier), played in assessment mode so nothing is explained until the end.

A strong result opens the tiers it proves: a tier is proven when at least `PROVE_SHARE` of its
questions were answered right, tiers are proven in order from 新手, and each proven tier opens the
next one (新手 proven → 中级 open; 新手 and 中级 proven → 主管 open). A weak result starts at 新手 with
a note of the weakest skills (the blueprint's topics answered worst).

The level is built from the loaded banks, so it changes with them; a run is re-scored from the
question keys it recorded, as any quiz is. Placement runs stay in the history (for verify and the
reports) but never count for bests or the leaderboard (`game.store.records.UNRANKED_LEVELS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog
from .models import TIERS, Case, Draw, Level, QuizStage
from .quiz import bank_index, planned_from_keys, rescore
from .store.records import RunRecord

PLACEMENT_ID = "placement"
MIDTEST_ID = "midtest"
POSTTEST_ID = "posttest"
TEST_IDS = (PLACEMENT_ID, MIDTEST_ID, POSTTEST_ID)
"""The three blueprint tests, in the order a trainee meets them (前测 / 中测 / 后测, game.gains)."""
TEST_NAMES = {PLACEMENT_ID: "前测", MIDTEST_ID: "中测", POSTTEST_ID: "后测"}
PROVE_SHARE = 0.75
WEAKEST_SHOWN = 3
SECONDS_PER_QUESTION = 30.0


@dataclass(frozen=True)
class BlueprintRow:
    """`count` questions of `tier` with any of `tags`; `skill` names the row in the verdict."""

    tier: str
    skill: str
    tags: tuple[str, ...]
    count: int = 2


BLUEPRINT: tuple[BlueprintRow, ...] = (
    BlueprintRow("新手", "身份核实与第三方", ("身份核实", "第三方")),
    BlueprintRow("新手", "联系时间与频次", ("联系时间", "联系频次")),
    BlueprintRow("新手", "个人信息与录音", ("个人信息", "录音")),
    BlueprintRow("新手", "术语与话术", ("术语", "话术")),
    BlueprintRow("中级", "诉讼时效与利率", ("诉讼时效", "利率")),
    BlueprintRow("中级", "协商还款", ("协商还款",)),
    BlueprintRow("中级", "情绪安抚与危机干预", ("情绪安抚", "危机干预")),
    BlueprintRow("中级", "投诉、失联与刑法", ("投诉", "失联修复", "刑法", "第三方")),
    BlueprintRow("主管", "质检", ("质检",)),
    BlueprintRow("主管", "委外与债权转让", ("委外", "债权转让")),
    BlueprintRow("主管", "指标与辅导", ("指标", "辅导")),
    BlueprintRow("主管", "刑法、治安与个人信息", ("刑法", "治安", "个人信息", "投诉")),
)


def _pool(catalog: Catalog, row: BlueprintRow) -> list[str]:
    questions, _, tier_of = bank_index(catalog)
    return [qid for qid, q in questions.items() if tier_of.get(qid) == row.tier and set(row.tags) & set(q.tags)]


def placement_level(catalog: Catalog) -> Level | None:
    """The placement test for these banks, or None if the banks cannot fill any row. A row whose
    pool is short is drawn as far as it goes, so a small trainer's bank still gets a test."""
    return blueprint_level(catalog, PLACEMENT_ID)


def blueprint_level(catalog: Catalog, test_id: str) -> Level | None:
    """A blueprint test (placement, mid or post test) drawn from these banks; the mid and post
    tests are the same blueprint, drawn from banks without the questions taken before (game.gains)."""
    draws: list[dict[str, Any]] = []
    taken = 0
    for row in BLUEPRINT:
        available = len(_pool(catalog, row))
        count = min(row.count, max(0, available - taken_in(draws, catalog, row)))
        if count:
            draws.append({"tier": row.tier, "tags": list(row.tags), "count": count})
            taken += count
    if not draws:
        return None
    if test_id == PLACEMENT_ID:
        title = "定级测试"
        summary = "成绩好的话，直接开放你已掌握的级别。"
        objective = "按真实水平作答：答对了的级别会直接开放，答错的题进入错题本"
    else:
        title = "中测" if test_id == MIDTEST_ID else "后测"
        summary = "题目与定级测试同一份蓝图、换了新题，用来看培训让你各项技能提升了多少。"
        objective = "按真实水平作答：成绩只用来计算各项技能的提升，不影响关卡和排行榜"
    return Level(
        id=test_id,
        title=title,
        tier="新手",
        order=-1,
        pass_score=round(100 * PROVE_SHARE),
        skills=["法律合规", "沟通技巧", "质检"],
        summary=(
            f"{taken} 道题，覆盖新手、中级、主管三级的要点，每题限时。"
            f"答题过程中不公布对错，全部答完后统一讲解。{summary}"
        ),
        objectives=[objective],
        case=Case(debtor="—", persona="催收员", product=title, amount=0, days_overdue=0),
        stages=[
            QuizStage(
                kind="quiz",
                title=title,
                time_limit=SECONDS_PER_QUESTION,
                speed_bonus=False,  # placement measures knowledge, not speed
                streak_bonus=False,
                shuffle=True,
                draw=[Draw.model_validate(d) for d in draws],
            )
        ],
    )


def taken_in(draws: list[dict[str, Any]], catalog: Catalog, row: BlueprintRow) -> int:
    """How many questions of `row`'s pool earlier rows may already have drawn (rows overlap on tags)."""
    pool = set(_pool(catalog, row))
    earlier = 0
    for draw in draws:
        other = BlueprintRow(str(draw["tier"]), "", tuple(draw["tags"]), int(draw["count"]))
        if other.tier == row.tier and pool & set(_pool(catalog, other)):
            earlier += int(draw["count"])
    return min(earlier, len(pool))


def level_for(catalog: Catalog, level_id: str) -> Level | None:
    """A level by id: the catalog's, or a blueprint test (to resume or re-score a run from its
    recorded question keys; to start a mid or post test, use `gains.gain_test`)."""
    found = catalog.levels.get(level_id)
    if found is None and level_id in TEST_IDS:
        return blueprint_level(catalog, level_id)
    return found


# --------------------------------------------------------------------------------------------
# The verdict
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """What a placement run proves."""

    right: dict[str, int] = field(default_factory=dict)  # tier -> right answers
    asked: dict[str, int] = field(default_factory=dict)  # tier -> questions
    skills: dict[str, tuple[int, int]] = field(default_factory=dict)  # blueprint skill -> (right, asked)
    opened: list[str] = field(default_factory=list)  # tiers opened, in order
    weakest: list[str] = field(default_factory=list)  # worst blueprint skills first

    def proven(self, tier: str) -> bool:
        asked = self.asked.get(tier, 0)
        return asked > 0 and self.right.get(tier, 0) >= PROVE_SHARE * asked

    @property
    def start_tier(self) -> str:
        return self.opened[-1] if self.opened else TIERS[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "right": dict(self.right),
            "asked": dict(self.asked),
            "skills": {k: list(v) for k, v in self.skills.items()},
            "opened": list(self.opened),
            "weakest": list(self.weakest),
        }

    def summary(self) -> str:
        """One line for the trainee, in Chinese."""
        parts = "，".join(f"{t} {self.right.get(t, 0)}/{self.asked[t]}" for t in TIERS if self.asked.get(t))
        if self.opened:
            return f"定级结果：{parts}。已为你开放{'、'.join(self.opened)}关卡。"
        weak = "、".join(self.weakest) or "—"
        return f"定级结果：{parts}。从新手关卡开始，建议先补：{weak}。"


def _row_of(question_tags: list[str], tier: str) -> BlueprintRow | None:
    return next((r for r in BLUEPRINT if r.tier == tier and set(r.tags) & set(question_tags)), None)


def assess(run: RunRecord, catalog: Catalog, level: Level | None = None) -> Placement:
    """The verdict of a finished placement run, from its recorded answers."""
    level = level or placement_level(catalog)
    if level is None or not run.inputs:
        return Placement()
    stage = level.stages[0]
    assert isinstance(stage, QuizStage)
    entry = run.inputs[0]
    planned = planned_from_keys(stage, catalog, [str(k) for k in entry.get("questions", [])])
    recorded = [
        (None if a.get("selection") is None else frozenset(a["selection"]), float(a.get("elapsed", 0.0)))
        for a in entry.get("answers", [])
    ]
    answers = rescore(stage, planned[: len(recorded)], recorded).answers
    _, _, tier_of = bank_index(catalog)
    right: dict[str, int] = {}
    asked: dict[str, int] = {}
    skills: dict[str, list[int]] = {}
    for planned_q, answer in zip(planned, answers):
        tier = tier_of.get(planned_q.key)
        if tier is None:
            continue
        asked[tier] = asked.get(tier, 0) + 1
        right[tier] = right.get(tier, 0) + answer.correct
        row = _row_of(list(planned_q.question.tags), tier)
        if row is not None:
            tally = skills.setdefault(row.skill, [0, 0])
            tally[0] += answer.correct
            tally[1] += 1
    verdict = Placement(right, asked, {k: (v[0], v[1]) for k, v in skills.items()})
    opened: list[str] = []
    for lower, upper in zip(TIERS, TIERS[1:]):
        if not verdict.proven(lower):
            break
        opened.append(upper)
    tier_rank = {row.skill: TIERS.index(row.tier) for row in BLUEPRINT}
    # Worst share first; on a tie the lower tier first (its gaps block everything after it).
    ranked = sorted(skills.items(), key=lambda kv: (kv[1][0] / kv[1][1], tier_rank.get(kv[0], 0), -kv[1][1]))
    weakest = [name for name, (r, n) in ranked if r < n][:WEAKEST_SHOWN]
    return Placement(right, asked, verdict.skills, opened, weakest)
