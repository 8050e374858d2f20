"""One contract, two backends: every test here runs on the embedded saves folder and on a real
PostgreSQL server (tests/pgserver.py; skipped with a printed reason where it is missing)."""

from __future__ import annotations

import json
import multiprocessing
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from game.catalog import Catalog
from game.progression import BestResult
from game.runs import verify_store
from game.store import EmbeddedStore, Store, open_store
from game.store.errors import StorageProblem
from game.store.records import RunRecord

OpenStore = Callable[..., Store]
Clock = Callable[[], datetime]


def make_run(
    player,
    level_id="lv-a",
    total=70,
    *,
    mode="assessment",
    autoplay=False,
    wrong=(),
    finished="2026-03-02T10:00:00+08:00",
    n=0,
    as_trainee=False,
) -> RunRecord:
    passed = total >= 60
    return RunRecord(
        run_id=f"{player.id}-{level_id}-{n}-{total}-{finished}-{mode}-{autoplay}",
        player_id=player.id,
        player=player.name,
        team=player.team,
        level_id=level_id,
        mode=mode,
        seed=n,
        started="2026-03-02T09:58:00+08:00",
        finished=finished,
        duration=120.0,
        inputs=[{"kind": "dialogue", "choices": [0, n % 3]}],
        total=total,
        passed=passed,
        stars=3 if total >= 90 else (1 if passed else 0),
        dimensions={"合规": 100, "沟通": total},
        violations=[],
        wrong_questions=list(wrong),
        autoplay=autoplay,
        as_trainee=as_trainee,
    )


@pytest.fixture(params=["embedded", "postgres"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    """Opens (again) the same store: a saves folder, or a fresh database on the session server."""
    if request.param == "embedded":
        location = str(tmp_path / "saves")
    else:
        location = request.getfixturevalue("pg_server").new_database()
    opened: list[Store] = []

    def open_again(clock: Clock | None = None) -> Store:
        store = open_store(location, outbox_dir=tmp_path / "outbox", clock=clock)
        opened.append(store)
        return store

    yield open_again
    for store in opened:
        store.close()


@pytest.fixture
def store(reopen: OpenStore) -> Store:
    return reopen()


# --- players -------------------------------------------------------------------------------


def test_players_are_created_found_and_kept_in_creation_order(reopen: OpenStore) -> None:
    store = reopen()
    a = store.create_player("  王小明 ", "一组")
    b = store.create_player("李华", "")
    c = store.create_player("王小明", "二组")  # the same name in another team is another trainee
    with pytest.raises(ValueError, match="已经有名叫"):
        store.create_player("王小明", "一组")
    with pytest.raises(ValueError):
        store.create_player("   ", "一组")
    again = reopen()
    assert [p.id for p in again.players()] == [a.id, b.id, c.id]
    assert (a.name, a.team, b.team) == ("王小明", "一组", "未分组")
    assert again.get_player(b.id) == b
    assert again.get_player("nobody") is None
    assert again.find_player("王小明", "二组") == c
    assert again.find_player("王小明") == a
    assert again.find_player("没有这人") is None


# --- runs, bests, 错题本 ---------------------------------------------------------------------


def test_bests_count_practice_and_assessment_but_not_autoplay(reopen: OpenStore) -> None:
    store = reopen()
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, "lv-a", 50, mode="practice", n=1))
    store.record_run(make_run(p, "lv-a", 80, mode="assessment", n=2, finished="2026-03-02T10:05:00+08:00"))
    store.record_run(make_run(p, "lv-a", 80, mode="assessment", n=3, finished="2026-03-02T10:09:00+08:00"))
    store.record_run(make_run(p, "lv-a", 99, mode="assessment", autoplay=True, n=4))
    store.record_run(make_run(p, "lv-b", 95, mode="practice", n=5))
    bests = reopen().bests(p.id)
    assert bests == {
        "lv-a": BestResult("lv-a", 80, 1, True, 3),
        "lv-b": BestResult("lv-b", 95, 3, True, 1),
    }
    assert reopen().all_bests() == {p.id: bests}
    assert store.bests("nobody") == {}


