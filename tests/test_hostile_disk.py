"""A full disk and a read-only shared folder: recording, viewing and creating a player give a clear
Chinese message (no OSError traceback) and lose nothing; viewing never writes. Simulated with
monkeypatch everywhere, and for real on a 64 KiB tmpfs and a read-only bind mount where the test
may mount (root on Linux)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import screen_text, type_text
from hostile import history_lines, make_env, make_run, read_board, record, run_cli

from game.store import atomic
from game.store.errors import RunKept, StorageProblem, StoreNotWritable
from game.store.savestore import SaveStore
from tui.screens.start import StartScreen


def enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def snapshot_tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


# --------------------------------------------------------------------------------------------
# Simulated: monkeypatch
# --------------------------------------------------------------------------------------------


def test_disk_full_while_appending_keeps_the_history_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SaveStore(tmp_path / "saves")
    player = store.create_player("甲", "一组")
    store.record_run(make_run(player, total=60))
    before = store.runs_file.read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:  # the disk fills in the middle of the line
        monkeypatch.setattr(os, "write", enospc)
        return real_write(fd, data[: len(data) // 2])

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(StoreNotWritable, match="本次成绩未能保存.*磁盘空间已满"):
        store.record_run(make_run(player, total=90))
    monkeypatch.undo()
    assert store.runs_file.read_bytes() == before  # no half line left behind
    assert store.bests(player.id)["lv-a"].score == 60


def test_disk_full_after_the_append_says_the_run_is_kept_and_a_retry_counts_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SaveStore(tmp_path / "saves")
    player = store.create_player("甲", "一组")
    run = make_run(player, total=80)
    monkeypatch.setattr(atomic, "atomic_write_text", enospc)
    with pytest.raises(RunKept, match="已保存在运行记录") as caught:
        store.record_run(run)
    assert str(store.runs_file) in str(caught.value) and "磁盘空间已满" in str(caught.value)
    monkeypatch.undo()
    store.record_run(run)  # the retry the message invites (or a program that retries anyway)
    store.record_run(run)
    assert [r.run_id for r in store.runs()] == [run.run_id]
    assert store.bests(player.id)["lv-a"].attempts == 1
    (entry,) = store.leaderboard(level_id="lv-a")
    assert entry.score == 80 and entry.attempts == 1


def test_cli_record_on_a_full_disk_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(tmp_path)
    record(env, "甲")
    monkeypatch.setattr(os, "write", enospc)
    monkeypatch.setattr(atomic, "atomic_write_text", enospc)
    result = run_cli(env, "autoplay", "sample-spouse", "--player", "甲", "--policy", "best", "--record")
    assert result.exit_code == 2
    assert "错误:本次成绩未能保存" in result.stderr and "磁盘空间已满" in result.stderr
    new = run_cli(env, "autoplay", "sample-spouse", "--player", "新人", "--policy", "best", "--record")
    assert new.exit_code == 2 and "磁盘空间已满" in new.stderr  # creating the player fails cleanly too
    for command in ("leaderboard", "report", "verify"):  # viewing works on a full disk
        assert run_cli(env, command).exit_code == 0, command


def test_viewing_commands_do_not_write_anything(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    saves = Path(env["saves"])
    for command in ("leaderboard", "report", "verify"):
        assert run_cli(env, command).exit_code == 0
    assert not saves.exists() and not Path(env["board"]).parent.exists()  # not even the folders
    record(env, "甲")
    for lock in [*saves.glob("*.lock"), *Path(env["board"]).parent.glob("*.lock")]:
        lock.unlink()
    before = snapshot_tree(tmp_path)
    for command in ("leaderboard", "report", "verify"):
        assert run_cli(env, command).exit_code == 0
    assert snapshot_tree(tmp_path) == before  # no lock file, no store id, no rewrite


async def test_creating_a_player_in_the_tui_on_a_full_disk_says_so(
    make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(atomic, "atomic_write_text", enospc)
        await type_text(pilot, "王小明")
        await pilot.press("enter")
        await type_text(pilot, "一组")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        shown = str(app.screen.query_one("#form-error").render())
        assert "✗ 无法写入" in shown and "磁盘空间已满" in shown and "磁盘" in screen_text(app)
        monkeypatch.undo()
        await pilot.press("enter", "enter")  # space freed: the same form (name, team) goes through
        await pilot.pause()
        assert not isinstance(app.screen, StartScreen)
        assert [p.name for p in app.store.players()] == ["王小明"]


def test_opening_the_game_on_a_full_disk_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saves = tmp_path / "saves"
    store = SaveStore(saves)
    player = store.create_player("甲", "一组")
    store.record_run(make_run(player, total=70))
    profiles = json.loads((saves / "profiles.json").read_text(encoding="utf-8"))
    profiles["_meta"]["1"].pop("applied")  # as if killed after the append: opening wants to catch up
    profiles["bests"] = {}
    (saves / "profiles.json").write_text(json.dumps(profiles, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(atomic, "atomic_write_text", enospc)
    reopened = SaveStore(saves)
    assert any("磁盘空间已满" in p and "自动补上" in p for p in reopened.problems), reopened.problems
    assert [p.name for p in reopened.players()] == ["甲"]
    monkeypatch.undo()
    assert SaveStore(saves).bests(player.id)["lv-a"].attempts == 1  # caught up once there is room


# --------------------------------------------------------------------------------------------
# Real: a 64 KiB tmpfs and a read-only bind mount
# --------------------------------------------------------------------------------------------


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.decode().strip()}")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "tiny"
    where.mkdir()
    _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where))
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"x" * 1024)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_a_really_full_disk(tmp_path: Path, tiny_disk: Path) -> None:
    env = make_env(tmp_path)
    env["saves"] = str(tiny_disk / "saves")
    env["board"] = str(tiny_disk / "leaderboard.json")
    record(env, "甲")
    _fill(tiny_disk)
    history = history_lines(env)
    board = read_board(env)
    result = run_cli(env, "autoplay", "st-loop", "--player", "甲", "--policy", "best", "--record")
    assert result.exit_code in (0, 2) and "磁盘空间已满" in result.stderr, result.output
    assert "Traceback" not in result.output
    new = run_cli(env, "autoplay", "st-loop", "--player", "新人", "--policy", "best", "--record")
    assert new.exit_code in (0, 2) and "磁盘空间已满" in new.stderr
    for command in ("leaderboard", "report", "verify"):
        viewed = run_cli(env, command)
        assert viewed.exit_code in (0, 1) and "Traceback" not in viewed.output, command
    assert history_lines(env)[: len(history)] == history  # nothing lost
    assert read_board(env)["levels"].keys() == board["levels"].keys()
    (tiny_disk / "filler").unlink()
    record(env, "甲", level="st-loop")
    assert run_cli(env, "verify").exit_code == 0


@pytest.fixture
def read_only_share(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(the folder as everyone sees it, read-only; the writable folder behind it)."""
    source, share = tmp_path / "share-source", tmp_path / "shared"
    source.mkdir()
    share.mkdir()
    _mount("--bind", str(source), str(share))
    try:
        _mount("-o", "remount,bind,ro", str(share))
        yield share, source
    finally:
        subprocess.run(["umount", "-l", str(share)], check=False)


