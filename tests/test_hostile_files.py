"""Hostile files: a recursive YAML alias, a FIFO, a symlink to /dev/zero, an endless file. The
program reads only regular files, never more than a bound, and says which file and why."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hostile import make_env, record, run_cli, run_process

from game.loader import load_catalog
from game.safeio import FileTooLarge, NotRegularFile, read_bytes_bounded, read_text_bounded
from game.store.savestore import SaveStore

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


def test_recursive_yaml_alias_is_a_located_error_not_a_recursion_error(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    bad = Path(env["levels"]) / "alias.yaml"
    bad.write_text("id: alias-loop\nx: &x [1, *x]\n", encoding="utf-8")
    result = run_cli(env, "validate", str(bad))
    assert result.exit_code != 0
    assert f"{bad}:2:" in result.output and "CQ002" in result.output and "无限循环" in result.output
    catalog, diagnostics = load_catalog([Path(env["levels"])], [Path(env["content"])])
    assert set(catalog.levels) == {"sample-spouse", "st-loop"}  # the others still load
    assert [d.code for d in diagnostics] == ["CQ002"]


@pytest.mark.parametrize(
    "text",
    [
        "x: &x {a: *x}\n",
        "x: &x {<<: *x}\n",
        "x: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "x:\n" + "".join("  " * i + "- \n" for i in range(1, 300)),
    ],
    ids=["mapping", "merge", "flow-nesting", "block-nesting"],
)
def test_self_reference_and_deep_nesting_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    catalog, diagnostics = load_catalog([path], [])
    assert not catalog.levels and diagnostics and diagnostics[0].code in ("CQ001", "CQ002")


@posix_only
def test_read_bounded_refuses_fifos_and_devices_and_reads_at_most_limit_plus_one(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="管道"):
        read_bytes_bounded(fifo, 100)  # returns at once: no writer is waited for
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    with pytest.raises(NotRegularFile, match="设备"):
        read_bytes_bounded(zero, 100)
    with pytest.raises(NotRegularFile):
        read_bytes_bounded(tmp_path, 100)
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * 100)
    assert read_text_bounded(exact, 100) == "x" * 100
    exact.write_bytes(b"x" * 101)
    with pytest.raises(FileTooLarge):
        read_bytes_bounded(exact, 100)


@posix_only
def test_fifo_and_dev_zero_as_levels_do_not_hang_validate_or_the_commands(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    levels = Path(env["levels"])
    os.mkfifo(levels / "fifo.yaml")
    (levels / "zero.yaml").symlink_to("/dev/zero")
    for target in ("fifo.yaml", "zero.yaml"):
        done = run_process(env, "validate", str(levels / target), timeout=60, limit_memory=True)
        err = done.stdout.decode() + done.stderr.decode()
        assert done.returncode == 1 and "CQ001" in err and "不是普通文件" in err, err
        assert "Traceback" not in err
    done = run_process(env, "validate", timeout=120, limit_memory=True)  # the whole folder: skipped
    assert done.returncode in (0, 1) and b"Traceback" not in done.stderr, done.stderr.decode()
    assert "loaded 2 个关卡" in done.stdout.decode()
    done = run_process(env, "autoplay", "sample-spouse", "--policy", "best", timeout=60, limit_memory=True)
    assert done.returncode == 0, done.stderr.decode()


@posix_only
@pytest.mark.parametrize("name", ["profiles.json", "runs.jsonl", "leaderboard.json"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_fifo_and_dev_zero_as_save_files_do_not_hang(tmp_path: Path, name: str, kind: str) -> None:
    env = make_env(tmp_path)
    record(env, "甲")
    if name == "leaderboard.json":
        path = Path(env["board"])
    else:
        path = Path(env["saves"], name)
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    for args in (["leaderboard"], ["report"], ["verify"]):
        done = run_process(env, *args, timeout=60, limit_memory=True)
        err = done.stderr.decode()
        assert done.returncode in (0, 1), (args, err)
        assert "Traceback" not in err and "MemoryError" not in err
        assert "不是普通文件" in err or name == "runs.jsonl", (args, err)
    # Opening for play moves the odd file aside and starts afresh (the history brings players back).
    store = SaveStore(Path(env["saves"]), Path(env["board"]))
    assert any("不是普通文件" in p or "无法识别" in p for p in store.problems), store.problems
    assert [p.name for p in store.players()] == ["甲"] or name == "runs.jsonl"
    assert list(path.parent.glob(name + ".corrupt-*"))


def test_an_endless_line_in_the_history_is_skipped_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from game.store import history

    monkeypatch.setattr(history, "MAX_RUN_LINE", 1000)
    env = make_env(tmp_path)
    record(env, "甲")
    with open(Path(env["saves"], "runs.jsonl"), "a", encoding="utf-8") as handle:
        handle.write('{"run_id": "' + "x" * 5000 + '"}\n')
    record(env, "甲", level="st-loop")
    store = SaveStore(Path(env["saves"]), Path(env["board"]))
    assert [r.level_id for r in store.runs()] == ["sample-spouse", "st-loop"]
    assert store.unreadable_run_lines == [3]
