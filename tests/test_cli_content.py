"""`collectquest validate`, `levels` and `schema` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from tui.cli import cli
from tui.commands.content import json_schema

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "broken"
CONTENT = FIXTURES / "trainer-content"
SAMPLE = FIXTURES / "levels" / "sample.yaml"
HANGUP_LINE = SAMPLE.read_text(encoding="utf-8").splitlines().index("      hangup:") + 1


def run(*args: str, levels: Path | None = None, content: Path = CONTENT) -> Result:
    options = ["--content", str(content)] + (["--only-levels", str(levels)] if levels else [])
    return CliRunner().invoke(cli, [*options, *args], catch_exceptions=False)


@pytest.fixture()
def level_dir(tmp_path: Path) -> Path:
    """A levels folder with the sample (novice) and a quiz level, plus an empty tier folder."""
    folder = tmp_path / "levels"
    (folder / "novice").mkdir(parents=True)
    # With the unverified opening raising trust too, trust is always >= 40 at the route, so the
    # `hangup` ending is linked but never reached: the one warning these tests expect.
    sample = SAMPLE.read_text(encoding="utf-8").replace("effects: {信任: -10}", "effects: {信任: 10}")
    (folder / "novice" / "sample.yaml").write_text(sample, encoding="utf-8")
    quiz = (BROKEN / "valid-quiz.yaml").read_text(encoding="utf-8")
    quiz = quiz.replace("tier: 新手", "tier: 中级").replace("pass_score: 60", "order: 1\npass_score: 60")
    (folder / "intermediate").mkdir()
    (folder / "intermediate" / "quiz.yaml").write_text(quiz, encoding="utf-8")
    return folder


def test_validate_passes_with_a_summary(level_dir: Path) -> None:
    result = run("validate", levels=level_dir)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("✓")
    assert "2 个关卡 levels (新手 1 · 中级 1 · 主管 0)" in lines[-1]
    assert "1 个警告 warnings" in lines[-1]
    assert "CQ030 warning:" in lines[0]  # the sample's never-reached ending


def test_validate_json_has_the_keys_other_tools_read(level_dir: Path) -> None:
    result = run("validate", "--json", levels=level_dir)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ok"] is True
    assert data["levels"] == {"新手": 1, "中级": 1, "主管": 0}
    assert (data["questions"], data["dialogue_nodes"], data["rule_cards"], data["glossary_terms"]) == (6, 3, 3, 2)
    assert data["errors"] == [
        {
            "file": data["errors"][0]["file"],
            "line": HANGUP_LINE,
            "column": 7,
            "code": "CQ030",
            "message": "ending 'hangup' is never reached: the conditions on the way never hold",
            "severity": "warning",
        }
    ]
    assert data["errors"][0]["file"].endswith("sample.yaml")


@pytest.mark.parametrize(
    "name, code, line",
    [
        ("dangling-next.yaml", "CQ007", 32),
        ("unknown-key.yaml", "CQ003", 27),
        ("requires-cycle.yaml", "CQ012", 5),
    ],
)
def test_validate_fails_with_located_messages(name: str, code: str, line: int) -> None:
    path = BROKEN / name
    result = run("validate", str(path))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{path}:{line}:") or f"{name}:{line}:" in first
    assert f": {code} " in first
    assert result.output.strip().splitlines()[-1].startswith("✗ 1 个错误 errors")


def test_validate_json_on_errors() -> None:
    result = run("validate", "--json", str(BROKEN / "unknown-ref.yaml"), str(BROKEN / "bucket-mismatch.yaml"))
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False
    assert {(e["code"], e["severity"]) for e in data["errors"]} == {("CQ013", "error"), ("CQ021", "warning")}
    assert all({"file", "line", "column", "code", "message", "severity"} <= set(e) for e in data["errors"])


def test_validate_a_content_file_is_recognised_by_its_top_key() -> None:
    result = run("validate", "--json", str(BROKEN / "content-duplicate-id.yaml"))
    data = json.loads(result.output)
    assert [e["code"] for e in data["errors"]] == ["CQ006"]
    assert data["levels"] == {"新手": 0, "中级": 0, "主管": 0}


def test_validate_a_single_file_resolves_requires_against_the_levels_folder(level_dir: Path, tmp_path: Path) -> None:
    text = (
        (BROKEN / "valid-base.yaml")
        .read_text(encoding="utf-8")
        .replace("pass_score: 60", "requires: [sample-spouse]\npass_score: 60")
    )
    new = tmp_path / "new.yaml"
    new.write_text(text, encoding="utf-8")
    assert run("validate", str(new), levels=level_dir).exit_code == 0
    assert run("validate", str(new), levels=tmp_path / "nowhere").exit_code == 1


def test_validate_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    missing = run("validate", str(tmp_path / "missing.yaml"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    result = run("validate", str(binary))
    assert result.exit_code == 1 and "CQ001" in result.output and "Traceback" not in result.output
    no_levels = run("validate", levels=tmp_path / "absent")
    assert no_levels.exit_code == 1 and "levels folder not found" in no_levels.output


def test_levels_in_play_order(level_dir: Path) -> None:
    result = run("levels", "--json", levels=level_dir)
    assert result.exit_code == 0
    levels = json.loads(result.output)["levels"]
    assert [(lv["id"], lv["tier"]) for lv in levels] == [("sample-spouse", "新手"), ("broken-valid-quiz", "中级")]
    assert set(levels[0]) == {"id", "tier", "title", "requires", "file", "shipped"}
    assert levels[0]["shipped"] is False
    assert levels[0]["file"].endswith("sample.yaml")
    text = run("levels", levels=level_dir).output.splitlines()
    assert text[0].startswith("新手") and "sample-spouse" in text[0] and "中级" in text[1]


def test_schema_accepts_real_levels_and_underlines_typos() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    validator = jsonschema.Draft7Validator(schema)
    sample = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    assert not list(validator.iter_errors(sample))
    typo = yaml.safe_load((BROKEN / "unknown-key.yaml").read_text(encoding="utf-8"))
    errors = list(validator.iter_errors(typo))
    assert errors and any("qualty" in e.message for e in errors)


def test_schema_for_handbook_files(tmp_path: Path) -> None:
    out = tmp_path / "content.schema.json"
    result = run("schema", "--kind", "content", "-o", str(out))
    assert result.exit_code == 0
    validator = jsonschema.Draft7Validator(json.loads(out.read_text(encoding="utf-8")))
    for file in ("rules.yaml", "glossary.yaml", "questions/mini.yaml"):
        data = yaml.safe_load((CONTENT / file).read_text(encoding="utf-8"))
        data = json.loads(json.dumps(data, default=str))  # dates as YAML reads them -> strings
        assert not list(validator.iter_errors(data)), file
    assert list(validator.iter_errors({"questions": []}))
    assert json_schema("all")["anyOf"]


@pytest.mark.parametrize("command", ["validate", "levels", "schema"])
def test_help_has_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and f"collectquest {command}" in result.output
