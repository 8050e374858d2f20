"""Excel both ways (openpyxl): the training report as a workbook a team lead opens without fixing
anything, and question banks to a sheet and back (the YAML stays the source of truth: an import
writes YAML, after checking every row against the level format).

Every sheet has Chinese headers, a frozen header row, column widths fitted to the text and an
auto-filter; level and rule titles are shown rather than ids (ids sit in their own column).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from .diagnostics import Diagnostic, place_name
from .models import BankQuestion, Level, QuestionBank, RuleCard
from .placement import TEST_IDS, TEST_NAMES
from .report import Report
from .roster import TraineeAssignments

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_WIDTH = 60


def _cell(value: Any) -> Any:
    """Text from trainers' and players' files, safe in a cell: no control characters, and a
    leading = + - @ is quoted so that Excel never reads it as a formula."""
    if isinstance(value, str):
        value = "".join(ch for ch in value if ch.isprintable() or ch in "\n\t")
        if value[:1] in ("=", "+", "-", "@"):
            value = "'" + value
    return value


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in max(text.splitlines() or [""], key=len))


def add_sheet(book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    widths = [_width(h) for h in header]
    for row in rows:
        values = [_cell(v) for v in row]
        sheet.append(values)
        widths = [max(w, _width(v)) for w, v in zip(widths, values)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _title(levels: Mapping[str, Level], level_id: str) -> str:
    level = levels.get(level_id)
    return level.title if level else f"（已删除的关卡 {level_id}）"


def _rule(rules: Mapping[str, RuleCard], rule_id: str) -> str:
    rule = rules.get(rule_id)
    return rule.title if rule else rule_id


def _gain_rows(report: Report) -> list[list[Any]]:
    """One row per trainee and blueprint skill (score in each test, gain), then each team's mean gain."""
    rows: list[list[Any]] = []
    for t in report.trainees:
        skills = sorted({skill for scores in t.skill_tests.values() for skill in scores})
        for skill in skills:
            scores = [t.skill_tests.get(test, {}).get(skill) for test in TEST_IDS]
            rows.append([t.team, t.player, skill, *scores, t.gain.get(skill)])
    for team in report.teams:
        for skill, value in team.gain.items():
            rows.append([team.team, "（全队平均）", skill, *(None for _ in TEST_IDS), value])
    return rows


def report_workbook(
    report: Report,
    levels: Mapping[str, Level],
    rules: Mapping[str, RuleCard],
    assignments: Sequence[TraineeAssignments] = (),
) -> Workbook:
    """Sheets: 学员, 团队, 成绩 (trainee × level, one row each), 红线 (by rule), 布置 (assignments),
    提升 (前测/中测/后测 per trainee and skill, and each team's mean gain)."""
    book = Workbook()
    book.remove(book.active)
    add_sheet(
        book,
        "学员",
        [
            "团队",
            "学员",
            "通过关卡数",
            "平均最高分",
            "练习次数",
            "考核次数",
            "用时(分钟)",
            "红线次数",
            "最弱维度",
            "最弱技能",
            "最近一次",
        ],
        (
            [
                t.team,
                t.player,
                len(t.levels_passed),
                t.average_best,
                t.practice_runs,
                t.assessment_runs,
                round(t.time_spent / 60, 1),
                sum(t.violations.values()),
                "、".join(t.weakest_dimensions),
                "、".join(t.weakest_skills),
                (t.last_played or "")[:16].replace("T", " "),
            ]
            for t in report.trainees
        ),
    )
    add_sheet(
        book,
        "团队",
        [
            "团队",
            "人数",
            "玩过的人数",
            "通过关卡合计",
            "平均最高分",
            "次数",
            "用时(分钟)",
            "红线次数",
            "最弱维度",
            "最弱技能",
        ],
        (
            [
                team.team,
                team.members,
                team.active_members,
                team.levels_passed,
                team.average_best,
                team.attempts,
                round(team.time_spent / 60, 1),
                sum(team.violations.values()),
                "、".join(team.weakest_dimensions),
                "、".join(team.weakest_skills),
            ]
            for team in report.teams
        ),
    )
    add_sheet(
        book,
        "成绩",
        ["团队", "学员", "关卡", "层级", "最高分", "是否通过", "关卡 id"],
        (
            [
                t.team,
                t.player,
                _title(levels, level_id),
                levels[level_id].tier if level_id in levels else "",
                score,
                "通过" if level_id in t.levels_passed else "未通过",
                level_id,
            ]
            for t in report.trainees
            for level_id, score in t.best_scores.items()
        ),
    )
    crossed: dict[str, list[tuple[str, int]]] = {}
    for t in report.trainees:
        for rule_id, times in t.violations.items():
            crossed.setdefault(rule_id, []).append((t.player, times))
    add_sheet(
        book,
        "红线",
        ["规则", "次数", "涉及学员数", "涉及学员", "规则 id"],
        (
            [
                _rule(rules, rule_id),
                sum(n for _, n in who),
                len(who),
                "、".join(f"{name}×{n}" for name, n in who),
                rule_id,
            ]
            for rule_id, who in sorted(crossed.items(), key=lambda kv: -sum(n for _, n in kv[1]))
        ),
    )
    add_sheet(
        book,
        "布置",
        ["团队", "学员", "关卡", "截止日期", "状态", "最高分", "次数", "从未玩过", "关卡 id"],
        (
            [
                t.trainee.team,
                t.trainee.name,
                _title(levels, row.level),
                row.due.isoformat(),
                row.status,
                row.best,
                row.attempts,
                "是" if t.never_played else "",
                row.level,
            ]
            for t in assignments
            for row in t.rows
        ),
    )
    add_sheet(
        book, "提升", ["团队", "学员", "技能", *(TEST_NAMES[t] for t in TEST_IDS), "提升(百分点)"], _gain_rows(report)
    )
    return book


