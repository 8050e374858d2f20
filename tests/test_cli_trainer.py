"""`collectquest playtest`, `graph` and `new-level` through click's CliRunner."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from game.explore import playtest
from game.playcheck import check_paths
from tui.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
DEFECTS = FIXTURES / "defects"
CONTENT = FIXTURES / "trainer-content"
SAMPLE = FIXTURES / "levels" / "sample.yaml"


def run(*args: str, levels: Path | None = None, content: Path = CONTENT) -> Result:
    options = ["--content", str(content)] + (["--only-levels", str(levels)] if levels else [])
    return CliRunner().invoke(cli, [*options, *args], catch_exceptions=False)


@pytest.fixture()
def level_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "levels"
    shutil.copytree(DEFECTS, folder / "novice")
    return folder


# --- playtest ---------------------------------------------------------------------------------


def test_playtest_clean_level_by_id(level_dir: Path) -> None:
    result = run("playtest", "defect-clean", levels=level_dir)
    assert result.exit_code == 0, result.output
    assert "路径 paths 10" in result.output
    assert "天真玩家 naive player「总选最长 always longest」: 20 次乱序中及格 passed 0 次" in result.output
    assert "最高分 best:          100  (open#1 → ask#1 → promise)" in result.output
    assert "不及格 fails ✓" in result.output
    assert result.output.strip().endswith("no structural defects")


@pytest.mark.parametrize(
    "name, kind",
    [
        ("unreachable-ending", "unreachable-ending"),
        ("dead-end", "dead-end"),
        ("too-lenient", "too-lenient"),
        ("pass-unreachable", "pass-unreachable"),
    ],
)
def test_playtest_exits_1_on_each_structural_defect(level_dir: Path, name: str, kind: str) -> None:
    result = run("playtest", f"defect-{name}", levels=level_dir)
    assert result.exit_code == 1
    assert f"✗ {kind}:" in result.output


def test_playtest_json_report(level_dir: Path) -> None:
    result = run("playtest", str(level_dir / "novice" / "too-lenient.yaml"), "--json", "--no-naive", levels=level_dir)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["level"], data["ok"], data["too_lenient"], data["red_line_can_pass"]) == (
        "defect-too-lenient",
        False,
        True,
        False,
    )
    stage = data["stages"][0]
    assert stage["paths"] == 4 and stage["endings_unreached"] == []
    assert stage["best_without_good"]["path"] == [
        {"node": "open", "choice": 2, "quality": "ok", "violation": None},
        {"node": "ask", "choice": 1, "quality": "ok", "violation": None},
    ]
    assert data["best_total"] == 95 and data["without_good_total"] == 90
    assert [d["kind"] for d in data["defects"]] == ["too-lenient"]


def test_playtest_flags_a_level_a_naive_player_passes(level_dir: Path) -> None:
    # One decision, the good line the longest: always-longest passes every shuffled order.
    result = run("playtest", "defect-unused-choices", "--json", levels=level_dir)
    data = json.loads(result.output)
    assert result.exit_code == 1
    longest = next(n for n in data["naive"] if n["policy"] == "longest")
    assert longest["passes"] == longest["runs"] == 20
    assert "naive-passes" in [d["kind"] for d in data["defects"]]


def test_playtest_json_agrees_with_the_engine_api(level_dir: Path) -> None:
    catalog, _ = check_paths([level_dir], [CONTENT])
    report = playtest(catalog.levels["defect-clean"], catalog)
    data = json.loads(run("playtest", "defect-clean", "--json", levels=level_dir).output)
    assert data["best_total"] == report.best.total and data["worst_total"] == report.worst.total
    assert data["stages"][0]["best"]["score"] == report.dialogues[0].best.score
    assert data["ok"] is True and data["errors"] == []


def test_playtest_notes_choices_that_never_matter(level_dir: Path) -> None:
    result = run("playtest", "defect-unused-choices", "--no-naive", levels=level_dir)
    assert result.exit_code == 0
    assert "choice 3 is never shown" in result.output
    assert "choice 1 always does the same as choice 2" in result.output


def test_playtest_reports_loops(level_dir: Path) -> None:
    result = run("playtest", "defect-loop-with-exit", "--no-naive", levels=level_dir)
    assert result.exit_code == 0
    assert "路径 paths 无穷多 infinite (loops)" in result.output
    assert "循环 cycle: ask (有出口 has an exit)" in result.output


def test_playtest_shows_validation_errors_of_the_level(tmp_path: Path) -> None:
    result = run("playtest", str(FIXTURES / "broken" / "dangling-next.yaml"))
    assert result.exit_code == 1
    assert "CQ007" in result.output and "✗ dead-end:" in result.output


def test_playtest_bad_level_arguments(level_dir: Path, tmp_path: Path) -> None:
    unknown = run("playtest", "defect-clen", levels=level_dir)
    assert unknown.exit_code == 2 and "did you mean 'defect-clean'" in unknown.output
    missing = run("playtest", str(tmp_path / "none.yaml"), levels=level_dir)
    assert missing.exit_code == 2 and "does not exist" in missing.output
    broken = run("playtest", str(FIXTURES / "broken" / "yaml-syntax.yaml"), levels=level_dir)
    assert broken.exit_code == 1 and "CQ001" in broken.output and "Traceback" not in broken.output


# --- graph ------------------------------------------------------------------------------------


def test_graph_mermaid_marks_endings_and_red_lines(level_dir: Path) -> None:
    result = run("graph", "defect-clean", levels=level_dir)
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("flowchart TD")
    assert re.search(r'\(\["结局 promise · 承诺还款 \(承诺还款, 100分\)"\]\):::ending', text)
    red = [line for line in text.splitlines() if "⛔" in line]
    assert len(red) == 1 and "==>" in red[0] and "pipl-no-illegal-disclosure" in red[0]
    links = [line for line in text.splitlines() if "-->" in line or "==>" in line]
    red_index = next(i for i, line in enumerate(links) if "⛔" in line)
    assert f"linkStyle {red_index} stroke:crimson" in text


def test_graph_dot(level_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.dot"
    result = run("graph", "defect-clean", "--format", "dot", "-o", str(out), levels=level_dir)
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith('digraph "defect-clean"') and text.rstrip().endswith("}")
    assert text.count("shape=doubleoctagon") == 4
    assert len(re.findall(r"color=crimson, fontcolor=crimson", text)) == 1
    assert text.count("{") == text.count("}")


def test_graph_marks_links_to_nowhere() -> None:
    result = run("graph", str(FIXTURES / "broken" / "dangling-next.yaml"))
    assert result.exit_code == 0 and "⚠ 不存在: fial" in result.output


def test_graph_bad_format() -> None:
    result = run("graph", str(SAMPLE), "--format", "png")
    assert result.exit_code == 2 and "png" in result.output


# --- new-level --------------------------------------------------------------------------------


@pytest.mark.parametrize("tier, folder", [("新手", "novice"), ("中级", "intermediate"), ("supervisor", "supervisor")])
def test_new_level_validates_and_playtests_clean(tmp_path: Path, tier: str, folder: str) -> None:
    levels = tmp_path / "levels"
    result = run("new-level", "--tier", tier, "--id", "x07-starter", "--title", "新关卡: 试试", levels=levels)
    assert result.exit_code == 0, result.output
    path = levels / folder / "x07-starter.yaml"
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    for feature in (
        "kind: dialogue",
        "kind: quiz",
        "kind: audit",
        "variants:",
        "if:",
        "set:",
        "violation:",
        "narration:",
        "meters:",
        "type: multiple",
        "type: truefalse",
        "rule_choices:",
        "draw",
    ):
        assert feature in text, feature
    assert 'title: "新关卡: 试试"' in text
    check = run("validate", levels=levels)
    assert check.exit_code == 0 and "warning" not in check.output, check.output
    played = run("playtest", "x07-starter", levels=levels)
    assert played.exit_code == 0 and played.output.strip().endswith("no structural defects"), played.output


def test_new_level_draws_from_the_tier_bank_when_it_exists(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    bank = (CONTENT / "questions" / "mini.yaml").read_text(encoding="utf-8")
    (content / "questions" / "mini.yaml").write_text(
        bank.replace("bank: mini", "bank: novice-core").replace("tags: [第三方]", "tags: [第三方, 身份核实]"),
        encoding="utf-8",
    )
    levels = tmp_path / "levels"
    assert run("new-level", "--tier", "新手", "--id", "n09-drawn", levels=levels, content=content).exit_code == 0
    text = (levels / "novice" / "n09-drawn.yaml").read_text(encoding="utf-8")
    assert "\n    draw:" in text and "bank: novice-core" in text
    assert run("validate", levels=levels, content=content).exit_code == 0
    without = run("new-level", "--tier", "新手", "--id", "n10-plain", levels=levels)
    assert without.exit_code == 0
    assert "\n    # draw:" in (levels / "novice" / "n10-plain.yaml").read_text(encoding="utf-8")


def test_new_level_order_follows_the_tier(tmp_path: Path) -> None:
    levels = tmp_path / "levels"
    run("new-level", "--tier", "新手", "--id", "a-first", levels=levels)
    run("new-level", "--tier", "新手", "--id", "b-second", levels=levels)
    listed = json.loads(run("levels", "--json", levels=levels).output)["levels"]
    assert [lv["id"] for lv in listed] == ["a-first", "b-second"]
    assert "order: 2 " in (levels / "novice" / "b-second.yaml").read_text(encoding="utf-8")


def test_new_level_refuses_to_overwrite_or_duplicate(tmp_path: Path) -> None:
    levels = tmp_path / "levels"
    assert run("new-level", "--tier", "新手", "--id", "n07-x", levels=levels).exit_code == 0
    again = run("new-level", "--tier", "新手", "--id", "n07-x", levels=levels)
    assert again.exit_code == 1 and "--force" in again.output
    assert run("new-level", "--tier", "新手", "--id", "n07-x", "--force", levels=levels).exit_code == 0
    elsewhere = run("new-level", "--tier", "中级", "--id", "n07-x", levels=levels)
    assert elsewhere.exit_code == 1 and "already exists" in elsewhere.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["--tier", "高级", "--id", "n07-x"], "not a tier"),
        (["--tier", "新手", "--id", "N07 X"], "lower-case"),
        (["--tier", "新手"], "Missing option '--id'"),
    ],
)
def test_new_level_bad_input(tmp_path: Path, args: list[str], words: str) -> None:
    result = run("new-level", *args, levels=tmp_path)
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["playtest", "graph", "new-level"])
def test_help_has_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and f"collectquest {command}" in result.output.replace(
        "collectquest --levels ~/my-levels new-level", "collectquest new-level"
    )


# --- the trainer guide --------------------------------------------------------------------------


def test_the_guides_snippets_make_a_level_that_validates_and_playtests(tmp_path: Path) -> None:
    """levels/README.md: the level header, case, dialogue, quiz and audit examples, pasted together
    as a trainer would, must validate and playtest clean against the shipped handbook."""
    guide = (Path(__file__).resolve().parent.parent / "levels" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", guide, re.S)
    header = next(b for b in blocks if b.startswith("id: "))
    case = next(b for b in blocks if b.startswith("case:"))
    stages = [next(b for b in blocks if b.startswith(f"  - kind: {kind}\n")) for kind in ("dialogue", "quiz", "audit")]
    header = re.sub(r"^(case|stages): .*\n", "", header, flags=re.M).replace(
        "requires: [n01-identity-disclosure]", "requires: []"
    )
    levels = tmp_path / "levels" / "novice"
    levels.mkdir(parents=True)
    (levels / "n07-callback.yaml").write_text(header + case + "stages:\n" + "".join(stages), encoding="utf-8")
    shipped = Path(__file__).resolve().parent.parent / "content"
    checked = run("validate", levels=tmp_path / "levels", content=shipped)
    assert checked.exit_code == 0 and "warning" not in checked.output, checked.output
    played = run("playtest", "n07-callback", levels=tmp_path / "levels", content=shipped)
    assert played.exit_code == 0, played.output
