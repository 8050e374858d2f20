"""A run never lost: with the PostgreSQL server stopped, a finished run waits in a local outbox
file (with a note for the trainee) and is sent when the server is back."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_store_contract import make_run

from game.store import open_store


@pytest.fixture
def own_server():
    """A server of this test's own, since the test stops it (the session server stays up)."""
    from pgserver import PgServer, missing_reason

    reason = missing_reason()
    if reason:
        print(f"\nSKIP outbox test: {reason}")
        pytest.skip(reason)
    server = PgServer().init()
    server.start()
    yield server
    server.destroy()


def test_runs_wait_in_the_outbox_while_the_server_is_down(own_server, tmp_path: Path) -> None:
    url = own_server.new_database()
    store = open_store(url, outbox_dir=tmp_path)
    p = store.create_player("王小明", "一组")
    store.record_run(make_run(p, "lv-a", 50, n=1))
    assert store.bests(p.id)["lv-a"].score == 50

    own_server.stop()
    store.save_progress(p.id, {"level": "lv-a"})  # the level goes on, unsaved
    offline = [make_run(p, "lv-a", 80, n=2, wrong=["q1"]), make_run(p, "lv-b", 70, n=3)]
    for run in offline:
        store.record_run(run)
    assert store.pending_runs() == 2
    assert store.outbox_file.parent == tmp_path and store.outbox_file.exists()
    assert any("已保存在本机" in note for note in store.problems)
    bests = store.bests(p.id)  # the results screen still shows the new bests
    assert (bests["lv-a"].score, bests["lv-a"].attempts, bests["lv-b"].score) == (80, 2, 70)

    own_server.start()
    # Another game process (a new tab, or the next start) finds the outbox and sends it.
    again = open_store(url, outbox_dir=tmp_path)
    assert again.pending_runs() == 0 and not store.outbox_file.exists()
    assert any("已把暂存在本机的 2 条成绩上传" in note for note in again.problems)
    assert [r.run_id for r in again.runs()] == [make_run(p, "lv-a", 50, n=1).run_id] + [r.run_id for r in offline]
    assert again.bests(p.id)["lv-a"].attempts == 2
    assert again.wrong_questions(p.id) == ["q1"]

    # The first process reconnects by itself on its next run; nothing is counted twice.
    store.record_run(make_run(p, "lv-a", 90, n=4))
    assert store.pending_runs() == 0
    assert [e.score for e in store.leaderboard()] == [160]
    assert store.bests(p.id)["lv-a"].attempts == 3


async def test_the_game_says_a_run_was_kept_locally(own_server, tmp_path: Path, tui_catalog, clock) -> None:
    from conftest import TUI_CONTENT, TUI_LEVELS, FakeNow, choose, login, open_level

    from tui.app import CollectQuestApp
    from tui.screens.results import ResultsScreen

    url = own_server.new_database()
    store = open_store(url, outbox_dir=tmp_path)
    app = CollectQuestApp(store, TUI_LEVELS, TUI_CONTENT, catalog=tui_catalog, clock=clock, now=FakeNow())
    app.animation_level = "none"
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await open_level(pilot, "t-dialogue")
        await choose(pilot, 0)
        own_server.stop()  # the server goes away in the middle of the level
        await choose(pilot, 0)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)  # the trainee still sees the results
        notes = [n.message for n in app._notifications]
        assert any("本次成绩已保存在本机（1 条待上传）" in n for n in notes), notes
    assert store.pending_runs() == 1
    own_server.start()
    back = open_store(url, outbox_dir=tmp_path)
    [run] = list(back.runs())
    assert (run.level_id, run.total, run.passed) == ("t-dialogue", 100, True)


def test_the_review_book_goes_on_while_the_server_is_down(own_server, tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    from game.mistakes import Mistake, answered

    url = own_server.new_database()
    store = open_store(url, outbox_dir=tmp_path)
    p = store.create_player("王小明", "一组")
    now = datetime.fromisoformat("2026-03-04T15:00:00+08:00")
    store.learning.add_mistakes(p.id, [Mistake("quiz:q1", "quiz", "lv-a", "r1", question="q1")], now)
    store.learning.save_placement(p.id, {"opened": ["中级"]})
    [card] = store.learning.cards(p.id)
    assert store.learning.opened_tiers(p.id) == frozenset({"中级"})

    own_server.stop()
    assert store.learning.cards(p.id) == [card]  # what was last read, with a note
    assert store.learning.opened_tiers(p.id) == frozenset({"中级"})
    assert any("错题本显示的是上次读取的内容" in note for note in store.problems)
    reviewed = answered(card, True, now + timedelta(days=1))
    store.learning.save_card(reviewed)  # the drill goes on; the result waits in memory
    assert store.learning.cards(p.id) == [reviewed]

    own_server.start()
    assert store.learning.cards(p.id) == [reviewed]  # sent with the next read
    assert open_store(url, outbox_dir=tmp_path).learning.cards(p.id) == [reviewed]
