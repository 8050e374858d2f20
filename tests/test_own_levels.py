"""A trainer's own levels beside the shipped ones: --levels / COLLECTQUEST_LEVELS add, --only-levels
replaces, id clashes are named, new-level writes into the trainer's folder and prints next steps
that work as printed, and `play LEVEL` previews a level without unlocking or recording."""

from __future__ import annotations

import json
import os
import shlex
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from game import loader, paths
from game.autoplay import autoplay
from game.catalog import Catalog
from game.store.savestore import SaveStore
from tui.cli import cli

SHIPPED_LEVEL = "n01-identity-disclosure"
FIXTURES = Path(__file__).parent / "fixtures"
TUI_LEVELS = [FIXTURES / "levels" / "sample.yaml", FIXTURES / "tui" / "levels"]
TUI_CONTENT = [FIXTURES / "tui" / "content"]


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def new_level(folder: Path, level_id: str, *before: str) -> Result:
    result = run(*before, "--levels", str(folder), "new-level", "--tier", "新手", "--id", level_id)
    assert result.exit_code == 0, result.output
    return result


def listed(*options: str, env: dict[str, str] | None = None) -> dict[str, bool]:
    result = run(*options, "levels", "--json", env=env)
    assert result.exit_code == 0, result.output
    return {lv["id"]: lv["shipped"] for lv in json.loads(result.output)["levels"]}


@pytest.fixture(autouse=True)
def no_default_trainer_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default trainer folder points into the test's tmp folder, never the real one."""
    folder = tmp_path / "default-trainer-levels"
    monkeypatch.setattr(paths, "DEFAULT_TRAINER_LEVELS_DIR", folder)
    monkeypatch.setattr(loader, "DEFAULT_TRAINER_LEVELS_DIR", folder)
    for name in ("COLLECTQUEST_LEVELS", "COLLECTQUEST_LEVELS_ONLY"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_levels_option_adds_to_the_shipped_curriculum(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    new_level(mine, "my-n01-callback")
    levels = listed("--levels", str(mine))
    assert levels["my-n01-callback"] is False
    assert levels[SHIPPED_LEVEL] is True
    assert len(levels) == len(listed()) + 1


def test_environment_variable_takes_several_folders(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    new_level(first, "my-a")
    new_level(second, "my-b")
    levels = listed(env={"COLLECTQUEST_LEVELS": os.pathsep.join([str(first), str(second)])})
    assert {"my-a", "my-b", SHIPPED_LEVEL} <= set(levels)


def test_only_levels_replaces_the_shipped_curriculum(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    new_level(mine, "my-only")
    assert listed("--only-levels", str(mine)) == {"my-only": False}
    assert listed(env={"COLLECTQUEST_LEVELS_ONLY": str(mine)}) == {"my-only": False}


def test_an_id_clash_with_a_shipped_level_is_named_and_the_shipped_level_stays(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    new_level(mine, "my-clash")
    made = mine / "novice" / "my-clash.yaml"
    made.write_text(made.read_text(encoding="utf-8").replace("id: my-clash", f"id: {SHIPPED_LEVEL}"), "utf-8")
    result = run("--levels", str(mine), "validate")
    assert result.exit_code == 1
    assert f"关卡 id“{SHIPPED_LEVEL}”已被随游戏提供的关卡使用（novice/{SHIPPED_LEVEL}.yaml）" in result.output
    assert "换一个 id" in result.output and "my-clash.yaml" in result.output
    catalog, _ = loader.load_catalog(loader.level_folders([mine]))
    assert loader.is_shipped(catalog.level_files[SHIPPED_LEVEL])
    assert made in catalog.unavailable


def test_new_level_without_a_folder_goes_to_the_trainer_folder(no_default_trainer_folder: Path) -> None:
    result = run("new-level", "--tier", "新手", "--id", "my-default")
    assert result.exit_code == 0, result.output
    assert (no_default_trainer_folder / "novice" / "my-default.yaml").is_file()
    assert not list(loader.DEFAULT_LEVELS_DIR.rglob("my-default.yaml"))
    assert "my-default" in listed()  # the default trainer folder is always read


@pytest.mark.parametrize("options", [["--levels", "{dir}"], [], ["--levels", "{dir}", "--content", "{content}"]])
def test_new_levels_next_steps_work_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    given = [o.format(dir="my levels", content=str(loader.DEFAULT_CONTENT_DIR)) for o in options]
    result = run(*given, "new-level", "--tier", "中级", "--id", "my-i01-dispute")
    assert result.exit_code == 0, result.output
    printed = [line.strip() for line in result.output.splitlines() if line.strip().startswith("collectquest ")]
    assert len(printed) == 3, result.output
    previews: list[dict[str, Any]] = []
    monkeypatch.setattr("tui.app.run_app", lambda **kwargs: previews.append(kwargs))
    for line in printed:
        words = shlex.split(line, comments=True)
        assert words[0] == "collectquest"
        outcome = run(*words[1:])
        assert outcome.exit_code == 0, f"{line}\n{outcome.output}"
    assert previews and previews[0]["preview"] == "my-i01-dispute"


async def test_preview_opens_a_locked_level_and_records_nothing(tmp_path: Path) -> None:
    from tui.app import CollectQuestApp
    from tui.screens.briefing import BriefingScreen
    from tui.screens.run import LevelRun

    store = SaveStore(tmp_path / "saves")
    app = CollectQuestApp(store, TUI_LEVELS, TUI_CONTENT, preview="t-exam")
    async with app.run_test() as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, BriefingScreen) and app.screen.is_mounted:
                break
        await pilot.pause(0.2)
        assert isinstance(app.screen, BriefingScreen), app.screen
        assert app.screen.level.id == "t-exam"  # locked: it requires four levels nobody passed
        catalog = app.catalog
        assert isinstance(catalog, Catalog) and app.player is not None
        session = autoplay(catalog.levels["t-exam"], catalog, "best", 0, mode="assessment")
        app.current_run = LevelRun(session, app.player, datetime(2026, 3, 1, 9), catalog)
        app._finish_run()
        for _ in range(10):
            await pilot.pause(0.05)
    assert list(store.runs()) == []
    assert store.leaderboard(None) == []
