"""`game.validate` and the loader on broken fixtures: each file in tests/fixtures/broken/ has one
problem, marked on the line where it must be reported with `# <- CODE "words in the message"`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from game.diagnostics import CODES, Diagnostic
from game.loader import load_catalog
from game.playcheck import check_paths, validate
from game.validate import counts, has_errors
from game.yamlsource import MAX_FILE_BYTES

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "broken"
CONTENT = FIXTURES / "trainer-content"
SAMPLE = FIXTURES / "levels" / "sample.yaml"
MARKER = re.compile(r'#\s*<-\s*(CQ\d{3})(?:\s+"([^"]*)")?')


def broken_cases() -> list[Path]:
    """Each broken file, or each folder of files that are broken together."""
    return sorted(p for p in BROKEN.iterdir() if p.suffix == ".yaml" or p.is_dir())


def expected_markers(case: Path) -> set[tuple[str, int, int, str]]:
    """(file, line, code, words) for every marker in the case's files."""
    files = sorted(case.rglob("*.yaml")) if case.is_dir() else [case]
    found = set()
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            for match in MARKER.finditer(line):
                found.add((str(file), number, match[1], match[2] or ""))
    return found


def check(case: Path) -> list[Diagnostic]:
    files = sorted(case.rglob("*.yaml")) if case.is_dir() else [case]
    content = [f for f in files if f.name.startswith("content-")]
    levels = [f for f in files if f not in content]
    _, diagnostics = check_paths(levels, [CONTENT, *content])
    return diagnostics


@pytest.mark.parametrize("case", broken_cases(), ids=lambda p: p.stem)
def test_broken_fixture_reports_its_code_on_its_line(case: Path) -> None:
    diagnostics = check(case)
    expected = expected_markers(case)
    if case.name == "alias-bomb.yaml":
        expected = {(str(case), 0, "CQ002", "too many YAML nodes")}  # line: wherever the count overflows
    for file, line, code, words in expected:
        matching = [d for d in diagnostics if d.file == file and d.code == code and (line == 0 or d.line == line)]
        assert matching, f"expected {code} at {Path(file).name}:{line}; got {[d.format() for d in diagnostics]}"
        assert any(words in d.message for d in matching), f"{code} message lacks {words!r}: {matching}"
    unexpected = [
        d.format()
        for d in diagnostics
        if d.severity == "error"
        and not any(d.file == f and d.code == c and (ln in (0, d.line)) for f, ln, c, _ in expected)
    ]
    assert not unexpected, f"unexpected errors: {unexpected}"


def test_every_broken_case_has_a_marker_and_the_valid_bases_have_none() -> None:
    for case in broken_cases():
        markers = expected_markers(case)
        if case.stem.startswith("valid-"):
            assert not markers and not check(case), case
        elif case.name != "alias-bomb.yaml":
            assert markers, f"{case.name} has no `# <- CODE` marker"


def test_every_error_code_is_exercised_by_a_fixture() -> None:
    exercised = {code for case in broken_cases() for _, _, code, _ in expected_markers(case)} | {"CQ002"}
    # too-large and stars have their own tests; the YAML slips theirs in test_slips.py
    untested = set(CODES) - exercised - {"CQ028", "CQ029", "CQ033", "CQ034", "CQ035", "CQ036"}
    assert not untested, f"codes without a broken fixture: {sorted(untested)}"


def test_warnings_do_not_fail_validation() -> None:
    diagnostics = check(BROKEN / "bucket-mismatch.yaml")
    assert [d.code for d in diagnostics] == ["CQ021"]
    assert diagnostics[0].severity == "warning"
    assert not has_errors(diagnostics)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" + "x: " + "a" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    _, diagnostics = check_paths([big], [CONTENT])
    assert [(d.code, d.line) for d in diagnostics] == [("CQ002", 1)]
    assert "limit" in diagnostics[0].message


def test_sample_level_validates_with_a_small_handbook() -> None:
    catalog, diagnostics = check_paths([SAMPLE], [CONTENT])
    assert not has_errors(diagnostics), [d.format() for d in diagnostics]
    assert "sample-spouse" in catalog.levels
    assert diagnostics == []


def test_validate_keeps_loader_diagnostics_and_sorts_by_place() -> None:
    catalog, loaded = load_catalog([BROKEN / "wrong-type.yaml", BROKEN / "dangling-next.yaml"], [CONTENT])
    assert [d.code for d in loaded] == ["CQ004"]
    everything = validate(catalog, loaded)
    assert {d.code for d in everything} == {"CQ004", "CQ007"}
    assert everything == sorted(everything, key=lambda d: (d.file, d.line, d.column, d.code, d.message))


def test_requires_may_name_levels_known_elsewhere() -> None:
    level = BROKEN / "tier-order" / "novice.yaml"
    _, alone = check_paths([level], [CONTENT])
    assert [d.code for d in alone if d.severity == "error"] == ["CQ011"]
    _, in_context = check_paths([level], [CONTENT], known_levels={"broken-intermediate": "新手"})
    assert not has_errors(in_context)
    _, higher = check_paths([level], [CONTENT], known_levels={"broken-intermediate": "主管"})
    assert [d.code for d in higher] == ["CQ023"]


def test_counts_for_the_summary() -> None:
    catalog, _ = check_paths([SAMPLE, BROKEN / "valid-quiz.yaml"], [CONTENT])
    summary = counts(catalog)
    assert summary.levels == {"新手": 2, "中级": 0, "主管": 0}
    assert summary.questions == 3 + 2 + 1  # bank questions + the sample's inline two + valid-quiz's one
    assert summary.dialogue_nodes == 2 + 1
    assert (summary.rule_cards, summary.glossary_terms) == (3, 2)


def test_three_stars_out_of_reach_is_a_warning(tmp_path: Path) -> None:
    text = (BROKEN / "valid-base.yaml").read_text(encoding="utf-8").replace("score: 100}", "score: 70}")
    level = tmp_path / "stars.yaml"
    level.write_text(text, encoding="utf-8")
    _, diagnostics = check_paths([level], [CONTENT])
    # Best path: ending 70, 合规 100, good choice 100 -> 85 < 90 for three stars.
    assert [(d.code, d.severity, d.line) for d in diagnostics] == [("CQ029", "warning", 5)]
    assert "85" in diagnostics[0].message


def test_a_dialogue_too_large_to_explore_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from game import explore

    monkeypatch.setattr(explore, "MAX_STATES", 2)
    _, diagnostics = check_paths([BROKEN / "valid-base.yaml"], [CONTENT])
    assert [(d.code, d.severity) for d in diagnostics] == [("CQ028", "warning")]


EXPLORATION_CODES = {"CQ009", "CQ010", "CQ026", "CQ028", "CQ029", "CQ030"}


@pytest.mark.parametrize(
    "case", [p for p in broken_cases() if {m[2] for m in expected_markers(p)} & EXPLORATION_CODES], ids=lambda p: p.stem
)
def test_exploration_findings_come_from_playcheck_and_the_format_checks_agree_on_the_rest(case: Path) -> None:
    """game.validate is the format without the explorer; game.playcheck adds exactly the exploration codes."""
    from game import validate as format_checks

    files = sorted(case.rglob("*.yaml")) if case.is_dir() else [case]
    _, format_only = format_checks.check_paths(files, [CONTENT])
    _, everything = check_paths(files, [CONTENT])
    assert not {d.code for d in format_only} & EXPLORATION_CODES
    assert {d.code for d in everything} & EXPLORATION_CODES
    assert [d for d in everything if d.code not in EXPLORATION_CODES] == format_only
