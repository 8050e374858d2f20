"""The architecture contracts in pyproject.toml hold, and they fail when broken."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root)},
    )


def copy_project(tmp_path: Path) -> Path:
    for name in ("game", "tui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_engine_module_importing_textual_breaks_a_contract(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    cues = root / "game" / "cues.py"
    cues.write_text(cues.read_text(encoding="utf-8") + "\nimport textual  # noqa\n", encoding="utf-8")
    done = lint(root)
    assert done.returncode != 0 and "game.cues -> textual" in done.stdout


def test_validation_importing_storage_breaks_a_contract(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    validate = root / "game" / "validate.py"
    validate.write_text(
        validate.read_text(encoding="utf-8") + "\nfrom .store import savestore  # noqa\n", encoding="utf-8"
    )
    done = lint(root)
    assert done.returncode != 0 and "game.validate is not allowed to import game.store" in done.stdout


def test_validation_importing_the_explorer_breaks_a_contract(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    validate = root / "game" / "validate.py"
    validate.write_text(validate.read_text(encoding="utf-8") + "\nfrom . import explore  # noqa\n", encoding="utf-8")
    done = lint(root)
    assert done.returncode != 0 and "game.validate is not allowed to import game.explore" in done.stdout


def test_loading_importing_the_exploration_cache_breaks_a_contract(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    loader = root / "game" / "loader.py"
    loader.write_text(loader.read_text(encoding="utf-8") + "\nfrom . import explore_cache  # noqa\n", encoding="utf-8")
    done = lint(root)
    assert done.returncode != 0 and "game.loader is not allowed to import game.explore" in done.stdout