def test_a_read_only_shared_board(tmp_path: Path, read_only_share: tuple[Path, Path]) -> None:
    share, source = read_only_share
    env = make_env(tmp_path)
    writer = dict(env, board=str(source / "leaderboard.json"))  # the lead, who may write the share
    record(writer, "甲")
    assert Path(env["board"]).is_file()
    rows = json.loads(run_cli(env, "leaderboard", "--json", "--include-autoplay").stdout)
    assert [r["player"] for r in rows] == ["甲"]  # viewing works
    result = run_cli(env, "autoplay", "st-loop", "--player", "甲", "--policy", "best", "--record")
    assert result.exit_code == 0, result.output
    assert "已保存在本机的运行记录" in result.stderr and env["board"] in result.stderr
    assert "未能写入排行榜" in result.stderr and "Traceback" not in result.output
    assert len(history_lines(env)) == 3  # header + both runs
    store = SaveStore(Path(env["saves"]), Path(env["board"]))  # the game opens on a read-only board
    assert store.players()
    subprocess.run(["umount", "-l", str(share)], check=True)  # the share becomes writable
    subprocess.run(["mount", "--bind", str(source), str(share)], check=True)
    record(env, "甲", level="sample-spouse", policy="worst")  # the next record folds the kept run in
    levels = read_board(env)["levels"]
    assert set(levels) == {"sample-spouse", "st-loop"}
    assert run_cli(env, "verify").exit_code == 0


def test_a_read_only_saves_folder_can_be_viewed(tmp_path: Path, read_only_share: tuple[Path, Path]) -> None:
    share, source = read_only_share
    env = make_env(tmp_path)
    record(dict(env, saves=str(source), board=str(source / "leaderboard.json")), "甲")
    viewer = dict(env, saves=str(share), board=str(share / "leaderboard.json"))
    for command in ("leaderboard", "report", "verify"):
        result = run_cli(viewer, command)
        assert result.exit_code == 0, (command, result.output)
    result = run_cli(viewer, "autoplay", "st-loop", "--player", "甲", "--policy", "best", "--record")
    assert result.exit_code == 2 and "错误:" in result.stderr and "Traceback" not in result.output
    with pytest.raises(StorageProblem):
        SaveStore(share).create_player("乙", "一组")