def test_runs_come_back_oldest_first_and_filtered(reopen: OpenStore) -> None:
    store = reopen()
    p, q = store.create_player("甲", "一组"), store.create_player("乙", "一组")
    recorded = [make_run(p, "lv-a", 10 * n, n=n) if n % 2 else make_run(q, "lv-b", 10 * n, n=n) for n in range(7)]
    for run in recorded:
        store.record_run(run)
    again = reopen()
    assert list(again.runs()) == recorded
    assert list(again.runs(player_id=p.id)) == [r for r in recorded if r.player_id == p.id]
    assert list(again.runs(level_id="lv-b")) == [r for r in recorded if r.level_id == "lv-b"]
    assert again.unreadable_run_lines == []


def test_wrong_questions_newest_first_without_repeats(reopen: OpenStore) -> None:
    store = reopen()
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, wrong=["q1", "q2"], n=1))
    store.record_run(make_run(p, wrong=["q3", "q1"], n=2))
    store.record_run(make_run(p, wrong=["q9"], autoplay=True, n=3))  # not the trainee's own play
    assert reopen().wrong_questions(p.id) == ["q1", "q3", "q2"]
    assert store.wrong_questions("nobody") == []


def test_progress_is_saved_loaded_and_cleared(reopen: OpenStore) -> None:
    store = reopen()
    p = store.create_player("甲", "一组")
    assert store.load_progress(p.id) is None
    store.save_progress(p.id, {"level": "lv-a", "steps": [1, 2], "说明": "中文"})
    store.save_progress(p.id, {"level": "lv-a", "steps": [1, 2, 3], "说明": "中文"})
    assert reopen().load_progress(p.id) == {"level": "lv-a", "steps": [1, 2, 3], "说明": "中文"}
    store.clear_progress(p.id)
    assert reopen().load_progress(p.id) is None


# --- leaderboard ---------------------------------------------------------------------------


def _board_store(store: Store):
    a = store.create_player("甲", "一组")
    b = store.create_player("乙", "一组")
    c = store.create_player("丙", "二组")
    store.record_run(make_run(a, "lv-a", 70, n=1, finished="2026-03-02T10:01:00+08:00"))
    store.record_run(make_run(a, "lv-b", 60, n=2, finished="2026-03-02T10:02:00+08:00"))
    store.record_run(make_run(b, "lv-a", 90, n=3, finished="2026-03-02T10:03:00+08:00"))
    store.record_run(make_run(b, "lv-a", 95, mode="practice", n=4))  # practice: not on the board
    store.record_run(make_run(c, "lv-a", 70, n=5, finished="2026-03-02T10:00:00+08:00"))  # ties 甲, earlier
    store.record_run(make_run(c, "lv-b", 100, autoplay=True, n=6))  # autoplay: only when asked
    return a, b, c


def test_leaderboard_per_level_overall_and_teams(reopen: OpenStore) -> None:
    store = reopen()
    a, b, c = _board_store(store)
    board = reopen()
    level = board.leaderboard("lv-a")
    assert [(e.player, e.score, e.attempts, e.player_id) for e in level] == [
        ("乙", 90, 1, b.id),
        ("丙", 70, 1, c.id),  # the same score reached first ranks first
        ("甲", 70, 1, a.id),
    ]
    assert all(e.level_id == "lv-a" for e in level)
    overall = board.leaderboard()
    assert [(e.player, e.team, e.score, e.attempts) for e in overall] == [
        ("甲", "一组", 130, 2),
        ("乙", "一组", 90, 1),
        ("丙", "二组", 70, 1),
    ]
    assert overall[0].when == "2026-03-02T10:02:00+08:00"  # the latest of the counted bests
    with_autoplay = board.leaderboard(include_autoplay=True)
    assert [(e.player, e.score, e.attempts) for e in with_autoplay][0] == ("丙", 170, 2)
    teams = board.leaderboard(teams=True)
    assert [(e.player, e.score, e.members) for e in teams] == [("一组", 110, 2), ("二组", 70, 1)]
    assert [e.player for e in board.leaderboard(limit=2)] == ["甲", "乙"]
    assert board.leaderboard("lv-none") == []


