"""Gain per skill: the mid test (中测, level id `midtest`) after the 新手 exam and the post test
(后测, `posttest`) after the 主管 exam, against the placement test (前测).

Both are the placement blueprint (same rows: tags × tier, same counts and time limits), drawn from
the banks without the questions the trainee already met in an earlier test (the post test also
leaves out the mid test's), as far as the banks allow. A skill's score in a test is its share of
right answers, 0–100; the gain is the latest test's score minus the first one's (placement, or the
mid test for a trainee who skipped placement), in percentage points.

Everything is computed from the run history: a test run is re-scored from its recorded keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from .catalog import Catalog
from .models import Level
from .placement import BLUEPRINT, MIDTEST_ID, PLACEMENT_ID, POSTTEST_ID, TEST_IDS, TEST_NAMES, assess, blueprint_level
from .store.records import RunRecord

GAIN_TESTS: dict[str, str] = {MIDTEST_ID: "新手", POSTTEST_ID: "主管"}
"""Gain test -> the tier whose exam, once passed, makes it due."""


def counted(run: RunRecord) -> bool:
    """A run that is the trainee's own: played, or autoplay recorded `--as-trainee`."""
    return not run.autoplay or run.as_trainee


def test_runs(runs: Iterable[RunRecord], test_id: str) -> list[RunRecord]:
    return [r for r in runs if r.level_id == test_id and counted(r)]


def questions_taken(runs: Iterable[RunRecord], test_ids: Iterable[str]) -> set[str]:
    """Question keys of every recorded run of these tests."""
    wanted = set(test_ids)
    keys: set[str] = set()
    for run in runs:
        if run.level_id in wanted:
            for entry in run.inputs:
                keys.update(str(k) for k in entry.get("questions", []))
    return keys


def without_questions(catalog: Catalog, keys: set[str]) -> Catalog:
    """The catalog with these bank questions left out (the levels and handbook shared)."""
    if not keys:
        return catalog
    banks = {
        bank_id: bank.model_copy(update={"questions": [q for q in bank.questions if q.id not in keys]})
        for bank_id, bank in catalog.banks.items()
    }
    questions = {qid: q for qid, q in catalog.questions.items() if qid not in keys}
    return replace(catalog, banks=banks, questions=questions)


def gain_test(catalog: Catalog, test_id: str, runs: Iterable[RunRecord]) -> tuple[Level, Catalog] | None:
    """The mid or post test for a trainee with these runs, and the catalog to draw it from (their
    earlier tests' questions left out). A blueprint row whose fresh questions run out draws what is
    left; if the fresh pool cannot fill any row, the test is drawn from the whole banks."""
    if test_id not in GAIN_TESTS:
        raise ValueError(f"not a gain test: {test_id}")
    earlier = TEST_IDS[: TEST_IDS.index(test_id)]
    history = list(runs)
    for leave_out in (earlier, (PLACEMENT_ID,)):
        fresh = without_questions(catalog, questions_taken(history, leave_out))
        level = blueprint_level(fresh, test_id)
        if level is not None:
            return level, fresh
    level = blueprint_level(catalog, test_id)
    return None if level is None else (level, catalog)


def _exam_passed(runs: list[RunRecord], catalog: Catalog, tier: str) -> bool:
    exams = {lv.id for lv in catalog.levels.values() if lv.tier == tier and lv.exam}
    return any(r.passed and r.level_id in exams and counted(r) for r in runs)


def due_test(runs: Iterable[RunRecord], catalog: Catalog) -> str | None:
    """The gain test a trainee should take now: the post test once the 主管 exam is passed, the mid
    test once the 新手 exam is passed; None when it has been taken (or the exam is not passed)."""
    history = list(runs)
    for test_id in (POSTTEST_ID, MIDTEST_ID):
        if _exam_passed(history, catalog, GAIN_TESTS[test_id]) and not test_runs(history, test_id):
            return test_id
    return None


def skill_scores(run: RunRecord, catalog: Catalog) -> dict[str, int]:
    """Per blueprint skill, in blueprint order: the share of right answers in this test run, 0–100."""
    verdict = assess(run, catalog, blueprint_level(catalog, run.level_id))
    tallies = verdict.skills
    return {
        row.skill: round(100 * tallies[row.skill][0] / tallies[row.skill][1])
        for row in BLUEPRINT
        if tallies.get(row.skill, (0, 0))[1]
    }


@dataclass(frozen=True)
class Gains:
    """A trainee's blueprint tests (the latest run of each) and the gain per skill."""

    tests: dict[str, dict[str, int]] = field(default_factory=dict)  # test id -> skill -> score
    gain: dict[str, int] = field(default_factory=dict)  # skill -> latest − first, percentage points

    @property
    def taken(self) -> list[str]:
        return [t for t in TEST_IDS if t in self.tests]

    def overall(self, test_id: str) -> int | None:
        """The mean skill score of one test."""
        scores = self.tests.get(test_id)
        return round(sum(scores.values()) / len(scores)) if scores else None

    def to_dict(self) -> dict[str, object]:
        return {"tests": {t: dict(s) for t, s in self.tests.items()}, "gain": dict(self.gain)}


def gains(runs: Iterable[RunRecord], catalog: Catalog) -> Gains:
    """The gains of one trainee from their runs (oldest first)."""
    history = list(runs)
    tests: dict[str, dict[str, int]] = {}
    for test_id in TEST_IDS:
        taken = test_runs(history, test_id)
        if taken:
            scores = skill_scores(taken[-1], catalog)
            if scores:
                tests[test_id] = scores
    taken_ids = [t for t in TEST_IDS if t in tests]
    gain: dict[str, int] = {}
    if len(taken_ids) >= 2:
        first, latest = tests[taken_ids[0]], tests[taken_ids[-1]]
        gain = {skill: latest[skill] - first[skill] for skill in latest if skill in first}
    return Gains(tests, gain)


def team_gain(members: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The mean gain per skill over the members who have one."""
    collected: dict[str, list[int]] = {}
    for gain in members:
        for skill, value in gain.items():
            collected.setdefault(skill, []).append(value)
    return {skill: round(sum(v) / len(v)) for skill, v in collected.items()}


def gain_text(value: int) -> str:
    """A gain as shown: +12, −5, ±0."""
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "±0"


def summary(found: Gains) -> str:
    """One line for the trainee, in Chinese: the tests taken and the skills that moved most."""
    taken = "，".join(f"{TEST_NAMES[t]} {found.overall(t)}" for t in found.taken)
    if not found.gain:
        return f"测验成绩（各技能平均答对率）：{taken or '—'}。再做一次中测或后测，就能看到各项技能的提升。"
    ranked = sorted(found.gain.items(), key=lambda kv: (-kv[1], kv[0]))
    best = "；".join(f"{s} {gain_text(v)}" for s, v in ranked[:2] if v > 0) or "—"
    weak = "；".join(s for s, v in ranked[::-1][:2] if v <= 0) or "—"
    return f"测验成绩（各技能平均答对率）：{taken}。提升最多：{best}；没有提升：{weak}。"
