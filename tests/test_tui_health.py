"""The app at its boundaries: unreadable saves and failing storage never stop the game."""

from __future__ import annotations

import subprocess
import sys
import threading

from conftest import choose, login, open_level, screen_text, type_text

from game.store import atomic
from game.store.errors import StorageProblem
from tui.screens.dialogs import ResumeDialog
from tui.screens.dialogue import DialogueScreen
from tui.screens.leaderboard import LeaderboardScreen
from tui.screens.map import MapScreen
from tui.screens.results import ResultsScreen


async def test_an_unreadable_save_is_dropped_with_a_message(make_app):
    app = make_app()
    player = app.store.create_player("王小明", "一组")
    app.store.save_progress(player.id, {"level": "t-audit", "seed": "not a number", "record": []})
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the existing player
        await pilot.pause()
        assert isinstance(app.screen, MapScreen) and not isinstance(app.screen, ResumeDialog)
        assert any("存档已损坏" in n.message for n in app._notifications)
    assert app.store.load_progress(player.id) is None


def failing(*args, **kwargs):
    raise StorageProblem("无法写入存档文件 /tmp/x/runs.jsonl：磁盘已满")


def messages(app) -> str:
    return "\n".join(n.message for n in app._notifications)


async def play_dialogue_to_the_end(pilot) -> None:
    await open_level(pilot, "t-dialogue")
    await choose(pilot, 0)
    await choose(pilot, 0)
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_run_storage_refuses_stays_in_memory_and_can_be_saved_again(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        with monkeypatch.context() as patch:
            patch.setattr(app.store, "record_run", failing)
            await play_dialogue_to_the_end(pilot)
            assert isinstance(app.screen, ResultsScreen)
            assert "成绩未能保存" in screen_text(app) and "磁盘已满" in messages(app)
            assert app.screen.check_action("retry_save", ())
            await pilot.press("s")  # storage still refuses: told again, nothing lost
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running and len(app.unsaved_runs) == 1
        assert list(app.store.runs()) == []
        await pilot.press("s")  # 重试保存, storage works again
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "成绩已保存" in messages(app)
        assert "成绩未能保存" not in screen_text(app)
        assert not app.screen.check_action("retry_save", ()) and not app.unsaved_runs
    runs = list(app.store.runs())
    assert [(r.level_id, r.passed) for r in runs] == [("t-dialogue", True)]


async def test_a_retry_after_the_history_append_does_not_count_the_run_twice(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        real = app.store.record_run

        def append_then_fail(record):
            real(record)
            raise StorageProblem("写入后无法更新最佳成绩")

        with monkeypatch.context() as patch:
            patch.setattr(app.store, "record_run", append_then_fail)
            await play_dialogue_to_the_end(pilot)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "成绩已保存" in messages(app)
    assert len(list(app.store.runs())) == 1


async def test_play_goes_on_in_memory_when_progress_cannot_be_saved(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        monkeypatch.setattr(app.store, "save_progress", failing)
        await open_level(pilot, "t-dialogue")
        assert isinstance(app.screen, DialogueScreen)
        await choose(pilot, 0)
        await choose(pilot, 0)
        assert "本关进度先保留在内存中" in messages(app)
        assert messages(app).count("进度暂时无法写入存档") == 1  # said once, not on every step
        assert app.progress_unsaved and app.current_run is not None
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
    assert len(list(app.store.runs())) == 1


async def test_an_unreadable_leaderboard_is_told_on_the_board(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        monkeypatch.setattr(app.store, "leaderboard", failing)
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LeaderboardScreen)
        assert "排行榜暂时无法读取" in messages(app)
        assert "排行榜暂时无法读取，请稍后再试" in screen_text(app)  # on the board, not only a toast
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)


async def test_a_storage_failure_elsewhere_is_told_and_the_game_goes_on(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        monkeypatch.setattr(app.store, "clear_progress", failing)
        await pilot.press("escape", "x")  # abandon: storage refuses to drop the save
        await pilot.pause()
        assert app.is_running and "存档操作失败" in messages(app)
        assert isinstance(app.screen, DialogueScreen)  # still in the level, nothing lost
        monkeypatch.undo()
        await pilot.press("escape", "x")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
    assert app.store.load_progress(app.player.id) is None


async def test_the_palette_lists_each_command_once_and_reads_storage_once(make_app, monkeypatch):
    from textual.command import CommandList

    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        calls = []
        real = app.store.bests
        monkeypatch.setattr(app.store, "bests", lambda player_id: calls.append(player_id) or real(player_id))
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        listed = app.screen.query_one(CommandList)
        texts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert sum("排行榜" in t for t in texts) == 1 and sum(t.startswith("手册") for t in texts) == 1
        opened = len(calls)
        assert opened <= 1
        await type_text(pilot, "首通电话")
        await pilot.pause(0.3)
        assert len(calls) == opened  # no storage read per keystroke
        texts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert any("首通电话" in t for t in texts)


async def test_the_palette_offers_no_handbook_during_an_assessment_question(make_app):
    from textual.command import CommandList

    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        await pilot.press("m")  # assessment
        await open_level(pilot, "t-quiz")
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        listed = app.screen.query_one(CommandList)
        texts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert texts and not any("手册" in t for t in texts) and any("排行榜" in t for t in texts)


class _StoppedHolder:
    """Another game, stopped while it holds the profiles lock (the file progress is saved in):
    a real second process, since a lock is only exclusive between open files."""

    def __init__(self, path) -> None:
        code = (
            "import sys; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
            "print('held', flush=True); sys.stdin.readline()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(path) + ".lock"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "held"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _hold_profiles(app) -> _StoppedHolder:
    return _StoppedHolder(app.store.profiles_file)


async def _until(pilot, condition, tries: int = 200) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def test_a_lock_held_elsewhere_does_not_hold_up_play_and_the_newest_progress_lands(make_app, monkeypatch):
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT", 20.0)  # longer than the test holds the lock
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        before = app.store.load_progress(app.player.id)

        def on_disk():  # read past the lock, as a look at the file would
            import json

            rows = json.loads(app.store.profiles_file.read_text("utf-8")).get("progress", {}).values()
            return next(row["snapshot"] for row in rows if row["player_id"] == app.player.id)

        app.progress_saver.wait = 0.05
        held = _hold_profiles(app)
        try:
            await choose(pilot, 0)
            await choose(pilot, 0)
            # Both moves were played while the lock was held: the store still has the old save,
            # and the game reads the newest one from memory.
            assert on_disk() == before
            newest = app.current_run.progress().to_dict()
            assert app.saved_progress() is not None
            assert app.progress_saver.pending(app.player.id) == (True, newest)
            assert "进度暂时无法写入存档" not in messages(app)
        finally:
            held.release()
        await _until(pilot, lambda: not app.progress_saver.pending(app.player.id)[0])
        assert app.store.load_progress(app.player.id) == newest  # the newest, not an older one
        assert not app.progress_unsaved


async def test_a_background_save_that_times_out_is_told_and_the_next_move_saves(make_app, monkeypatch):
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT", 0.5)  # the store's locks are built with it
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        app.progress_saver.wait = 0.05
        held = _hold_profiles(app)
        try:
            await choose(pilot, 0)
            await _until(pilot, lambda: app.progress_unsaved)
            assert "本关进度先保留在内存中" in messages(app)
            assert isinstance(app.screen, DialogueScreen) and app.current_run is not None
        finally:
            held.release()
        await choose(pilot, 0)
        await _until(pilot, lambda: not app.progress_unsaved)
        assert app.store.load_progress(app.player.id) == app.current_run.progress().to_dict()


async def test_abandoning_while_a_save_waits_leaves_no_stale_progress(make_app, monkeypatch):
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT", 20.0)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        app.progress_saver.wait = 0.05
        held = _hold_profiles(app)
        try:
            await choose(pilot, 0)
            await pilot.press("escape")
            assert app.progress_saver.pending(app.player.id)[0]  # the move's save still waits
            # The map reads stars from the store: let the stopped holder go a moment after 弃关.
            threading.Timer(1.0, held.release).start()
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, MapScreen)
            assert app.saved_progress() is None  # the clear is queued after the save
        finally:
            held.release()
        await _until(pilot, lambda: not app.progress_saver.pending(app.player.id)[0])
    assert app.store.load_progress(app.player.id) is None
