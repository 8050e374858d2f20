"""Results for team leads: per trainee and per team, from the run history.

Built from `SaveStore.runs()` (autoplay runs are left out, except those recorded `--as-trainee`:
a trainer's deliberate stand-in for the trainee). Per trainee: levels passed, best score
per level, attempts (practice and assessment), time spent, red-line violations by rule, the mean
of each score dimension, and the weakest dimensions and skills. A skill's score is the mean of the
trainee's best scores on the levels that train it (a level's `skills`). Per team: the same,
summed or averaged over its members.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from .catalog import Catalog
from .gains import gains, team_gain
from .models import Level
from .store.records import Player, RunRecord

WEAKEST_SHOWN = 2


@dataclass(frozen=True)
class TraineeReport:
    player_id: str
    player: str
    team: str
    levels_passed: list[str]
    best_scores: dict[str, int]  # level id -> best total in the period
    practice_runs: int
    assessment_runs: int
    time_spent: float  # seconds
    violations: dict[str, int]  # rule id -> times crossed
    dimensions: dict[str, int]  # mean per dimension over the runs
    skills: dict[str, int]  # mean best score of the levels that train each skill
    weakest_dimensions: list[str]
    weakest_skills: list[str]
    last_played: str | None
    tests: dict[str, int] = field(default_factory=dict)  # 前测/中测/后测 id -> mean skill score (game.gains)
    skill_tests: dict[str, dict[str, int]] = field(default_factory=dict)  # test id -> skill -> score
    gain: dict[str, int] = field(default_factory=dict)  # blueprint skill -> latest test − first test

    @property
    def attempts(self) -> int:
        return self.practice_runs + self.assessment_runs

    @property
    def average_best(self) -> int | None:
        return round(sum(self.best_scores.values()) / len(self.best_scores)) if self.best_scores else None


@dataclass(frozen=True)
class TeamReport:
    team: str
    members: int
    active_members: int  # members with at least one run in the period
    levels_passed: int  # sum over members
    average_best: int | None  # mean of members' best scores over all levels they played
    attempts: int
    time_spent: float
    violations: dict[str, int]
    dimensions: dict[str, int]
    skills: dict[str, int]
    weakest_dimensions: list[str]
    weakest_skills: list[str]
    gain: dict[str, int] = field(default_factory=dict)  # mean over the members who have one


@dataclass(frozen=True)
class Report:
    generated: str
    team: str | None
    since: str | None
    trainees: list[TraineeReport] = field(default_factory=list)
    teams: list[TeamReport] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        trainees = []
        for t in self.trainees:
            row = asdict(t)
            row["attempts"] = t.attempts
            row["average_best"] = t.average_best
            row["time_spent"] = round(t.time_spent, 1)
            trainees.append(row)
        teams = []
        for team in self.teams:
            row = asdict(team)
            row["time_spent"] = round(team.time_spent, 1)
            teams.append(row)
        return {
            "generated": self.generated,
            "filters": {"team": self.team, "since": self.since},
            "trainees": trainees,
            "teams": teams,
        }


def parse_since(text: str) -> date:
    """A date as YYYY-MM-DD (or a full ISO timestamp). ValueError with a Chinese message."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        raise ValueError(f"日期「{text}」格式不对,请写成 YYYY-MM-DD,例如 2026-03-01") from None


def run_date(run: RunRecord) -> date | None:
    try:
        return datetime.fromisoformat(run.finished).date()
    except ValueError:
        return None


def _mean(values: list[int]) -> int:
    return round(sum(values) / len(values))


def _weakest(scores: Mapping[str, int]) -> list[str]:
    # Only meaningful when there is something to compare; ties keep a stable order.
    if len(scores) < 2:
        return list(scores)
    return [name for name, _ in sorted(scores.items(), key=lambda item: (item[1], item[0]))][:WEAKEST_SHOWN]


def _skills(best_scores: Mapping[str, int], levels: Mapping[str, Level]) -> dict[str, int]:
    collected: dict[str, list[int]] = {}
    for level_id, score in best_scores.items():
        level = levels.get(level_id)
        for skill in level.skills if level else []:
            collected.setdefault(skill, []).append(score)
    return {skill: _mean(scores) for skill, scores in collected.items()}


def _trainee(
    player_id: str,
    name: str,
    team: str,
    runs: list[RunRecord],
    levels: Mapping[str, Level],
    catalog: Catalog | None = None,
) -> TraineeReport:
    best: dict[str, int] = {}
    passed: set[str] = set()
    violations: Counter[str] = Counter()
    dims: dict[str, list[int]] = {}
    for run in runs:
        best[run.level_id] = max(best.get(run.level_id, 0), run.total)
        if run.passed:
            passed.add(run.level_id)
        violations.update(run.violations)
        for dim, value in run.dimensions.items():
            dims.setdefault(dim, []).append(value)
    dimensions = {dim: _mean(values) for dim, values in dims.items()}
    skills = _skills(best, levels)
    order = {lv: i for i, lv in enumerate(levels)}
    tested = gains(runs, catalog) if catalog is not None else None
    return TraineeReport(
        player_id=player_id,
        player=name,
        team=team,
        levels_passed=sorted(passed, key=lambda lv: (order.get(lv, len(order)), lv)),
        best_scores=dict(sorted(best.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))),
        practice_runs=sum(r.mode == "practice" for r in runs),
        assessment_runs=sum(r.mode == "assessment" for r in runs),
        time_spent=sum(max(0.0, r.duration) for r in runs),
        violations=dict(violations.most_common()),
        dimensions=dimensions,
        skills=skills,
        weakest_dimensions=_weakest(dimensions),
        weakest_skills=_weakest(skills),
        last_played=max((r.finished for r in runs), default=None),
        tests={t: s for t in tested.taken if (s := tested.overall(t)) is not None} if tested else {},
        skill_tests=tested.tests if tested else {},
        gain=dict(tested.gain) if tested else {},
    )


