"""A trainer's roster (who trains, in which team, who is only a test player) and assignments
(which level, for whom, due when), read from YAML or CSV with row- and line-located messages, and
the assignment status per trainee: assigned, done, overdue, never started.

Files (in the saves folder, written by `collectquest roster add` and `assign`, or by hand):
  roster.yaml        roster: [{name: 王芳, team: 一组}, {name: 测试员, team: 培训部, test: true}]
  roster.csv         name,team,test   (or 姓名,团队,测试)
  assignments.yaml   assignments: [{level: n01-identity-disclosure, team: 一组, due: 2026-03-06}]
  assignments.csv    level,to,team,due   (`to`: names separated by 、 or ;)
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, LoadError
from .store.records import RunRecord, clean_name
from .yamlsource import parse_yaml, read_yaml

ROSTER_FILES = ("roster.yaml", "roster.csv")
ASSIGNMENT_FILES = ("assignments.yaml", "assignments.csv")
HEADERS = {
    "name": "name",
    "姓名": "name",
    "学员": "name",
    "team": "team",
    "团队": "team",
    "test": "test",
    "测试": "test",
    "level": "level",
    "关卡": "level",
    "to": "to",
    "学员名单": "to",
    "due": "due",
    "截止": "due",
    "截止日期": "due",
}
TRUE_WORDS = {"true", "yes", "y", "1", "是", "对", "测试"}
FALSE_WORDS = {"", "false", "no", "n", "0", "否", "错"}


@dataclass(frozen=True)
class Trainee:
    name: str
    team: str
    test: bool = False


@dataclass(frozen=True)
class Assignment:
    level: str
    due: date
    to: tuple[str, ...] = ()
    team: str | None = None

    def applies_to(self, trainee: Trainee) -> bool:
        return trainee.name in self.to or (self.team is not None and trainee.team == self.team)


@dataclass
class _Rows:
    """Rows of a YAML list or a CSV file, each with the line it starts on."""

    path: Path
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Diagnostic(str(self.path), line, 1, "CQ036", message))


def _read_rows(path: Path, key: str) -> _Rows:
    found = _Rows(path)
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            found.problem(1, f"无法读取（请存为 UTF-8 的 CSV）/ cannot read: {exc}")
            return found
        reader = csv.reader(io.StringIO(text))
        header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), h.strip())) for h in next(reader, [])]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            found.rows.append((reader.line_num, {h: cell.strip() for h, cell in zip(header, row)}))
        return found
    try:
        source = read_yaml(path) if path.exists() else parse_yaml("", path)
    except LoadError as exc:
        found.problems.extend(exc.diagnostics)
        return found
    data = source.data
    if data is None:
        return found
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        found.problem(1, f"顶层要写 `{key}:`，下面每行一个“- ”条目 / the file needs a top-level `{key}:` list")
        return found
    for index, item in enumerate(data[key]):
        line = source.where((key, index))[0]
        if not isinstance(item, dict):
            found.problem(line, f"第 {line} 行：每个条目要写成“键: 值” / line {line}: each entry is a mapping")
            continue
        found.rows.append((line, {HEADERS.get(str(k), str(k)): v for k, v in item.items()}))
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def load_roster(path: Path) -> tuple[list[Trainee], list[Diagnostic]]:
    rows = _read_rows(path, "roster")
    trainees: list[Trainee] = []
    first_line: dict[str, int] = {}
    for line, row in rows.rows:
        where = f"第 {line} 行"
        name, team = _text(row.get("name")), _text(row.get("team"))
        unknown = sorted(set(row) - {"name", "team", "test"})
        if unknown:
            rows.problem(
                line, f"{where}：未知的列或字段 {'、'.join(unknown)}（可用 name、team、test）/ unknown {unknown}"
            )
        if not name:
            rows.problem(line, f"{where}：缺少学员姓名 name / line {line}: missing name")
            continue
        if not team:
            rows.problem(line, f"{where}：{name} 缺少团队 team / line {line}: missing team")
            continue
        test = _flag(row.get("test"))
        if test is None:
            rows.problem(line, f"{where}：test 只能填 是/否（true/false）/ line {line}: test must be true or false")
            continue
        # Names and teams from a hand-edited file are cleaned as the game cleans typed ones.
        try:
            name, team = clean_name(name, "学员名字"), clean_name(team, "团队名")
        except ValueError as exc:
            rows.problem(line, f"{where}：{exc} / line {line}: unusable name")
            continue
        if name in first_line:
            rows.problem(
                line,
                f"{where}：{name} 在第 {first_line[name]} 行已经有了，同名学员请加区分（如 王芳2）"
                f" / line {line}: duplicate name (first on line {first_line[name]})",
            )
            continue
        first_line[name] = line
        trainees.append(Trainee(name, team, test))
    return trainees, rows.problems


def load_assignments(
    path: Path, levels: Mapping[str, str], roster: Iterable[Trainee]
) -> tuple[list[Assignment], list[Diagnostic]]:
    """Assignments, checked against `levels` (id -> title) and the roster's names and teams."""
    rows = _read_rows(path, "assignments")
    roster = list(roster)
    names = {t.name for t in roster}
    teams = {t.team for t in roster}
    found: list[Assignment] = []
    for line, row in rows.rows:
        where = f"第 {line} 行"
        level = _text(row.get("level"))
        unknown = sorted(set(row) - {"level", "to", "team", "due"})
        if unknown:
            rows.problem(
                line, f"{where}：未知的列或字段 {'、'.join(unknown)}（可用 level、to、team、due）/ unknown {unknown}"
            )
        if level not in levels:
            close = difflib.get_close_matches(level, list(levels), n=1)
            hint = f"（是不是 {close[0]}？）" if close else ""
            rows.problem(line, f"{where}：没有关卡“{level}”{hint} / line {line}: unknown level '{level}'")
            continue
        raw_to = row.get("to")
        to_list = raw_to if isinstance(raw_to, list) else _text(raw_to).replace("；", ";").replace("、", ";").split(";")
        to = tuple(n for n in (_text(v) for v in to_list) if n)
        team = _text(row.get("team")) or None
        if not to and team is None:
            rows.problem(line, f"{where}：要写给谁：to（学员姓名）或 team（团队）/ line {line}: needs `to` or `team`")
            continue
        strangers = [n for n in to if n not in names]
        if strangers:
            rows.problem(
                line, f"{where}：名单里没有 {'、'.join(strangers)}：先 roster add / line {line}: not on the roster"
            )
            continue
        if team is not None and team not in teams:
            rows.problem(line, f"{where}：名单里没有团队“{team}” / line {line}: no trainee in team '{team}'")
            continue
        due_value = row.get("due")
        try:
            due = due_value if isinstance(due_value, date) else date.fromisoformat(_text(due_value))
        except ValueError:
            rows.problem(
                line,
                f"{where}：截止日期“{_text(due_value)}”要写成 YYYY-MM-DD，例如 2026-03-06"
                f" / line {line}: due must be YYYY-MM-DD",
            )
            continue
        found.append(Assignment(level, due, to, team))
    return found, rows.problems


