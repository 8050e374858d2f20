"""Running a training week: roster and assignments (YAML and CSV, row-located checks), the report's
assignment status with an injected "today", test players, and Excel both ways (read back with
openpyxl)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook, load_workbook

from game import loader
from game.roster import (
    DONE,
    NOT_STARTED,
    OVERDUE,
    STARTED,
    Assignment,
    Trainee,
    assignment_status,
    load_assignments,
    load_roster,
)
from game.store.records import RunRecord
from tui.cli import cli

N01, N02 = "n01-identity-disclosure", "n02-contact-hours"
TITLES = {N01: "谁在接电话", N02: "几点能打"}


@pytest.fixture
def saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(loader, "DEFAULT_TRAINER_LEVELS_DIR", tmp_path / "no-trainer-levels")
    for name in ("COLLECTQUEST_LEVELS", "COLLECTQUEST_LEVELS_ONLY", "COLLECTQUEST_SAVES"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "saves"


def run(saves: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--saves", str(saves), *args], catch_exceptions=False)


def _run(player: str, level: str, passed: bool, total: int) -> RunRecord:
    return RunRecord(
        "r", "p-" + player, player, "一组", level, "assessment", 0, "2026-03-02T10:00:00+08:00",
        "2026-03-02T10:05:00+08:00", 300.0, [], total, passed, 1 if passed else 0, {}, [], [],
    )  # fmt: skip


def test_status_done_overdue_started_and_never_played() -> None:
    roster = [
        Trainee("王芳", "一组"),
        Trainee("李雷", "一组"),
        Trainee("刘洋", "一组"),
        Trainee("测试员", "一组", True),
    ]
    work = [Assignment(N01, date(2026, 3, 4), team="一组"), Assignment(N02, date(2026, 3, 9), to=("李雷",))]
    runs = [_run("王芳", N01, True, 90), _run("李雷", N01, False, 30), _run("李雷", N02, False, 20)]
    status = {t.trainee.name: t for t in assignment_status(roster, work, runs, date(2026, 3, 7))}
    assert set(status) == {"王芳", "李雷", "刘洋"}  # the test player is left out
    assert [(r.level, r.status, r.best) for r in status["王芳"].rows] == [(N01, DONE, 90)]
    assert [(r.level, r.status) for r in status["李雷"].rows] == [(N01, OVERDUE), (N02, STARTED)]
    assert status["刘洋"].never_played and status["刘洋"].rows[0].status == OVERDUE
    early = {t.trainee.name: t for t in assignment_status(roster, work, runs, date(2026, 3, 3))}
    assert early["刘洋"].rows[0].status == NOT_STARTED  # the same data, judged before the due date


def test_roster_and_assignment_csv_problems_name_their_row(tmp_path: Path) -> None:
    roster_csv = tmp_path / "roster.csv"
    roster_csv.write_text("姓名,团队,测试\n王芳,一组,\n,一组,\n王芳,二组,\n测试员,培训部,也许\n", encoding="utf-8-sig")
    trainees, problems = load_roster(roster_csv)
    assert trainees == [Trainee("王芳", "一组")]
    assert [(d.line, d.code) for d in problems] == [(3, "CQ036"), (4, "CQ036"), (5, "CQ036")]
    assert "第 3 行：缺少学员姓名" in problems[0].message
    assert "王芳 在第 2 行已经有了" in problems[1].message
    assert "test 只能填 是/否" in problems[2].message
    work = tmp_path / "assignments.csv"
    work.write_text(
        "关卡,学员名单,团队,截止\nn01-identity-disclosur,王芳,,2026-03-04\nn01-identity-disclosure,无名,,2026-03-04\n"
        "n01-identity-disclosure,,一组,3/4\nn01-identity-disclosure,王芳,,2026-03-04\n",
        encoding="utf-8",
    )
    found, problems = load_assignments(work, TITLES, trainees)
    assert found == [Assignment(N01, date(2026, 3, 4), ("王芳",))]
    assert [d.line for d in problems] == [2, 3, 4]
    assert "没有关卡“n01-identity-disclosur”（是不是 n01-identity-disclosure？）" in problems[0].message
    assert "名单里没有 无名" in problems[1].message
    assert "YYYY-MM-DD" in problems[2].message


def test_yaml_roster_problems_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text("roster:\n  - name: 王芳\n    team: 一组\n  - name: 李雷\n", encoding="utf-8")
    _, problems = load_roster(path)
    assert [(d.line, d.message[:18]) for d in problems] == [(4, "第 4 行：李雷 缺少团队 team")]


def test_validate_checks_roster_and_assignment_files(saves: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,team\n王芳,一组\n李雷,\n", encoding="utf-8")
    result = run(saves, "validate", str(roster))
    assert result.exit_code == 1 and "roster.csv:3:1: CQ036 第 3 行：李雷 缺少团队" in result.output


def _week(saves: Path) -> None:
    for name, team in (("王芳", "一组"), ("李雷", "一组"), ("刘洋", "一组"), ("赵敏", "二组")):
        assert run(saves, "roster", "add", name, "--team", team).exit_code == 0
    assert run(saves, "roster", "add", "测试员", "--team", "培训部", "--test").exit_code == 0
    assert run(saves, "assign", N01, "--team", "一组", "--due", "2026-03-04").exit_code == 0
    assert run(saves, "assign", N01, "--to", "赵敏", "--to", "测试员", "--due", "2026-03-04").exit_code == 0
    for player, team, policy in (("王芳", "一组", "best"), ("李雷", "一组", "worst"), ("测试员", "培训部", "best")):
        result = run(saves, "autoplay", N01, "--player", player, "--team", team, "--policy", policy, "--record")
        assert result.exit_code == 0, result.output


def test_cli_week_report_and_workbook(saves: Path, tmp_path: Path) -> None:
    _week(saves)
    bad = run(saves, "assign", "n01-nope", "--team", "一组", "--due", "2026-03-04")
    assert bad.exit_code == 2 and "没有关卡“n01-nope”" in bad.output
    book_path = tmp_path / "week.xlsx"
    result = run(saves, "report", "--include-autoplay", "--today", "2026-03-07", "--xlsx", str(book_path))
    assert result.exit_code == 0, result.output
    assert "还没玩过的学员（2 人）：刘洋、赵敏" in result.output
    assert "测试员" not in result.output
    book = load_workbook(book_path)
    assert book.sheetnames == ["学员", "团队", "成绩", "红线", "布置", "提升"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(sheet.column_dimensions[c].width >= 6 for c in "ABC")
    trainees = list(book["学员"].iter_rows(values_only=True))
    assert trainees[0][:4] == ("团队", "学员", "通过关卡数", "平均最高分")
    assert {row[1] for row in trainees[1:]} == {"王芳", "李雷", "刘洋", "赵敏"}
    scores = list(book["成绩"].iter_rows(values_only=True))
    level_title = loader.load_catalog()[0].levels[N01].title
    assert ("一组", "王芳", level_title, "新手", 100, "通过", N01) in scores
    teams = {row[0]: row for row in book["团队"].iter_rows(min_row=2, values_only=True)}
    assert teams["一组"][1:3] == (3, 2)  # three on the roster, two played
    rules = list(book["红线"].iter_rows(min_row=2, values_only=True))
    assert rules and all(row[0] != row[4] for row in rules)  # rule titles, ids in their own column
    assigned = {(row[1], row[4]) for row in book["布置"].iter_rows(min_row=2, values_only=True)}
    assert assigned == {("王芳", DONE), ("李雷", OVERDUE), ("刘洋", OVERDUE), ("赵敏", OVERDUE)}
    with_tests = run(saves, "report", "--include-autoplay", "--include-test", "--today", "2026-03-07")
    assert "测试员（测试）" in with_tests.output
    assert run(saves, "report", "--csv", str(tmp_path / "r.csv")).exit_code == 0
    assert (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_questions_round_trip_through_a_workbook(saves: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "questions").mkdir(parents=True)
    for path in loader.DEFAULT_CONTENT_DIR.glob("*.yaml"):
        (content / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    source = loader.DEFAULT_CONTENT_DIR / "questions" / "novice-core.yaml"
    (content / "questions" / "novice-core.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    book_path = tmp_path / "bank.xlsx"
    exported = run(saves, "--content", str(content), "questions", "export", "--xlsx", str(book_path))
    assert exported.exit_code == 0, exported.output
    before = loader.load_catalog(None, [content])[0].banks["novice-core"]
    book = load_workbook(book_path)
    sheet = book["题目"]
    header = [c.value for c in sheet[1]]
    prompt_col = header.index("题干") + 1
    sheet.cell(row=2, column=prompt_col, value="改过的题干：首次联系应先做什么？")
    book.save(book_path)
    imported = run(saves, "--content", str(content), "questions", "import", str(book_path))
    assert imported.exit_code == 0, imported.output
    after = loader.load_catalog(None, [content])[0].banks["novice-core"]
    assert after.questions[0].prompt == "改过的题干：首次联系应先做什么？"
    assert [q.model_dump() for q in after.questions[1:]] == [q.model_dump() for q in before.questions[1:]]
    # A bad row: nothing is written, the message names the row.
    sheet.cell(row=3, column=header.index("答案") + 1, value="Z")
    sheet.cell(row=4, column=header.index("依据") + 1, value="no-such-rule")
    book.save(book_path)
    text_before = (content / "questions" / "novice-core.yaml").read_text(encoding="utf-8")
    rejected = run(saves, "--content", str(content), "questions", "import", str(book_path))
    assert rejected.exit_code == 2
    assert "第 3 行" in rejected.output and "第 4 行" in rejected.output and "no-such-rule" in rejected.output
    assert (content / "questions" / "novice-core.yaml").read_text(encoding="utf-8") == text_before


def test_formula_like_text_is_not_a_formula(tmp_path: Path) -> None:
    from game.workbook import add_sheet

    book = Workbook()
    add_sheet(book, "x", ["学员"], [['=HYPERLINK("http://x")']])
    book.save(tmp_path / "x.xlsx")
    assert load_workbook(tmp_path / "x.xlsx")["x"]["A2"].data_type == "s"
