"""The engine (`game/`) never imports textual or rich: trainers' tools and tests load levels
without the UI, and the TUI stays a thin layer over the engine (after Harlequin's test)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_PACKAGES = ("textual", "rich")

LOAD_EVERYTHING = """
import sys
import game
from game import audit, conditions, dialogue, explore, graph, loader, progression, quiz, scoring, session
from game import playcheck, templates, validate
from game.explore_cache import ExplorationCache
from game.loader import load_catalog
from game.models import DialogueStage
catalog, diagnostics = load_catalog()
cache = ExplorationCache.open()  # the test session's cache: stages explored by earlier tests are not again
playcheck.validate(catalog, diagnostics, cache=cache)
cache.save()
for level in catalog.levels.values():
    explored = {i: cache.explore_stage(s, i) for i, s in enumerate(level.stages) if isinstance(s, DialogueStage)}
    explore.playtest(level, catalog, explored=explored)
    graph.render(level, "mermaid")
leaked = sorted(name for name in sys.modules if name.split(".")[0] in ("textual", "rich"))
assert not leaked, leaked
print(len(catalog.levels))
"""


def test_loading_and_checking_every_level_imports_no_ui() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOAD_EVERYTHING], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 1  # the shipped levels were really loaded


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("__import__", "import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


def test_no_engine_source_imports_textual_or_rich() -> None:
    sources = sorted((ROOT / "game").rglob("*.py"))
    assert len(sources) >= 10
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] in UI_PACKAGES)
        for path in sources
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_the_scanner_would_notice_a_ui_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("import os\nfrom rich.text import Text\nimportlib.import_module('textual.app')\n")
    assert {"rich.text", "textual.app"} <= imported_modules(sneaky)
