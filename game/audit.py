"""The audit scorer: a trainee flags transcript lines as violations and names the rule.

Scored like a search: what they found (recall), what they wrongly flagged (precision), and
whether they named the right rule. A hit with the right rule earns 1, a hit with a wrong rule
0.5; the score is the Dice coefficient 2·credit / (key lines + flagged lines), so flagging every
line is no strategy and a perfect audit scores 100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .models import AuditStage

WRONG_RULE_CREDIT = 0.5


@dataclass(frozen=True)
class LineVerdict:
    line: int  # 1-based
    expected: str | None
    flagged: str | None  # rule named by the trainee ("" when flagged without a rule)
    explanation: str | None

    @property
    def kind(self) -> str:
        if self.expected and self.flagged is not None:
            return "hit" if self.flagged == self.expected else "wrong-rule"
        if self.expected:
            return "miss"
        if self.flagged is not None:
            return "false-alarm"
        return "clean"


@dataclass(frozen=True)
class AuditResult:
    verdicts: list[LineVerdict]
    hits: int  # flagged key lines (right or wrong rule)
    right_rule: int
    misses: int
    false_alarms: int
    precision: int  # %
    recall: int  # %
    score: int

    @property
    def missed_rules(self) -> list[str]:
        return [v.expected for v in self.verdicts if v.kind in ("miss", "wrong-rule") and v.expected]


def answer_key(stage: AuditStage) -> dict[int, str]:
    return {i: line.violation for i, line in enumerate(stage.transcript, start=1) if line.violation}


def rule_options(stage: AuditStage) -> list[str]:
    """Rules offered when flagging a line: the stage's list plus every rule in the key."""
    options = list(dict.fromkeys(stage.rule_choices))
    for rule in answer_key(stage).values():
        if rule not in options:
            options.append(rule)
    return sorted(options)


def score(stage: AuditStage, flags: Mapping[int, str | None]) -> AuditResult:
    """`flags` maps 1-based line numbers the trainee flagged to the rule they named (or None)."""
    key = answer_key(stage)
    verdicts = []
    for number, line in enumerate(stage.transcript, start=1):
        named = (flags[number] or "") if number in flags else None
        verdicts.append(LineVerdict(number, line.violation, named, line.explanation))
    hits = sum(v.kind in ("hit", "wrong-rule") for v in verdicts)
    right = sum(v.kind == "hit" for v in verdicts)
    misses = sum(v.kind == "miss" for v in verdicts)
    false_alarms = sum(v.kind == "false-alarm" for v in verdicts)
    flagged_count = sum(1 for n in flags if 1 <= n <= len(stage.transcript))
    credit = right + WRONG_RULE_CREDIT * (hits - right)
    denominator = len(key) + flagged_count
    value = round(100 * 2 * credit / denominator) if denominator else 0
    precision = round(100 * hits / flagged_count) if flagged_count else 0
    recall = round(100 * hits / len(key)) if key else 100
    return AuditResult(verdicts, hits, right, misses, false_alarms, precision, recall, value)