def find_file(folder: Path, names: tuple[str, ...]) -> Path:
    """The roster or assignments file in `folder` (YAML unless only the CSV exists)."""
    for name in names:
        if (folder / name).is_file():
            return folder / name
    return folder / names[0]


def save_yaml(path: Path, key: str, items: list[dict[str, Any]]) -> None:
    """Write the roster or assignments as YAML (what `roster add` and `assign` keep)."""
    text = yaml.safe_dump({key: items}, allow_unicode=True, sort_keys=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def trainee_dict(t: Trainee) -> dict[str, Any]:
    return {"name": t.name, "team": t.team, **({"test": True} if t.test else {})}


def assignment_dict(a: Assignment) -> dict[str, Any]:
    row: dict[str, Any] = {"level": a.level}
    if a.to:
        row["to"] = list(a.to)
    if a.team:
        row["team"] = a.team
    row["due"] = a.due.isoformat()
    return row


# --------------------------------------------------------------------------------------------
# Status per trainee
# --------------------------------------------------------------------------------------------

DONE, OVERDUE, STARTED, NOT_STARTED = "已完成", "已逾期", "进行中", "未开始"


@dataclass(frozen=True)
class AssignmentStatus:
    trainee: Trainee
    level: str
    due: date
    status: str  # DONE, OVERDUE, STARTED (played, not passed, not yet due) or NOT_STARTED
    best: int | None
    attempts: int


@dataclass(frozen=True)
class TraineeAssignments:
    trainee: Trainee
    rows: list[AssignmentStatus]
    runs: int  # every run of the trainee (any level)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def never_played(self) -> bool:
        return self.runs == 0


def assignment_status(
    roster: Iterable[Trainee],
    assignments: Iterable[Assignment],
    runs: Iterable[RunRecord],
    today: date,
    *,
    include_test: bool = False,
) -> list[TraineeAssignments]:
    """Per trainee on the roster (test players only if asked): each assigned level, done (passed on
    or before its due date... or after: late but done), overdue, started or never started."""
    by_name: dict[str, list[RunRecord]] = {}
    for run in runs:
        by_name.setdefault(run.player, []).append(run)
    chosen = [t for t in roster if include_test or not t.test]
    listed = list(assignments)
    result: list[TraineeAssignments] = []
    for trainee in chosen:
        mine = by_name.get(trainee.name, [])
        rows: list[AssignmentStatus] = []
        due_of: dict[str, date] = {}
        for assignment in listed:
            if assignment.applies_to(trainee):
                due_of[assignment.level] = min(assignment.due, due_of.get(assignment.level, assignment.due))
        for level, due in due_of.items():
            played = [r for r in mine if r.level_id == level]
            best = max((r.total for r in played), default=None)
            if any(r.passed for r in played):
                status = DONE
            elif today > due:
                status = OVERDUE
            else:
                status = STARTED if played else NOT_STARTED
            rows.append(AssignmentStatus(trainee, level, due, status, best, len(played)))
        result.append(TraineeAssignments(trainee, sorted(rows, key=lambda r: (r.due, r.level)), len(mine)))
    return sorted(result, key=lambda t: (t.trainee.team, t.trainee.name))