WEDNESDAY = datetime.fromisoformat("2026-03-04T15:00:00+08:00")  # the week began Monday 2 March, 00:00


def test_a_trainee_new_this_week_leads_the_week_but_not_all_time(reopen: OpenStore) -> None:
    store = reopen(lambda: WEDNESDAY)
    veteran, new, sunday = (
        store.create_player(n, t) for n, t in (("老将", "一组"), ("新人", "二组"), ("周日", "一组"))
    )
    # Recorded out of order on purpose: a run of an older week never enters this week's board.
    store.record_run(make_run(new, "lv-a", 80, n=1, finished="2026-03-02T00:00:00+08:00"))  # Monday 00:00 counts
    store.record_run(make_run(veteran, "lv-a", 95, n=2, finished="2026-02-25T10:00:00+08:00"))
    store.record_run(make_run(veteran, "lv-b", 90, n=3, finished="2026-02-26T10:00:00+08:00"))
    store.record_run(make_run(veteran, "lv-a", 50, n=4, finished="2026-03-03T09:00:00+08:00"))
    store.record_run(make_run(new, "lv-b", 70, n=5, finished="2026-03-01T16:30:00+00:00"))  # 00:30 Monday here
    store.record_run(make_run(sunday, "lv-a", 60, n=6, finished="2026-03-01T23:59:59+08:00"))  # last week
    store.record_run(make_run(new, "lv-b", 99, mode="practice", n=7, finished="2026-03-03T10:00:00+08:00"))
    store.record_run(make_run(sunday, "lv-b", 99, autoplay=True, n=8, finished="2026-03-03T11:00:00+08:00"))

    board = reopen(lambda: WEDNESDAY)
    assert [(e.player, e.score) for e in board.leaderboard()] == [("老将", 185), ("新人", 150), ("周日", 60)]
    week = board.leaderboard(week=True)
    assert [(e.player, e.score, e.attempts) for e in week] == [("新人", 150, 2), ("老将", 50, 1)]
    assert [(e.player, e.score) for e in board.leaderboard("lv-a", week=True)] == [("新人", 80), ("老将", 50)]
    with_autoplay = board.leaderboard(week=True, include_autoplay=True)
    assert [(e.player, e.score) for e in with_autoplay] == [("新人", 150), ("周日", 99), ("老将", 50)]
    assert [(e.player, e.score, e.members) for e in board.leaderboard(teams=True, week=True)] == [
        ("二组", 150, 1),
        ("一组", 50, 1),
    ]
    next_monday = reopen(lambda: datetime.fromisoformat("2026-03-09T00:00:00+08:00"))
    assert next_monday.leaderboard(week=True) == []  # a new week starts empty
    assert len(next_monday.leaderboard()) == 3


def test_leaderboard_keeps_the_first_run_of_an_equal_best(reopen: OpenStore) -> None:
    store = reopen()
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, "lv-a", 80, n=1, finished="2026-03-02T10:01:00+08:00"))
    store.record_run(make_run(p, "lv-a", 80, n=2, finished="2026-03-02T10:07:00+08:00"))
    store.record_run(make_run(p, "lv-a", 40, n=3, finished="2026-03-02T10:09:00+08:00"))
    [entry] = reopen().leaderboard("lv-a")
    assert (entry.score, entry.attempts, entry.when) == (80, 3, "2026-03-02T10:01:00+08:00")
    slot = reopen().leaderboard_data()["levels"]["lv-a"][p.id]["best"]
    assert slot["run_id"] == make_run(p, "lv-a", 80, n=1, finished="2026-03-02T10:01:00+08:00").run_id
    assert slot["inputs"] == [{"kind": "dialogue", "choices": [0, 1]}]  # what verify re-scores


