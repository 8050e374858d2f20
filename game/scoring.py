"""Combining stage results into a level result: total, dimensions, stars, pass/fail.

Dimensions: 合规 (compliance: dialogue meter, audit score), 沟通 (communication: quality of
dialogue choices), 结果 (outcome: dialogue endings), 知识 (knowledge: quiz correctness),
效率 (efficiency: quiz speed and streak points). A dimension no stage measures is left out.

合规一票否决: a red line in any stage fails the level, zeroes 合规 and the total, whatever else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .audit import AuditResult
from .dialogue import DialogueResult
from .models import DIMENSIONS, Level
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


def stage_dimensions(result: StageResult) -> dict[str, int]:
    if isinstance(result, DialogueResult):
        return {"合规": result.compliance, "沟通": result.communication, "结果": result.outcome}
    if isinstance(result, QuizResult):
        return {"知识": result.knowledge, "效率": result.efficiency}
    return {"合规": result.score}


def stars_for(level: Level, total: int, passed: bool) -> int:
    if not passed:
        return 0
    return sum(total >= threshold for threshold in level.star_thresholds())


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
        for name in DIMENSIONS if name in collected
    }
    violations = [v for r in results if isinstance(r, DialogueResult) for v in r.violations]
    red_line = bool(violations)
    if red_line:
        dimensions["合规"] = 0
        total = 0
    passed = not red_line and total >= level.pass_score
    return LevelResult(level.id, total, passed, stars_for(level, total, passed), dimensions, scores,
                       violations, red_line)