# --------------------------------------------------------------------------------------------
# Question banks
# --------------------------------------------------------------------------------------------

QUESTION_HEADER = [
    "题库",
    "题目 id",
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "答案",
    "解析",
    "依据",
    "标签",
    "限时(秒)",
]
TYPE_NAMES = {"single": "单选", "multiple": "多选", "truefalse": "判断"}
TYPES_BY_NAME = {**{v: k for k, v in TYPE_NAMES.items()}, **{k: k for k in TYPE_NAMES}}
OPTION_COLUMNS = 5


def _answer_text(question: BankQuestion) -> str:
    if isinstance(question.answer, bool):
        return "对" if question.answer else "错"
    return question.answer if isinstance(question.answer, str) else ",".join(question.answer)


def questions_workbook(banks: Iterable[QuestionBank]) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    rows = []
    for bank in banks:
        for q in bank.questions:
            options = (list(q.options) + [""] * OPTION_COLUMNS)[:OPTION_COLUMNS]
            rows.append(
                [
                    bank.bank,
                    q.id,
                    TYPE_NAMES[q.type],
                    q.prompt,
                    *options,
                    _answer_text(q),
                    q.explanation,
                    q.ref,
                    "、".join(q.tags),
                    q.time_limit,
                ]
            )
    add_sheet(book, "题目", QUESTION_HEADER, rows)
    return book


@dataclass
class ImportResult:
    questions: dict[str, list[dict[str, Any]]]  # bank id -> questions, as YAML data
    problems: list[Diagnostic]


def _row_question(values: dict[str, Any]) -> dict[str, Any]:
    def text(name: str) -> str:
        value = values.get(name)
        return "" if value is None else str(value).strip()

    kind = TYPES_BY_NAME.get(text("题型"), text("题型"))
    question: dict[str, Any] = {"id": text("题目 id"), "type": kind}
    if text("标签"):
        question["tags"] = [t for t in text("标签").replace(",", "、").split("、") if t.strip()]
    question["prompt"] = text("题干")
    options = [text(f"选项{letter}") for letter in "ABCDE"[:OPTION_COLUMNS]]
    if kind != "truefalse":
        question["options"] = [o for o in options if o]
    answer = text("答案")
    if kind == "multiple":
        question["answer"] = [a.strip() for a in answer.replace("，", ",").replace("、", ",").split(",") if a.strip()]
    else:
        question["answer"] = answer
    question["explanation"] = text("解析")
    question["ref"] = text("依据")
    limit = values.get("限时(秒)")
    if limit not in (None, ""):
        try:
            question["time_limit"] = float(limit)
        except (TypeError, ValueError):
            question["time_limit"] = str(limit)
    return question


def read_questions(path: Path, known_refs: set[str] | None = None) -> ImportResult:
    """Questions from a workbook exported by `questions export` (or written in its shape), each
    row checked against the level format; problems name the sheet row and column meaning."""
    book = load_workbook(path, read_only=True, data_only=True)
    sheet = book["题目"] if "题目" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    problems: list[Diagnostic] = []
    missing = [h for h in ("题库", "题目 id", "题型", "题干", "答案", "解析", "依据") if h not in header]
    if missing:
        problems.append(
            Diagnostic(str(path), 1, 1, "CQ036", f"第 1 行（表头）缺少列 {'、'.join(missing)} / missing columns")
        )
        return ImportResult({}, problems)
    found: dict[str, list[dict[str, Any]]] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if row is None or not any(v not in (None, "") for v in row):
            continue
        values = dict(zip(header, row))
        question = _row_question(values)
        bank = str(values.get("题库") or "").strip()
        where = f"第 {number} 行"
        if not bank:
            problems.append(Diagnostic(str(path), number, 1, "CQ036", f"{where}：缺少题库 id / missing bank"))
            continue
        try:
            BankQuestion.model_validate(question)
        except ValidationError as exc:
            for error in exc.errors():
                field_name = place_name(tuple(error["loc"]))
                message = str(error.get("msg", "")).removeprefix("Value error, ")
                problems.append(
                    Diagnostic(
                        str(path), number, 1, "CQ036", f"{where}（{question['id'] or '无 id'}）{field_name}：{message}"
                    )
                )
            continue
        if question["id"] in seen:
            problems.append(
                Diagnostic(
                    str(path),
                    number,
                    1,
                    "CQ036",
                    f"{where}：题目 id {question['id']} 与第 {seen[question['id']]} 行重复",
                )
            )
            continue
        if known_refs is not None and question["ref"] not in known_refs:
            problems.append(
                Diagnostic(str(path), number, 1, "CQ036", f"{where}：依据“{question['ref']}”不是已有的规则卡或术语 id")
            )
            continue
        seen[question["id"]] = number
        found.setdefault(bank, []).append(question)
    return ImportResult(found, problems)


def bank_yaml(bank: QuestionBank | None, bank_id: str, questions: list[dict[str, Any]]) -> str:
    """A bank file's YAML with the imported questions (title and tier kept from the old file)."""
    data = {
        "bank": bank_id,
        "title": bank.title if bank else bank_id,
        "tier": bank.tier if bank else "新手",
        "questions": questions,
    }
    QuestionBank.model_validate(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