def test_verify_finds_bests_and_board_consistent_with_the_history(reopen: OpenStore) -> None:
    store = reopen()
    _board_store(store)
    report = verify_store(reopen(), Catalog())
    assert report.checked_runs == 6
    assert report.checked_entries == 5  # 3 players on lv-a, 甲 on lv-b, 丙's autoplay slot
    # The levels are not loaded here: each board entry is reported as for an unknown level (the
    # cross-check of the hardening suite), and nothing else is found.
    assert report.mismatches and all("不存在" in m.detail for m in report.mismatches)
    assert report.unverifiable  # the levels are not loaded here, and verify says so


# --- sign-in -------------------------------------------------------------------------------


def test_pins_are_set_checked_and_reset(reopen: OpenStore) -> None:
    store = reopen()
    p, q = store.create_player("甲", "一组"), store.create_player("乙", "一组")
    assert not store.has_pin(p.id)
    assert store.check_pin(p.id, "anything")  # a PIN-less player
    with pytest.raises(ValueError, match="至少"):
        store.set_pin(p.id, "12")
    store.set_pin(p.id, "4821")
    again = reopen()
    assert again.has_pin(p.id) and not again.has_pin(q.id)
    assert again.check_pin(p.id, "4821")
    assert not again.check_pin(p.id, "4822")
    assert not again.check_pin(p.id, "")
    again.set_pin(p.id, "7777")  # a trainer's reset
    assert reopen().check_pin(p.id, "7777") and not reopen().check_pin(p.id, "4821")
    again.set_pin(p.id, None)
    assert not reopen().has_pin(p.id)
    with pytest.raises(ValueError):
        again.set_pin("nobody", "1234")


def test_embedded_pins_are_hashed_and_old_saves_open_pin_less(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "saves")
    p = store.create_player("甲", "一组")
    before = store.profiles_file.read_text(encoding="utf-8")
    assert '"pins"' not in before  # saves written before PINs existed have no such table
    assert not EmbeddedStore(tmp_path / "saves").has_pin(p.id)
    store.set_pin(p.id, "4821")
    text = store.profiles_file.read_text(encoding="utf-8")
    assert "4821" not in text and "scrypt$" in text


# --- PostgreSQL only -----------------------------------------------------------------------


def test_postgres_record_run_is_idempotent_by_run_id(pg_server, tmp_path: Path) -> None:
    store = open_store(pg_server.new_database(), outbox_dir=tmp_path)
    p = store.create_player("甲", "一组")
    run = make_run(p, "lv-a", 80, wrong=["q1"])
    store.record_run(run)
    store.record_run(run)
    assert list(store.runs()) == [run]
    assert store.bests(p.id)["lv-a"].attempts == 1
    assert store.leaderboard("lv-a")[0].attempts == 1


def test_postgres_schema_is_versioned_and_a_newer_schema_is_refused(pg_server, tmp_path: Path) -> None:
    import psycopg

    from game.store.postgres import SCHEMA_VERSION

    url = pg_server.new_database()
    store = open_store(url, outbox_dir=tmp_path)
    assert store.schema_version() == SCHEMA_VERSION
    open_store(url, outbox_dir=tmp_path)  # opening again applies nothing twice
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == [(1,), (2,)]
        conn.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(StorageProblem, match="更新版本"):
        open_store(url, outbox_dir=tmp_path)


