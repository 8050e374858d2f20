"""Lazy imports stay correct: the app imports screens and the engine where they are used (for a
fast first screen), naming them at module level only under TYPE_CHECKING. A name imported only
there and then used at run time (a constructor call, an isinstance) type-checks and lints clean
but raises NameError when that code runs — this test finds such uses without running them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _typing_only_names(tree: ast.Module) -> set[str]:
    typing_only: set[str] = set()
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, (ast.Import, ast.ImportFrom)):
                    typing_only |= {a.asname or a.name.split(".")[0] for a in imp.names}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            top |= {a.asname or a.name.split(".")[0] for a in node.names}
    return typing_only - top


def _annotation_ids(function: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(function):
        annotations = []
        if isinstance(node, ast.arg) and node.annotation is not None:
            annotations.append(node.annotation)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            annotations.append(node.returns)
        if isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for annotation in annotations:
            ids |= {id(part) for part in ast.walk(annotation)}
    return ids


def _imported_in(function: ast.AST) -> set[str]:
    return {
        alias.asname or alias.name.split(".")[0]
        for node in ast.walk(function)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }


def runtime_uses_of_typing_only_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _typing_only_names(tree)
    found = []

    def visit(node: ast.AST, enclosing: set[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                check(child, enclosing)
            else:
                visit(child, enclosing)

    def check(function: ast.FunctionDef | ast.AsyncFunctionDef, enclosing: set[str]) -> None:
        local = enclosing | _imported_in(function)  # a nested function sees its enclosing imports
        annotations = _annotation_ids(function)
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Load)
                and node.id in typing_only
                and node.id not in local
                and id(node) not in annotations
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.id} in {function.name}()")
        visit(function, local)

    visit(tree, set())
    return found


def test_no_name_imported_for_typing_only_is_used_at_run_time() -> None:
    files = sorted((ROOT / "tui").rglob("*.py")) + sorted((ROOT / "game").rglob("*.py"))
    found = [use for path in files for use in runtime_uses_of_typing_only_names(path)]
    assert not found, "imported only under TYPE_CHECKING but used at run time:\n" + "\n".join(sorted(set(found)))


def test_the_check_finds_a_runtime_use(tmp_path: Path) -> None:
    sample = ROOT / "tests" / "_lazy_sample.py"
    sample.write_text(
        "from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from tui.screens.run import LevelRun\n"
        "def start(run: LevelRun) -> LevelRun:\n    return LevelRun(run)\n",
        encoding="utf-8",
    )
    try:
        assert runtime_uses_of_typing_only_names(sample) == ["tests/_lazy_sample.py:6 LevelRun in start()"]
    finally:
        sample.unlink()
