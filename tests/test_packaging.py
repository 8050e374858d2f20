"""`pip install .` gives a game that plays from any folder: the wheel carries the shipped levels
and handbook, and an installed game finds them without the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from game import paths

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_every_level_and_handbook_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("collectquest-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"collectquest_levels/{p.relative_to(ROOT / 'levels').as_posix()}" for p in (ROOT / "levels").rglob("*.yaml")
    }
    shipped |= {
        f"collectquest_content/{p.relative_to(ROOT / 'content').as_posix()}" for p in (ROOT / "content").rglob("*.yaml")
    }
    assert len(shipped) >= 20 and shipped <= names, sorted(shipped - names)
    assert "tui/screens/quiz.tcss" in names


def test_an_installed_game_reads_the_data_packages(tmp_path: Path, monkeypatch) -> None:
    # No levels/ beside the code (as in site-packages): the data package is used instead.
    package = tmp_path / "collectquest_levels"
    (package / "novice").mkdir(parents=True)
    monkeypatch.setattr(paths, "ROOT", tmp_path / "site-packages")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert paths._shipped("levels", "collectquest_levels") == package
