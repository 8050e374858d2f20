"""YAML slips a Chinese trainer makes (tests/fixtures/slips/): each is reported on the line of the
slip itself, in Chinese naming the character and what to do, with the English after it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from game.diagnostics import CODES, place_name
from game.loader import load_catalog
from game.playcheck import check_paths
from game.validate import has_errors
from tui.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
SLIPS = FIXTURES / "slips"
CONTENT = FIXTURES / "trainer-content"

# fixture, line of the slip, code, severity, words the message must hold (Chinese, then English)
CASES = [
    ("tab", 9, "CQ001", "error", ["第 9 行", "制表符（Tab）", "换成空格", "a tab in the indentation"]),
    ("full-width-space", 9, "CQ001", "error", ["第 9 行", "全角空格“　”", "半角空格", "U+3000"]),
    ("full-width-colon", 9, "CQ001", "error", ["第 9 行用了全角冒号“：”，键后面要用半角冒号“:”", "full-width colon"]),
    ("full-width-colon-last-key", 12, "CQ001", "error", ["第 12 行用了全角冒号“：”", "半角冒号“:”"]),
    ("full-width-colon-only-key", 23, "CQ001", "error", ["第 23 行用了全角冒号“：”", "半角冒号“:”"]),
    ("missing-colon", 10, "CQ001", "error", ["第 10 行缺少冒号", "半角冒号加空格", "missing ':'"]),
    ("too-deep", 10, "CQ001", "error", ["第 10 行缩进太深", "用 2 个空格", "too deep"]),
    ("too-shallow", 28, "CQ001", "error", ["第 28 行缩进太浅", "用 12 个空格", "too shallow"]),
    ("time-unquoted", 18, "CQ004", "error", ["“21:30”", "时间", "加引号", "quote it"]),
    ("number-as-option", 37, "CQ004", "error", ["第 2 个环节 · 第 1 题 · 选项 1", "数字", "加引号"]),
    ("colon-in-text", 23, "CQ001", "error", ["第 23 行", "“: ”", "加引号", "': ' inside unquoted text"]),
    ("leading-bang", 28, "CQ001", "error", ["第 28 行", "以“!”开头", "加引号", "tag"]),
    ("comma-splits-option", 37, "CQ033", "warning", ["半角逗号", "拆成了两个选项", "全角逗号“，”", "加引号"]),
    ("hash-cuts-text", 18, "CQ034", "warning", ["“#2 转人工”", "注释", "学员只会看到“喂？请按”", "加引号"]),
]


@pytest.mark.parametrize(("name", "line", "code", "severity", "words"), CASES, ids=[c[0] for c in CASES])
def test_slip_is_reported_on_its_own_line_in_chinese(
    name: str, line: int, code: str, severity: str, words: list[str]
) -> None:
    path = SLIPS / f"{name}.yaml"
    _, diagnostics = check_paths([path], [CONTENT])
    found = [d for d in diagnostics if d.code == code]
    assert found, [d.format() for d in diagnostics]
    assert [d.line for d in found] == [line], [d.format() for d in diagnostics]
    assert found[0].severity == severity
    for word in words:
        assert word in found[0].message, found[0].message
    chinese, _, english = found[0].message.partition(" / ")
    assert chinese and english[:1].isascii() and english[:1].isalpha(), "Chinese first, the English after it"
    # A warning keeps the level playable; an error is the only problem reported.
    assert has_errors(diagnostics) == (severity == "error")
    if severity == "error":
        assert len([d for d in diagnostics if d.severity == "error"]) == 1, [d.format() for d in diagnostics]


def test_every_slip_fixture_is_in_the_table() -> None:
    assert sorted(p.stem for p in SLIPS.glob("*.yaml")) == sorted(c[0] for c in CASES)


def test_the_slip_codes_are_documented() -> None:
    for code in ("CQ033", "CQ034", "CQ035"):
        assert code in CODES
    guide = (Path(__file__).parent.parent / "levels" / "README.md").read_text(encoding="utf-8")
    for code in ("CQ033", "CQ034", "CQ035"):
        assert code in guide, f"{code} is not explained in the trainer guide"


def test_the_comma_warning_names_what_the_trainee_would_see() -> None:
    catalog, diagnostics = load_catalog([SLIPS / "comma-splits-option.yaml"], [CONTENT])
    level = catalog.levels["slip-comma-splits-option"]
    options = level.stages[1].questions[0].options  # type: ignore[union-attr]
    assert options[:2] == ["先说明机构", "再说自己的身份"]  # what YAML made of it: the warning is true
    assert any(d.code == "CQ033" for d in diagnostics)


def test_a_deliberate_comment_after_text_is_not_a_slip(tmp_path: Path) -> None:
    text = (SLIPS / "hash-cuts-text.yaml").read_text(encoding="utf-8")
    level = tmp_path / "ok.yaml"
    level.write_text(text.replace("say: 喂？请按 #2 转人工", "say: 喂？  # 客户先开口"), encoding="utf-8")
    _, diagnostics = check_paths([level], [CONTENT])
    assert not [d for d in diagnostics if d.code == "CQ034"], [d.format() for d in diagnostics]


def test_shipped_levels_have_no_slips() -> None:
    _, diagnostics = load_catalog()
    assert not [d.format() for d in diagnostics if d.code in ("CQ033", "CQ034", "CQ035")]


def test_place_names_are_one_based_and_named() -> None:
    assert place_name(("stages", 1, "questions", 3, "options", 0)) == "第 2 个环节 · 第 4 题 · 选项 1"
    assert place_name(("stages", 0, "nodes", "open", "choices", 2, "text")) == (
        "第 1 个环节 · 节点 open · 第 3 个回答 · `text`"
    )
    assert place_name(("case", "amount")) == "案件 · `amount`"
    assert place_name(()) == "文件顶层"


def test_schema_messages_name_the_place_in_chinese(tmp_path: Path) -> None:
    text = (SLIPS / "tab.yaml").read_text(encoding="utf-8").replace("\tpersona", "  persona")
    level = tmp_path / "bad.yaml"
    level.write_text(
        text.replace("amount: 1000", "amount: 一千").replace("    feedback: 先表明", "    feedbak: 先表明")
    )
    _, diagnostics = check_paths([level], [CONTENT])
    messages = {d.code: d.message for d in diagnostics}
    assert messages["CQ004"].startswith("案件 · `amount`：应为数字 / case.amount:"), messages
    assert messages["CQ003"].startswith(
        "第 1 个环节 · 节点 open · 第 1 个回答：未知字段 `feedbak`（是不是 `feedback`？）"
    )
    assert "unknown key 'feedbak' (did you mean 'feedback'?)" in messages["CQ003"]


def test_a_level_saved_as_yaml_txt_is_named_by_validate(tmp_path: Path) -> None:
    folder = tmp_path / "levels"
    folder.mkdir()
    (folder / "n08-callback.yaml.txt").write_text((SLIPS / "hash-cuts-text.yaml").read_text(encoding="utf-8"))
    result = CliRunner().invoke(cli, ["--content", str(CONTENT), "--only-levels", str(folder), "validate"])
    assert result.exit_code == 1, result.output
    assert "n08-callback.yaml.txt" in result.output and "CQ035" in result.output
    assert "改名为“n08-callback.yaml”" in result.output
    assert "✓" not in result.output
    catalog, _ = load_catalog([folder], [CONTENT])
    assert [p.name for p in catalog.unavailable] == ["n08-callback.yaml.txt"]
    assert "改名" in next(iter(catalog.unavailable.values()))


async def test_the_game_lists_a_yaml_txt_level_as_unavailable(tmp_path: Path) -> None:
    from game.store.savestore import SaveStore
    from tui.app import CollectQuestApp

    folder = tmp_path / "levels"
    folder.mkdir()
    (folder / "n08-callback.yaml.txt").write_text("id: x\n", encoding="utf-8")
    (folder / "n09.yaml").write_text((SLIPS / "tab.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    app = CollectQuestApp(SaveStore(tmp_path / "saves"), [folder], [CONTENT])
    async with app.run_test() as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if app.catalog is not None:
                break
        await pilot.pause()
        notes = [n.message for n in app._notifications if n.title == "以下关卡文件不可用"]
    assert notes, [n.message for n in app._notifications]
    assert "n08-callback.yaml.txt：文件名是“n08-callback.yaml.txt”" in notes[0]
    assert "n09.yaml：第 9 行的缩进里有制表符（Tab）" in notes[0]