def test_postgres_indexes_serve_the_board_and_bests(pg_server, tmp_path: Path) -> None:
    import psycopg

    url = pg_server.new_database()
    open_store(url, outbox_dir=tmp_path)
    with psycopg.connect(url, autocommit=True) as conn:
        indexes = {row[0] for row in conn.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")}
    assert any("ON public.board USING btree (level_id, autoplay, score DESC, reached_at)" in i for i in indexes)
    assert any("bests_pkey ON public.bests USING btree (player_id, level_id)" in i for i in indexes)
    assert any("runs_run_id_key" in i for i in indexes)
    assert any("runs_week ON public.runs USING btree (finished_at) WHERE (mode = 'assessment'" in i for i in indexes)


def test_postgres_a_version_1_database_migrates_and_its_runs_count_on_the_weekly_board(
    pg_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    from game.store import postgres

    url = pg_server.new_database()
    with monkeypatch.context() as patch:  # the database as the first server release left it
        patch.setattr(postgres, "MIGRATIONS", postgres.MIGRATIONS[:1])
        patch.setattr(postgres, "SCHEMA_VERSION", 1)
        old = open_store(url, outbox_dir=tmp_path)
        p = old.create_player("甲", "一组")
        old.close()
    insert = (  # two runs as version 1 stored them, one with a time that cannot be read
        "INSERT INTO runs (run_id, player_id, level_id, mode, autoplay, total, finished, data)"
        " VALUES (%s, %s, %s, 'assessment', false, %s, %s, %s::jsonb)"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        for run, finished in ((make_run(p, "lv-a", 77, n=1), "gestern"), (make_run(p, "lv-b", 66, n=2), None)):
            data = {**run.to_dict(), "finished": finished or run.finished}
            conn.execute(insert, (run.run_id, p.id, run.level_id, run.total, data["finished"], json.dumps(data)))
    store = open_store(url, outbox_dir=tmp_path, clock=lambda: WEDNESDAY)
    assert store.schema_version() == 2
    week = store.leaderboard(week=True)
    assert [(e.player, e.score, e.attempts) for e in week] == [("甲", 66, 1)]  # an unreadable time: long ago
    assert [r.total for r in store.runs()] == [77, 66]


PROCESSES = 8
RUNS_EACH = 50
LEVELS = ("lv-a", "lv-b", "lv-c")


def _worker(url: str, outbox: str, index: int, ready) -> None:
    store = open_store(url, outbox_dir=outbox)
    player = store.create_player(f"学员{index}", f"组{index % 3}")
    rng = random.Random(index)
    ready.wait()  # start recording together, so the writes really overlap
    for n in range(RUNS_EACH):
        total = rng.randint(0, 100)
        mode = "assessment" if n % 3 else "practice"
        store.record_run(
            make_run(
                player, LEVELS[n % 3], total, mode=mode, n=n, wrong=[f"q{n}"], finished=f"2026-03-02T10:{n:02d}:00"
            )
        )
    assert store.pending_runs() == 0, store.problems


def test_postgres_eight_processes_fifty_runs_each_are_all_counted(pg_server, tmp_path: Path) -> None:
    url = pg_server.new_database()
    open_store(url, outbox_dir=tmp_path)
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(PROCESSES)
    workers = [context.Process(target=_worker, args=(url, str(tmp_path), i, ready)) for i in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=240)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    store = open_store(url, outbox_dir=tmp_path)
    runs = list(store.runs())
    assert len(runs) == PROCESSES * RUNS_EACH
    assert len({r.run_id for r in runs}) == PROCESSES * RUNS_EACH
    expected: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in runs:
        expected[(r.player_id, r.level_id)].append(r.total)
    for (player_id, level_id), totals in expected.items():
        best = store.bests(player_id)[level_id]
        assert (best.score, best.attempts) == (max(totals), len(totals))
    assert sum(e.attempts for e in store.leaderboard(limit=0)) == sum(1 for r in runs if r.mode == "assessment")
    # Synthetic runs: no levels loaded, and the workers' runs share seeds and inputs, so the
    # cross-check names them as unknown-level or copied runs; any other finding is a real one.
    found = verify_store(store, Catalog()).mismatches
    assert all("不存在" in m.detail or "复制" in m.detail for m in found), found[:3]


# --- review cards (错题本) and placement ------------------------------------------------------


def _mistake(card: str, run_id: str, question: str | None = None):
    from game.mistakes import Mistake

    if question is not None:
        return Mistake(f"quiz:{question}", "quiz", "lv-a", run_id, question=question)
    return Mistake(card, "dialogue", "lv-a", run_id, stage=0, node="n1", chosen=2, said="我没钱", meters={"耐心": 40})


def test_review_cards_are_kept_scheduled_and_a_run_taken_once(reopen: OpenStore) -> None:
    from game.mistakes import answered

    store = reopen()
    p, q = store.create_player("甲", "一组"), store.create_player("乙", "一组")
    added = store.learning.add_mistakes(p.id, [_mistake("d:lv-a:n1", "r1"), _mistake("", "r1", "q-7")], WEDNESDAY)
    assert {c.card_id for c in added} == {"d:lv-a:n1", "quiz:q-7"}
    assert store.learning.add_mistakes(p.id, [_mistake("d:lv-a:n1", "r1")], WEDNESDAY) == []  # same run
    again = reopen()
    cards = again.learning.cards(p.id)
    assert len(cards) == 2 and cards == sorted(cards, key=lambda c: (c.due_at, c.card_id))  # soonest first
    dialogue = next(c for c in cards if c.kind == "dialogue")
    assert (dialogue.said, dialogue.meters, dialogue.lapses, dialogue.runs) == ("我没钱", {"耐心": 40}, 1, ["r1"])
    assert again.learning.cards(q.id) == []
    later = datetime.fromisoformat("2026-03-06T15:00:00+08:00")
    assert {c.card_id for c in again.learning.due(p.id, later)} == {"d:lv-a:n1", "quiz:q-7"}
    again.learning.save_card(answered(dialogue, True, later))
    [set_back] = again.learning.add_mistakes(p.id, [_mistake("d:lv-a:n1", "r2")], later)
    assert (set_back.streak, set_back.lapses, set_back.runs) == (0, 2, ["r1", "r2"])
    retired = replace(set_back, retired=True)
    again.learning.save_card(retired)
    third = reopen()
    assert [c.card_id for c in third.learning.cards(p.id)] == ["quiz:q-7"]
    assert retired in third.learning.cards(p.id, include_retired=True)


def test_placement_results_are_kept_and_open_tiers(reopen: OpenStore) -> None:
    store = reopen()
    p = store.create_player("甲", "一组")
    assert store.learning.placement(p.id) is None and store.learning.opened_tiers(p.id) == frozenset()
    store.learning.save_placement(p.id, {"opened": ["中级"], "weakest": ["合规"], "when": "2026-03-04T10:00:00+08:00"})
    placed = reopen().learning
    assert placed.opened_tiers(p.id) == frozenset({"中级"})
    assert placed.placement(p.id) == {
        "opened": ["中级"],
        "weakest": ["合规"],
        "when": "2026-03-04T10:00:00+08:00",
        "player_id": p.id,
    }


def test_the_old_wrong_list_becomes_cards_once(reopen: OpenStore, tui_catalog: Catalog) -> None:
    store = reopen()
    p = store.create_player("甲", "一组")
    keys = sorted(tui_catalog.questions)[:2]
    store.record_run(make_run(p, wrong=[*keys, "no-such-question"]))
    assert store.learning.migrate_wrong_list(store, p.id, tui_catalog, WEDNESDAY) == 2
    assert {c.question for c in store.learning.cards(p.id)} == set(keys)
    assert reopen().learning.migrate_wrong_list(store, p.id, tui_catalog, WEDNESDAY) == 0  # once
    assert [c.lapses for c in reopen().learning.cards(p.id)] == [1, 1]


@pytest.mark.parametrize("test_id", ["placement", "midtest", "posttest"])
def test_placement_and_gain_test_runs_stay_off_bests_and_the_board(reopen: OpenStore, test_id: str) -> None:
    store = reopen()
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, test_id, 95))
    assert [r.level_id for r in store.runs(p.id)] == [test_id]
    assert test_id not in store.bests(p.id)
    assert store.leaderboard() == [] and store.leaderboard(level_id=test_id) == []


def test_an_autoplay_run_counts_as_played_only_when_recorded_as_the_trainee(reopen: OpenStore) -> None:
    store = reopen()
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, "lv-a", 80, autoplay=True))
    assert "lv-a" not in store.bests(p.id)
    store.record_run(make_run(p, "lv-b", 85, autoplay=True, as_trainee=True))
    assert store.bests(p.id)["lv-b"].score == 85
