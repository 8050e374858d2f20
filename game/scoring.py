"""Combining stage results into a level result: total, dimensions, stars, pass/fail.

Dimensions: 合规 (compliance: dialogue meter, audit score), 沟通 (communication: quality of
dialogue choices), 结果 (outcome: dialogue endings), 知识 (knowledge: quiz correctness),
效率 (efficiency: quiz speed and streak points). A dimension no stage measures is left out.

合规一票否决: a red line in any stage fails the level, zeroes 合规 and the total, whatever else.
A stage's `min_score` must be reached too (promotion exams set one per stage), so a strong
dialogue cannot carry a weak quiz. ★★★ needs a clean 合规 (100) besides the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .audit import AuditResult
from .dialogue import DialogueResult
from .models import DIMENSIONS, STAGE_KIND_NAMES, Level
from .quiz import QuizResult

StageResult = DialogueResult | QuizResult | AuditResult


@dataclass(frozen=True)
class LevelResult:
    level_id: str
    total: int
    passed: bool
    stars: int
    dimensions: dict[str, int]
    stage_scores: list[int]
    violations: list[str] = field(default_factory=list)
    red_line: bool = False
    missed_minimums: list[str] = field(default_factory=list)  # Chinese, one per stage below its min_score


def stage_dimensions(result: StageResult) -> dict[str, int]:
    if isinstance(result, DialogueResult):
        return {"合规": result.compliance, "沟通": result.communication, "结果": result.outcome}
    if isinstance(result, QuizResult):
        return {"知识": result.knowledge, "效率": result.efficiency}
    return {"合规": result.score}


def stars_for(level: Level, total: int, passed: bool, compliance: int | None = None) -> int:
    """Stars for a total; the third only with a clean 合规 (no slip at all)."""
    if not passed:
        return 0
    stars = sum(total >= threshold for threshold in level.star_thresholds())
    if stars == 3 and compliance is not None and compliance < 100:
        return 2
    return stars


def missed_minimums(level: Level, scores: list[int]) -> list[str]:
    missed = []
    for number, (stage, score) in enumerate(zip(level.stages, scores), start=1):
        if stage.min_score is not None and score < stage.min_score:
            name = stage.title or STAGE_KIND_NAMES[stage.kind]
            missed.append(f"第 {number} 环节「{name}」{score} 分，低于本环节最低要求 {stage.min_score} 分")
    return missed


def combine(level: Level, results: list[StageResult]) -> LevelResult:
    if len(results) != len(level.stages):
        raise ValueError(f"{level.id}: expected {len(level.stages)} stage results, got {len(results)}")
    weights = [stage.weight for stage in level.stages]
    scores = [r.score for r in results]
    total = round(sum(w * s for w, s in zip(weights, scores)) / sum(weights))
    collected: dict[str, list[tuple[int, int]]] = {}
    for weight, result in zip(weights, results):
        for name, value in stage_dimensions(result).items():
            collected.setdefault(name, []).append((weight, value))
    dimensions = {
        name: round(sum(w * v for w, v in collected[name]) / sum(w for w, _ in collected[name]))
        for name in DIMENSIONS
        if name in collected
    }
    violations = [v for r in results if isinstance(r, DialogueResult) for v in r.violations]
    red_line = bool(violations)
    if red_line:
        dimensions["合规"] = 0
        total = 0
    missed = missed_minimums(level, scores)
    passed = not red_line and not missed and total >= level.pass_score
    return LevelResult(
        level.id,
        total,
        passed,
        stars_for(level, total, passed, dimensions.get("合规")),
        dimensions,
        scores,
        violations,
        red_line,
        missed,
    )
