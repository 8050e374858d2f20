"""The exploration cache of `validate` (game/explore_cache.py) never changes a verdict: a stage
explored before gives exactly what exploring it again gives; a changed stage, a changed program
or a damaged cache file means exploring again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from game import explore, explore_cache, playcheck
from game.explore_cache import ExplorationCache
from game.loader import load_catalog
from game.models import DialogueStage
from tui.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
DEFECTS = FIXTURES / "defects"
CONTENT = FIXTURES / "content"


def check(level: Path, cache_dir: Path) -> tuple[list[str], ExplorationCache]:
    cache = ExplorationCache.open(cache_dir)
    _, diagnostics = playcheck.check_paths([level], [CONTENT], cache=cache)
    cache.save()
    return [f"{d.line}:{d.column}:{d.code}:{d.message}" for d in diagnostics], cache


def test_a_stage_rebuilt_from_the_cache_equals_its_exploration() -> None:
    catalog, _ = load_catalog(sorted(DEFECTS.glob("*.yaml")), [CONTENT])
    stages = [s for level in catalog.levels.values() for s in level.stages if isinstance(s, DialogueStage)]
    assert len(stages) >= 5
    for stage in stages:
        found = explore.explore_stage(stage, 0)
        rebuilt = explore_cache.from_json(json.loads(json.dumps(explore_cache.to_json(found))), stage)
        assert rebuilt == found


def test_an_unchanged_level_is_not_explored_again_and_gives_the_same_diagnostics(tmp_path: Path) -> None:
    level = tmp_path / "levels" / "level.yaml"
    level.parent.mkdir()
    shutil.copy(DEFECTS / "pass-unreachable.yaml", level)  # CQ010 comes from the explored witnesses
    first, cold = check(level.parent, tmp_path / "cache")
    second, warm = check(level.parent, tmp_path / "cache")
    assert (cold.hits, cold.misses) == (0, 1)
    assert (warm.hits, warm.misses) == (1, 0)
    assert second == first and any(":CQ010:" in d for d in first)


def test_a_changed_stage_is_explored_again(tmp_path: Path) -> None:
    level = tmp_path / "levels" / "level.yaml"
    level.parent.mkdir()
    shutil.copy(DEFECTS / "clean.yaml", level)
    before, _ = check(level.parent, tmp_path / "cache")
    assert not any(":CQ009:" in d for d in before)
    # Same file name, new content: the conversation now loops with no way to an ending.
    level.write_text((DEFECTS / "dead-end.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    after, cache = check(level.parent, tmp_path / "cache")
    assert cache.misses == 1
    assert any(":CQ009:" in d for d in after)


def test_a_changed_program_explores_everything_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    level = tmp_path / "levels" / "level.yaml"
    level.parent.mkdir()
    shutil.copy(DEFECTS / "dead-end.yaml", level)
    first, _ = check(level.parent, tmp_path / "cache")
    monkeypatch.setattr(explore_cache, "code_version", lambda: "another version of the engine")
    second, cache = check(level.parent, tmp_path / "cache")
    assert (cache.hits, cache.misses) == (0, 1)
    assert second == first


def test_a_damaged_or_tampered_cache_is_a_miss(tmp_path: Path) -> None:
    level = tmp_path / "levels" / "level.yaml"
    level.parent.mkdir()
    shutil.copy(DEFECTS / "dead-end.yaml", level)
    first, cache = check(level.parent, tmp_path / "cache")
    assert cache.path is not None
    data = json.loads(cache.path.read_text(encoding="utf-8"))
    for entry in data["entries"].values():
        entry["result"]["dead_end_nodes"] = "not a list"  # would hide CQ009 if it were believed
    cache.path.write_text(json.dumps(data), encoding="utf-8")
    tampered, cache = check(level.parent, tmp_path / "cache")
    assert (cache.hits, cache.misses) == (0, 1) and tampered == first
    cache.path.write_text("{not json", encoding="utf-8")
    damaged, cache = check(level.parent, tmp_path / "cache")
    assert (cache.hits, cache.misses) == (0, 1) and damaged == first


def test_validate_command_uses_the_cache_unless_told_not_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTQUEST_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "levels"
    folder.mkdir()
    shutil.copy(DEFECTS / "dead-end.yaml", folder / "level.yaml")
    args = ["--only-levels", str(folder), "--content", str(CONTENT), "validate", "--json"]
    runner = CliRunner()
    cold = runner.invoke(cli, args)
    assert (tmp_path / "cache" / explore_cache.CACHE_FILE).is_file()
    warm = runner.invoke(cli, args)
    uncached = runner.invoke(cli, [*args, "--no-cache"])
    assert cold.exit_code == warm.exit_code == uncached.exit_code == 1
    assert json.loads(cold.output) == json.loads(warm.output) == json.loads(uncached.output)
    assert any(e["code"] == "CQ009" for e in json.loads(warm.output)["errors"])
