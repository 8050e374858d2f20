"""Names that hide or break, and locks held too long: an invisible name is refused, bytes that are
not UTF-8 on the command line get a clear message, a lock timeout says where the run is, a retry
counts the run once, and two processes creating the same new player lose no run."""

from __future__ import annotations

import json
import multiprocessing
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from hostile import history_lines, make_env, make_run, run_cli, run_process

from game.store import atomic, savestore
from game.store.errors import RunKept, StoreNotWritable
from game.store.records import clean_name
from game.store.savestore import SaveStore


@pytest.mark.parametrize("raw", ["\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", " \u3000\u200b ", "\u202e\u200b"])
def test_a_zero_width_only_name_is_refused_as_empty(tmp_path: Path, raw: str) -> None:
    with pytest.raises(ValueError, match="学员名字不能为空"):
        SaveStore(tmp_path / "s").create_player(raw, "一组")
    with pytest.raises(ValueError, match="团队名不能为空"):
        clean_name(raw, "团队名")
    env = make_env(tmp_path)
    result = run_cli(env, "autoplay", "sample-spouse", "--player", raw, "--policy", "best", "--record")
    assert result.exit_code == 2 and "学员名字不能为空" in result.stderr
    assert not Path(env["saves"], "runs.jsonl").exists()


def test_zero_width_characters_inside_a_name_are_dropped(tmp_path: Path) -> None:
    player = SaveStore(tmp_path / "s").create_player("王\u200b小\u2060明", "一\ufeff组")
    assert (player.name, player.team) == ("王小明", "一组")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX argv are bytes")
@pytest.mark.parametrize("option", ["--player", "--team"])
def test_invalid_utf8_on_the_command_line_gives_a_clear_message(tmp_path: Path, option: str) -> None:
    env = make_env(tmp_path)
    args: list[str | bytes] = ["autoplay", "sample-spouse", "--policy", "best", "--record", "--player", "甲"]
    args += [option, b"\xff\xfe\xe7"]
    done = run_process(env, *args)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 2, err
    assert "不是 UTF-8" in err and "Traceback" not in err and "codec" not in err
    assert not Path(env["saves"], "runs.jsonl").exists()


def _hold(path: Path) -> FileLock:
    lock = FileLock(str(path) + ".lock")
    lock.acquire()
    return lock


def test_a_profiles_lock_timeout_says_the_run_is_kept_and_a_retry_counts_it_once(tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    player = store.create_player("甲", "一组")
    store._profiles.lock.timeout = 0.2
    run = make_run(player, total=75)
    held = _hold(store.profiles_file)  # a stopped game holding the profiles
    try:
        with pytest.raises(RunKept) as caught:
            store.record_run(run)
    finally:
        held.release()
    message = str(caught.value)
    assert "已保存在运行记录" in message and str(store.runs_file) in message and "长时间占用" in message
    assert "不必重玩" in message
    store.record_run(run)  # the retry: brings bests and the board up to date, no extra attempt
    assert [r.run_id for r in store.runs()] == [run.run_id]
    assert store.bests(player.id)["lv-a"].attempts == 1
    assert [(e.score, e.attempts) for e in store.leaderboard(level_id="lv-a")] == [(75, 1)]


def test_a_board_lock_timeout_names_the_board_and_the_next_record_catches_up(tmp_path: Path) -> None:
    board = tmp_path / "shared" / "leaderboard.json"
    store = SaveStore(tmp_path / "saves", board)
    player = store.create_player("甲", "一组")
    store._board.lock.timeout = 0.2
    held = _hold(board)
    try:
        with pytest.raises(RunKept, match="已保存在本机的运行记录.*未能写入排行榜"):
            store.record_run(make_run(player, total=75))
    finally:
        held.release()
    assert store.bests(player.id)["lv-a"].attempts == 1  # bests were updated
    store.record_run(make_run(player, "lv-b", total=60))
    assert {e.level_id for e in [*store.leaderboard(level_id="lv-a"), *store.leaderboard(level_id="lv-b")]} == {
        "lv-a",
        "lv-b",
    }


def test_a_history_lock_timeout_says_the_run_was_not_saved(tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    player = store.create_player("甲", "一组")
    store._history.lock.timeout = 0.2
    held = _hold(store.runs_file)
    try:
        with pytest.raises(StoreNotWritable, match="本次成绩未能保存.*长时间占用"):
            store.record_run(make_run(player))
    finally:
        held.release()
    assert list(store.runs()) == []


def test_the_cli_says_what_happened_on_a_lock_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = make_env(tmp_path)
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT", 0.2)
    Path(env["board"]).parent.mkdir(parents=True)
    held = _hold(Path(env["board"]))
    try:
        result = run_cli(env, "autoplay", "sample-spouse", "--player", "甲", "--policy", "best", "--record")
    finally:
        held.release()
    assert result.exit_code == 0 and "注意:本次成绩已保存在本机的运行记录" in result.stderr
    assert len(history_lines(env)) == 2
    assert run_cli(env, "leaderboard", "--json", "--include-autoplay").stdout.strip() == "[]"
    result = run_cli(env, "autoplay", "st-loop", "--player", "甲", "--policy", "best", "--record")
    assert result.exit_code == 0 and not result.stderr
    rows = json.loads(run_cli(env, "leaderboard", "--json", "--include-autoplay").stdout)
    assert [(r["player"], r["attempts"]) for r in rows] == [("甲", 2)]  # the kept run was folded in


def _record_as(env: dict[str, str], name: str, start: object, looked: object, results: object) -> None:
    from tui.commands import records

    real_open_store = records.open_store

    def open_store_together(*args: object, **kwargs: object) -> object:
        # Every process has its store open and looks for the player at the same moment (after
        # its own level loading and play, which take different times), so the creation races.
        store = real_open_store(*args, **kwargs)  # type: ignore[arg-type]
        start.wait()  # type: ignore[attr-defined]
        return store

    records.open_store = open_store_together  # type: ignore[assignment]
    real_find = savestore.SaveStore.find_player

    def find_then_wait(self: SaveStore, *args: object, **kwargs: object) -> object:
        # The worst interleaving of a look-then-create: everyone has looked (and found no one)
        # before anyone creates. A single find-or-create transaction never calls this.
        found = real_find(self, *args, **kwargs)  # type: ignore[arg-type]
        looked.wait()  # type: ignore[attr-defined]
        return found

    savestore.SaveStore.find_player = find_then_wait  # type: ignore[assignment,method-assign]
    result = run_cli(
        env, "autoplay", "sample-spouse", "--player", name, "--team", "一组", "--policy", "best", "--record"
    )
    results.put((result.exit_code, result.output))  # type: ignore[attr-defined]


@pytest.mark.skipif(sys.platform == "win32", reason="fork start method")
def test_two_processes_creating_the_same_new_player_at_once_lose_no_run(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    context = multiprocessing.get_context("fork")
    workers = 6
    start, looked, results = context.Barrier(workers), context.Barrier(workers, timeout=30), context.Queue()
    processes = [
        context.Process(target=_record_as, args=(env, "新学员", start, looked, results)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert all(code == 0 for code, _ in outcomes), outcomes
    store = SaveStore(Path(env["saves"]), Path(env["board"]))
    assert [p.name for p in store.players()] == ["新学员"]
    runs = list(store.runs())
    assert len(runs) == workers and len({r.player_id for r in runs}) == 1