def _team(team: str, members: list[TraineeReport]) -> TeamReport:
    violations: Counter[str] = Counter()
    dims: dict[str, list[int]] = {}
    skills: dict[str, list[int]] = {}
    all_best: list[int] = []
    for m in members:
        violations.update(m.violations)
        for dim, value in m.dimensions.items():
            dims.setdefault(dim, []).append(value)
        for skill, value in m.skills.items():
            skills.setdefault(skill, []).append(value)
        all_best.extend(m.best_scores.values())
    dimensions = {d: _mean(v) for d, v in dims.items()}
    skill_scores = {s: _mean(v) for s, v in skills.items()}
    return TeamReport(
        team=team,
        members=len(members),
        active_members=sum(1 for m in members if m.attempts),
        levels_passed=sum(len(m.levels_passed) for m in members),
        average_best=_mean(all_best) if all_best else None,
        attempts=sum(m.attempts for m in members),
        time_spent=sum(m.time_spent for m in members),
        violations=dict(violations.most_common()),
        dimensions=dimensions,
        skills=skill_scores,
        weakest_dimensions=_weakest(dimensions),
        weakest_skills=_weakest(skill_scores),
        gain=team_gain(m.gain for m in members),
    )


def build_report(
    runs: Iterable[RunRecord],
    levels: Mapping[str, Level],
    players: Iterable[Player] = (),
    team: str | None = None,
    since: date | None = None,
    now: str | None = None,
    include_autoplay: bool = False,
    catalog: Catalog | None = None,
) -> Report:
    """The report over `runs` (autoplay left out unless recorded as the trainee's), filtered by
    team and by finish date >= since. `players` adds trainees who have no runs in the period, so a
    lead sees who has not played. With the `catalog`, the gain per skill of the 前测/中测/后测."""
    by_player: dict[str, list[RunRecord]] = {}
    names: dict[str, tuple[str, str]] = {}
    for player in players:
        if team is None or player.team == team:
            by_player.setdefault(player.id, [])
            names[player.id] = (player.name, player.team)
    for run in runs:
        if (run.autoplay and not run.as_trainee and not include_autoplay) or (team is not None and run.team != team):
            continue
        if since is not None:
            finished = run_date(run)
            if finished is None or finished < since:
                continue
        by_player.setdefault(run.player_id, []).append(run)
        names[run.player_id] = (run.player, run.team)  # runs are oldest first: the latest name wins
    trainees = [_trainee(pid, *names[pid], player_runs, levels, catalog) for pid, player_runs in by_player.items()]
    trainees.sort(key=lambda t: (t.team, -len(t.levels_passed), -(t.average_best or 0), t.player))
    teams: dict[str, list[TraineeReport]] = {}
    for trainee in trainees:
        teams.setdefault(trainee.team, []).append(trainee)
    team_reports = sorted(
        (_team(name, members) for name, members in teams.items()), key=lambda t: (-(t.average_best or 0), t.team)
    )
    return Report(
        now or datetime.now().astimezone().isoformat(timespec="seconds"),
        team,
        since.isoformat() if since else None,
        trainees,
        team_reports,
    )


# --------------------------------------------------------------------------------------------
# CSV (opened by team leads in Excel)
# --------------------------------------------------------------------------------------------

CSV_HEADER = [
    "类型",
    "团队",
    "学员",
    "人数",
    "通过关卡数",
    "通过关卡",
    "各关最高分",
    "平均最高分",
    "练习次数",
    "考核次数",
    "总次数",
    "用时(分钟)",
    "红线违规",
    "各维度平均",
    "最弱维度",
    "最弱技能",
    "最近一次",
    "技能提升(百分点)",
]


def _pairs(mapping: Mapping[str, int], sep: str = ":") -> str:
    return "; ".join(f"{k}{sep}{v}" for k, v in mapping.items())


def report_csv(report: Report) -> str:
    """The report as CSV text (write it with encoding 'utf-8-sig' so Excel reads the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for t in report.trainees:
        writer.writerow(
            [
                "学员",
                t.team,
                t.player,
                1,
                len(t.levels_passed),
                "、".join(t.levels_passed),
                _pairs(t.best_scores),
                "" if t.average_best is None else t.average_best,
                t.practice_runs,
                t.assessment_runs,
                t.attempts,
                round(t.time_spent / 60, 1),
                _pairs(t.violations, "×"),
                _pairs(t.dimensions),
                "、".join(t.weakest_dimensions),
                "、".join(t.weakest_skills),
                t.last_played or "",
                _pairs(t.gain),
            ]
        )
    for team in report.teams:
        writer.writerow(
            [
                "团队",
                team.team,
                "",
                team.members,
                team.levels_passed,
                "",
                "",
                "" if team.average_best is None else team.average_best,
                "",
                "",
                team.attempts,
                round(team.time_spent / 60, 1),
                _pairs(team.violations, "×"),
                _pairs(team.dimensions),
                "、".join(team.weakest_dimensions),
                "、".join(team.weakest_skills),
                "",
                _pairs(team.gain),
            ]
        )
    return out.getvalue()
