"""SaveStore: players, runs, bests, 错题本, progress, leaderboard, file formats and damaged files."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from game import paths
from game.progression import BestResult
from game.store import history, records, versions
from game.store.errors import StorageProblem
from game.store.folders import default_leaderboard_file, default_saves_dir
from game.store.records import RunRecord, clean_name
from game.store.savestore import SaveStore


def make_run(
    player,
    level_id="lv-a",
    total=70,
    *,
    mode="assessment",
    passed=None,
    stars=None,
    autoplay=False,
    wrong=(),
    finished="2026-03-02T10:00:00+08:00",
    n=0,
) -> RunRecord:
    passed = total >= 60 if passed is None else passed
    return RunRecord(
        run_id=f"{player.id}-{level_id}-{n}-{total}-{finished}",
        player_id=player.id,
        player=player.name,
        team=player.team,
        level_id=level_id,
        mode=mode,
        seed=n,
        started="2026-03-02T09:58:00+08:00",
        finished=finished,
        duration=120.0,
        inputs=[{"kind": "dialogue", "choices": [0, 1]}],
        total=total,
        passed=passed,
        stars=(stars if stars is not None else (1 if passed else 0)),
        dimensions={"合规": 100, "沟通": total},
        violations=[],
        wrong_questions=list(wrong),
        autoplay=autoplay,
    )


@pytest.fixture
def store(tmp_path: Path) -> SaveStore:
    return SaveStore(tmp_path / "saves")


# --------------------------------------------------------------------------------------------
# Players and names
# --------------------------------------------------------------------------------------------


def test_create_and_find_players(store: SaveStore, tmp_path: Path) -> None:
    alice = store.create_player("王小丽", "一组")
    bob = store.create_player("张伟", "")
    assert bob.team == records.DEFAULT_TEAM
    assert {p.id for p in store.players()} == {alice.id, bob.id}
    assert store.get_player(alice.id) == alice
    assert store.get_player("nobody") is None
    assert store.find_player("王小丽") == alice
    assert store.find_player("王小丽", team="二组") is None
    # A second process (a new store on the same folder) sees the same players.
    assert SaveStore(tmp_path / "saves").get_player(bob.id) == bob


def test_same_name_in_same_team_is_refused_but_other_team_is_fine(store: SaveStore) -> None:
    store.create_player("张伟", "一组")
    with pytest.raises(ValueError, match="已经有"):
        store.create_player(" 张伟 ", "一组")
    assert store.create_player("张伟", "二组").team == "二组"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[red]x[/]", "[red]x[/]"),  # Rich markup is literal text
        ("  张\t三\n ", "张 三"),  # whitespace collapsed
        ("李\x00四\x1b[31m", "李四[31m"),  # control characters dropped
        ("a\u202eb", "ab"),  # bidi override dropped
        ("催收" * 20, ("催收" * 20)[:24]),  # at most 24 characters
        ("小王😀👍", "小王😀👍"),  # emoji kept
    ],
)
def test_clean_name(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x07", "\u202e"])
def test_empty_name_is_refused_in_chinese(store: SaveStore, raw: str) -> None:
    with pytest.raises(ValueError, match="不能为空"):
        store.create_player(raw, "一组")


def test_odd_names_survive_storage_round_trip(tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "s")
    names = ["[red]x[/]", "[bold]老板[/bold]", "😀" * 30, "名字" * 30, "tab\there", "emoji👨‍👩‍👧家庭"]
    made = [store.create_player(name, "[b]组[/b]") for name in names]
    for player in made:
        store.record_run(make_run(player, total=80))
    reopened = SaveStore(tmp_path / "s")
    assert [p.name for p in reopened.players()] == [p.name for p in made]
    assert all(len(p.name) <= 24 for p in made)
    board = {e.player for e in reopened.leaderboard(limit=100)}
    assert board == {p.name for p in made}
    assert "[red]x[/]" in board


# --------------------------------------------------------------------------------------------
# Runs, bests, 错题本, progress
# --------------------------------------------------------------------------------------------


def test_bests_count_practice_and_assessment_but_not_autoplay(store: SaveStore) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=50, mode="practice", n=1))
    store.record_run(make_run(p, total=85, mode="practice", stars=2, n=2))
    store.record_run(make_run(p, total=72, mode="assessment", n=3))
    store.record_run(make_run(p, total=100, mode="assessment", stars=3, autoplay=True, n=4))
    assert store.bests(p.id) == {"lv-a": BestResult("lv-a", 85, 2, True, 3)}
    assert len(list(store.runs(p.id))) == 4
    assert [r.total for r in store.runs(level_id="lv-a")] == [50, 85, 72, 100]


def test_failed_best_then_pass_keeps_max_and_passed(store: SaveStore) -> None:
    p = store.create_player("乙", "一组")
    store.record_run(make_run(p, total=40, n=1))
    assert store.bests(p.id)["lv-a"].passed is False
    store.record_run(make_run(p, total=65, n=2))
    store.record_run(make_run(p, total=30, n=3))
    best = store.bests(p.id)["lv-a"]
    assert (best.score, best.passed, best.attempts) == (65, True, 3)


def test_wrong_questions_newest_first_without_duplicates(store: SaveStore) -> None:
    p = store.create_player("丙", "一组")
    store.record_run(make_run(p, wrong=["q1", "q2"], n=1))
    store.record_run(make_run(p, wrong=["q3", "q1"], n=2))
    store.record_run(make_run(p, wrong=["q9"], autoplay=True, n=3))  # autoplay is not the trainee's
    assert store.wrong_questions(p.id) == ["q1", "q3", "q2"]
    assert store.wrong_questions("nobody") == []


def test_progress_save_load_clear(store: SaveStore, tmp_path: Path) -> None:
    p = store.create_player("丁", "一组")
    assert store.load_progress(p.id) is None
    snapshot = {"level_id": "lv-a", "mode": "practice", "seed": 3, "record": [{"kind": "dialogue", "choices": [1]}]}
    store.save_progress(p.id, snapshot)
    store.save_progress(p.id, {**snapshot, "seed": 4})
    assert SaveStore(tmp_path / "saves").load_progress(p.id) == {**snapshot, "seed": 4}
    store.clear_progress(p.id)
    assert store.load_progress(p.id) is None
    with pytest.raises(TypeError):
        store.save_progress(p.id, {"bad": object()})


def test_record_run_rejects_unknown_mode(store: SaveStore) -> None:
    p = store.create_player("戊", "一组")
    with pytest.raises(ValueError):
        store.record_run(replace(make_run(p), mode="exam"))
    assert list(store.runs()) == []


# --------------------------------------------------------------------------------------------
# Leaderboard
# --------------------------------------------------------------------------------------------


def test_leaderboard_per_level_overall_and_teams(store: SaveStore) -> None:
    a = store.create_player("阿甲", "一组")
    b = store.create_player("阿乙", "一组")
    c = store.create_player("阿丙", "二组")
    store.record_run(make_run(a, "lv-a", 90, n=1))
    store.record_run(make_run(a, "lv-a", 60, n=2))
    store.record_run(make_run(a, "lv-b", 50, n=3))
    store.record_run(make_run(b, "lv-a", 95, n=4))
    store.record_run(make_run(c, "lv-a", 80, n=5))
    store.record_run(make_run(c, "lv-b", 99, mode="practice", n=6))  # practice: not on the board

    level = store.leaderboard("lv-a")
    assert [(e.player, e.score, e.attempts) for e in level] == [("阿乙", 95, 1), ("阿甲", 90, 2), ("阿丙", 80, 1)]
    assert all(e.level_id == "lv-a" for e in level)

    overall = store.leaderboard()
    assert [(e.player, e.score, e.attempts) for e in overall] == [("阿甲", 140, 3), ("阿乙", 95, 1), ("阿丙", 80, 1)]

    teams = store.leaderboard(teams=True)
    # Team score = mean of members' overall scores: 一组 (140 + 95) / 2 = 118 (rounded), 二组 80.
    assert [(e.team, e.score, e.members, e.attempts) for e in teams] == [("一组", 118, 2, 4), ("二组", 80, 1, 1)]
    assert store.leaderboard("lv-b") == [store.leaderboard("lv-b")[0]] and store.leaderboard("lv-b")[0].player == "阿甲"
    assert store.leaderboard("no-such-level") == []


def test_leaderboard_ties_go_to_whoever_was_first_and_limit(store: SaveStore) -> None:
    early = store.create_player("早", "一组")
    late = store.create_player("晚", "一组")
    store.record_run(make_run(late, total=88, finished="2026-03-02T12:00:00+08:00"))
    store.record_run(make_run(early, total=88, finished="2026-03-02T11:00:00+08:00"))
    assert [e.player for e in store.leaderboard()] == ["早", "晚"]
    assert len(store.leaderboard(limit=1)) == 1


def test_autoplay_is_left_out_unless_asked(store: SaveStore) -> None:
    human = store.create_player("真人", "一组")
    bot = store.create_player("演示", "一组")
    store.record_run(make_run(human, total=70, n=1))
    store.record_run(make_run(bot, total=100, autoplay=True, n=2))
    store.record_run(make_run(human, total=100, autoplay=True, n=3))
    assert [(e.player, e.score) for e in store.leaderboard()] == [("真人", 70)]
    assert [(e.player, e.score, e.attempts) for e in store.leaderboard(include_autoplay=True)] == [
        ("演示", 100, 1),
        ("真人", 100, 2),
    ]


def test_leaderboard_json_shape(store: SaveStore) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=77))
    (entry,) = store.leaderboard()
    assert {"player", "team", "score", "attempts", "when"} <= set(entry.to_json())
    assert entry.to_json()["when"] == "2026-03-02T10:00:00+08:00"


def test_leaderboard_and_bests_never_read_the_history(store: SaveStore, monkeypatch: pytest.MonkeyPatch) -> None:
    p = store.create_player("甲", "一组")
    for n in range(5):
        store.record_run(make_run(p, total=50 + n, n=n))

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the history was read")

    monkeypatch.setattr(history.RunHistory, "__iter__", forbidden)
    monkeypatch.setattr(history.RunHistory, "read_range", forbidden)
    assert store.leaderboard()[0].score == 54
    assert store.leaderboard(teams=True)[0].attempts == 5
    assert store.bests(p.id)["lv-a"].score == 54
    store.record_run(make_run(p, total=99, n=9))  # recording reads no old runs either
    assert store.leaderboard()[0].score == 99


def test_separate_leaderboard_file(tmp_path: Path) -> None:
    shared = tmp_path / "share" / "board.json"
    one = SaveStore(tmp_path / "pc1", shared)
    two = SaveStore(tmp_path / "pc2", shared)
    store_one_player = one.create_player("一号机", "一组")
    store_two_player = two.create_player("二号机", "二组")
    one.record_run(make_run(store_one_player, total=81))
    two.record_run(make_run(store_two_player, total=91))
    assert [e.player for e in one.leaderboard()] == ["二号机", "一号机"]
    assert not (tmp_path / "pc1" / "leaderboard.json").exists()


def test_default_locations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COLLECTQUEST_SAVES", raising=False)
    monkeypatch.delenv("COLLECTQUEST_LEADERBOARD", raising=False)
    assert default_saves_dir() == paths.ROOT / "saves"
    assert default_saves_dir(tmp_path) == tmp_path
    monkeypatch.setenv("COLLECTQUEST_SAVES", str(tmp_path / "env"))
    assert default_saves_dir() == tmp_path / "env"
    assert default_leaderboard_file(tmp_path) == tmp_path / "leaderboard.json"
    monkeypatch.setenv("COLLECTQUEST_LEADERBOARD", str(tmp_path / "b.json"))
    assert default_leaderboard_file(tmp_path) == tmp_path / "b.json"


# --------------------------------------------------------------------------------------------
# File format
# --------------------------------------------------------------------------------------------


def test_files_are_readable_utf8_with_format_version(store: SaveStore) -> None:
    p = store.create_player("王小丽", "催收一组")
    store.record_run(make_run(p, total=80))
    for path in (store.profiles_file, store.leaderboard_file, store.runs_file):
        text = path.read_text(encoding="utf-8")
        assert "王小丽" in text and "\\u" not in text
    profiles = json.loads(store.profiles_file.read_text(encoding="utf-8"))
    assert profiles["_meta"]["1"]["format_version"] == versions.FORMAT_VERSION
    board = json.loads(store.leaderboard_file.read_text(encoding="utf-8"))
    assert board["format_version"] == versions.FORMAT_VERSION
    header = json.loads(store.runs_file.read_text(encoding="utf-8").splitlines()[0])
    assert header["format_version"] == versions.FORMAT_VERSION and header["kind"] == "collectquest-runs"


def test_recording_appends_and_never_rewrites_history(store: SaveStore) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=60, n=1))
    before = store.runs_file.read_bytes()
    inode = store.runs_file.stat().st_ino
    store.record_run(make_run(p, total=61, n=2))
    after = store.runs_file.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
    assert store.runs_file.stat().st_ino == inode  # same file, not replaced


def test_writes_are_atomic_replacements(store: SaveStore, monkeypatch: pytest.MonkeyPatch) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=60, n=1))
    good = store.profiles_file.read_text(encoding="utf-8")

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StorageProblem, match="无法写入"):  # a message, not an OSError traceback
        store.create_player("乙", "一组")
    assert store.profiles_file.read_text(encoding="utf-8") == good
    assert not list(store.profiles_file.parent.glob(".profiles.json.*.tmp"))  # temp file cleaned up


def test_migration_hook_upgrades_old_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SaveStore(tmp_path / "s")
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=66))

    def profiles_v1_to_v2(data: dict) -> dict:
        for doc in data["players"].values():
            doc["name"] = doc["name"] + "(升级)"
        return data

    def runs_v1_to_v2(data: dict) -> dict:
        return {**data, "player": data["player"] + "(升级)"}

    monkeypatch.setattr(versions, "FORMAT_VERSION", 2)
    monkeypatch.setitem(versions.MIGRATIONS, ("profiles", 1), profiles_v1_to_v2)
    monkeypatch.setitem(versions.MIGRATIONS, ("leaderboard", 1), lambda data: data)
    monkeypatch.setitem(versions.MIGRATIONS, ("runs", 1), runs_v1_to_v2)
    upgraded = SaveStore(tmp_path / "s")
    assert upgraded.problems == [f"运行记录 {upgraded.runs_file} 已升级到格式版本 2。"]
    assert upgraded.players()[0].name == "甲(升级)"
    assert [r.player for r in upgraded.runs()] == ["甲(升级)"]
    header = json.loads(upgraded.runs_file.read_text(encoding="utf-8").splitlines()[0])
    assert header["format_version"] == 2
    upgraded.record_run(make_run(upgraded.players()[0], total=90, n=5))
    # Upgraded once: old runs are not upgraded again, new runs are stored as they are.
    assert [r.player for r in SaveStore(tmp_path / "s").runs()] == ["甲(升级)", "甲(升级)"]
    assert upgraded.bests(p.id)["lv-a"].attempts == 2  # nothing counted twice
    assert upgraded.leaderboard()[0].attempts == 2
    profiles = json.loads(upgraded.profiles_file.read_text(encoding="utf-8"))
    assert profiles["_meta"]["1"]["format_version"] == 2


# --------------------------------------------------------------------------------------------
# Torn and damaged files
# --------------------------------------------------------------------------------------------


def test_torn_last_line_is_ignored_then_repaired(store: SaveStore, tmp_path: Path) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=60, n=1))
    good = store.runs_file.read_bytes()
    with open(store.runs_file, "ab") as handle:
        handle.write(b'{"run_id":"half","player":"\xe7\x94')  # killed mid-write, mid-character
    assert [r.total for r in store.runs()] == [60]
    assert store.unreadable_run_lines == []  # a torn tail is not a damaged line
    store.record_run(make_run(p, total=61, n=2))
    data = store.runs_file.read_bytes()
    assert data.startswith(good) and b"half" not in data
    assert [r.total for r in store.runs()] == [60, 61]
    reopened = SaveStore(tmp_path / "saves")
    assert reopened.bests(p.id)["lv-a"].attempts == 2


def test_torn_line_is_repaired_on_open(store: SaveStore, tmp_path: Path) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=60, n=1))
    good = store.runs_file.read_bytes()
    with open(store.runs_file, "ab") as handle:
        handle.write(b'{"run_id":"half"')
    reopened = SaveStore(tmp_path / "saves")
    assert reopened.runs_file.read_bytes() == good
    assert any("不完整" in problem for problem in reopened.problems)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"players": {"1": {"id": ', "JSON"),
        ('["not", "a", "database"]', "顶层"),
        ('{"players": {}}', "_meta"),
        ('{"_meta": {"1": {"format_version": 0}}}', "版本"),
        ('{"_meta": {"1": {"format_version": 1}}, "players": {"1": {"id": 5, "name": "x"}}}', "players"),
        (
            '{"_meta": {"1": {"format_version": 1}}, "bests": {"1": {"player_id": "a", "level_id": "b", '
            '"score": "100", "stars": 3, "passed": true, "attempts": 1}}}',
            "bests",
        ),
    ],
)
def test_corrupt_profiles_are_moved_aside_and_reported(tmp_path: Path, content: str, reason: str) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    (saves / "profiles.json").write_text(content, encoding="utf-8")
    store = SaveStore(saves)
    backups = list(saves.glob("profiles.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == content  # kept as it was
    assert len(store.problems) == 1
    assert str(saves / "profiles.json") in store.problems[0] and reason in store.problems[0]
    assert str(backups[0]) in store.problems[0]
    assert store.players() == []
    store.create_player("新人", "一组")  # the store still works
    assert backups[0].read_text(encoding="utf-8") == content


@pytest.mark.parametrize("name", ["profiles.json", "leaderboard.json"])
def test_a_newer_format_is_left_alone_and_reported(tmp_path: Path, name: str) -> None:
    # Another machine on the shared folder may run a newer CollectQuest: its file must survive.
    saves = tmp_path / "saves"
    saves.mkdir()
    content = (
        '{"_meta": {"1": {"format_version": 99}}}'
        if name == "profiles.json"
        else '{"format_version": 99, "kind": "collectquest-leaderboard"}'
    )
    (saves / name).write_text(content, encoding="utf-8")
    with pytest.raises(StorageProblem, match="更新版本"):
        store = SaveStore(saves)
        store.leaderboard()
        store.create_player("新人", "一组")
    assert (saves / name).read_text(encoding="utf-8") == content
    assert not list(saves.glob(f"{name}.corrupt-*"))


def test_profiles_damaged_while_running_are_not_overwritten(store: SaveStore) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=60))
    store.profiles_file.write_text("{ hand edited", encoding="utf-8")
    store.create_player("乙", "一组")
    backups = list(store.profiles_file.parent.glob("profiles.json.corrupt-*"))
    assert [b.read_text(encoding="utf-8") for b in backups] == ["{ hand edited"]
    assert any("已损坏" in problem for problem in store.problems)


def test_lost_profiles_are_rebuilt_from_history(store: SaveStore, tmp_path: Path) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=60, n=1, wrong=["q1"]))
    store.record_run(make_run(p, total=75, n=2))
    store.profiles_file.write_text("garbage", encoding="utf-8")
    reopened = SaveStore(tmp_path / "saves")
    assert [pl.name for pl in reopened.players()] == ["甲"]
    assert reopened.bests(p.id)["lv-a"] == BestResult("lv-a", 75, 1, True, 2)
    assert reopened.wrong_questions(p.id) == ["q1"]


@pytest.mark.parametrize(
    "content",
    [
        "{{{",
        '{"kind": "something-else", "format_version": 1, "levels": {}}',
        '{"kind": "collectquest-leaderboard", "format_version": "7", "levels": {}}',
        '{"kind": "collectquest-leaderboard", "format_version": 1, "levels": {"lv": {"p": {"player": "x", '
        '"team": "t", "best": {"score": "一百"}}}}}',
    ],
)
def test_corrupt_leaderboard_is_moved_aside(tmp_path: Path, content: str) -> None:
    board = tmp_path / "shared" / "board.json"
    board.parent.mkdir()
    board.write_text(content, encoding="utf-8")
    store = SaveStore(tmp_path / "saves", board)
    assert [b.read_text(encoding="utf-8") for b in board.parent.glob("board.json.corrupt-*")] == [content]
    assert len(store.problems) == 1 and str(board) in store.problems[0]
    assert store.leaderboard() == []
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=70))
    assert store.leaderboard()[0].score == 70


def test_lost_leaderboard_is_rebuilt_from_history(store: SaveStore, tmp_path: Path) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, "lv-a", 60, n=1))
    store.record_run(make_run(p, "lv-a", 80, n=2))
    store.leaderboard_file.write_text("oops", encoding="utf-8")
    reopened = SaveStore(tmp_path / "saves")
    assert reopened.leaderboard() == []
    reopened.record_run(make_run(p, "lv-b", 50, n=3))
    assert [(e.score, e.attempts) for e in reopened.leaderboard()] == [(130, 3)]


def test_history_from_a_newer_version_is_left_alone(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    content = '{"format_version": 42, "kind": "collectquest-runs", "history_id": "x"}\n{"run_id": "r"}\n'
    (saves / "runs.jsonl").write_text(content, encoding="utf-8")
    with pytest.raises(StorageProblem, match="更新版本"):
        SaveStore(saves)
    assert (saves / "runs.jsonl").read_text(encoding="utf-8") == content
    assert not list(saves.glob("runs.jsonl.corrupt-*"))


def test_history_with_unknown_header_is_moved_aside(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    content = '{"format_version": "v?", "kind": "collectquest-runs", "history_id": "x"}\n{"run_id": "r"}\n'
    (saves / "runs.jsonl").write_text(content, encoding="utf-8")
    store = SaveStore(saves)
    assert [b.read_text(encoding="utf-8") for b in saves.glob("runs.jsonl.corrupt-*")] == [content]
    assert any("runs.jsonl" in problem for problem in store.problems)
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=70))
    assert [r.total for r in store.runs()] == [70]


def test_damaged_history_line_is_skipped_and_reported(store: SaveStore) -> None:
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=60, n=1))
    store.record_run(make_run(p, total=61, n=2))
    lines = store.runs_file.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '{"run_id": "edited", "total": "lots"}\n'
    store.runs_file.write_text("".join(lines), encoding="utf-8")
    assert [r.total for r in store.runs()] == [61]
    assert store.unreadable_run_lines == [2]
    assert any("第 2" in problem for problem in store.problems)


def test_stale_temp_files_are_cleaned(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    stale = saves / ".profiles.json.abc123.tmp"
    stale.write_text("{", encoding="utf-8")
    old = os.stat(stale).st_mtime - 3600
    os.utime(stale, (old, old))
    fresh = saves / ".profiles.json.def456.tmp"  # maybe another process writing right now
    fresh.write_text("{", encoding="utf-8")
    SaveStore(saves)
    assert not stale.exists() and fresh.exists()


def test_reading_the_leaderboard_takes_no_lock(store: SaveStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # Many machines read a shared leaderboard; some users may not be allowed to create its lock file.
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=70))

    def no_permission(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store._board.lock, "acquire", no_permission)
    assert [e.score for e in store.leaderboard()] == [70]
    with pytest.raises(StorageProblem, match="写权限"):
        store.record_run(make_run(p, total=80, n=2))


def test_a_board_from_before_the_weekly_board_shows_this_week_from_the_history(tmp_path: Path) -> None:
    from datetime import datetime

    wednesday = datetime.fromisoformat("2026-03-04T15:00:00+08:00")
    store = SaveStore(tmp_path / "s", clock=lambda: wednesday)
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=66, finished="2026-03-03T10:00:00+08:00"))
    board = json.loads((tmp_path / "s" / "leaderboard.json").read_text(encoding="utf-8"))
    del board["week_start"], board["week_levels"]  # as the previous version wrote it
    (tmp_path / "s" / "leaderboard.json").write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    old = SaveStore(tmp_path / "s", clock=lambda: wednesday)
    assert [(e.player, e.score) for e in old.leaderboard(week=True)] == [("甲", 66)]
    later = SaveStore(tmp_path / "s", clock=lambda: datetime.fromisoformat("2026-03-10T09:00:00+08:00"))
    assert later.leaderboard(week=True) == []


def test_a_damaged_weekly_board_is_dropped_and_the_all_time_board_kept(tmp_path: Path) -> None:
    from datetime import datetime

    wednesday = datetime.fromisoformat("2026-03-04T15:00:00+08:00")
    store = SaveStore(tmp_path / "s", clock=lambda: wednesday)
    p = store.create_player("甲", "一组")
    store.record_run(make_run(p, total=66, finished="2026-03-03T10:00:00+08:00"))
    path = tmp_path / "s" / "leaderboard.json"
    board = json.loads(path.read_text(encoding="utf-8"))
    assert board["week_levels"]["lv-a"][p.id] == {"b": [66, 1, "2026-03-03T10:00:00+08:00"]}
    board["week_levels"]["lv-a"][p.id]["b"] = ["99", 1, "x"]  # edited by hand
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    again = SaveStore(tmp_path / "s", clock=lambda: wednesday)
    assert [(e.player, e.score) for e in again.leaderboard()] == [("甲", 66)]
    assert [(e.player, e.score) for e in again.leaderboard(week=True)] == [("甲", 66)]  # from the history
    assert not list(path.parent.glob("leaderboard.json.corrupt-*"))
