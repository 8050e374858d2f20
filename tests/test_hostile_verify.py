"""`verify` against crafted stores: the history and the board must hold the same runs both ways;
entries for unknown levels or without inputs are rejected; backdated and copied runs are named."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hostile import history_lines, make_env, read_board, run_cli, write_board

from game.autoplay import autoplay
from game.loader import load_catalog
from game.runs import run_from_session
from game.store.savestore import SaveStore

START = datetime.fromisoformat("2026-03-02T09:00:00+08:00")


def record_play(env: dict[str, str], name: str, level_id: str, seed: int, minutes: int) -> None:
    """An assessment run played as a trainee plays it (not autoplay), `minutes` after START."""
    catalog, _ = load_catalog([Path(env["levels"])], [Path(env["content"])])
    store = SaveStore(Path(env["saves"]), Path(env["board"]))
    player = store.find_or_create_player(name, "一组")
    session = autoplay(catalog.levels[level_id], catalog, "best", seed)
    started = START + timedelta(minutes=minutes)
    store.record_run(run_from_session(session, player, started, started + timedelta(minutes=5)))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = make_env(tmp_path)
    record_play(env, "甲", "sample-spouse", seed=11, minutes=0)
    record_play(env, "乙", "sample-spouse", seed=12, minutes=10)
    record_play(env, "乙", "st-loop", seed=13, minutes=20)
    result = run_cli(env, "verify")
    assert result.exit_code == 0 and "全部一致" in result.output, result.output
    return env


def entries(board: dict[str, Any], level_id: str) -> dict[str, dict[str, Any]]:
    return board["levels"][level_id]


def by_name(board: dict[str, Any], level_id: str, name: str) -> tuple[str, dict[str, Any]]:
    return next((pid, e) for pid, e in entries(board, level_id).items() if e["player"] == name)


def verify_fails_with(env: dict[str, str], *words: str) -> str:
    result = run_cli(env, "verify")
    assert result.exit_code == 1, result.output
    flat = "".join(result.output.split())  # the table wraps long cells
    for word in words:
        assert word in flat, (word, result.output)
    return result.output


def test_a_deleted_rival_entry_is_found(env: dict[str, str]) -> None:
    board = read_board(env)
    pid, _ = by_name(board, "sample-spouse", "乙")
    del entries(board, "sample-spouse")[pid]
    write_board(env, board)
    verify_fails_with(env, "乙", "但排行榜上没有")


def test_runs_never_folded_into_the_board_are_found(env: dict[str, str]) -> None:
    board = read_board(env)
    board["levels"].pop("st-loop")
    write_board(env, board)
    verify_fails_with(env, "st-loop", "运行记录中有1次考核成绩,但排行榜上没有")


def test_an_entry_with_no_run_behind_it_is_found(env: dict[str, str]) -> None:
    board = read_board(env)
    _, entry = by_name(board, "sample-spouse", "甲")
    entry["best"]["run_id"] = uuid.uuid4().hex  # made up: no such run in the history
    write_board(env, board)
    verify_fails_with(env, "甲", "找不到对应的运行")


def test_entries_for_unknown_levels_or_without_inputs_are_rejected(env: dict[str, str]) -> None:
    board = read_board(env)
    _, entry = by_name(board, "sample-spouse", "甲")
    stranger = json.loads(json.dumps(entry))
    stranger["player"] = "外来者"
    entries(board, "sample-spouse")["feedfacecafe"] = {**stranger, "best": {**stranger["best"], "inputs": []}}
    board["levels"]["no-such-level"] = {"0123456789ab": {**stranger, "player": "幽灵"}}
    write_board(env, board)
    verify_fails_with(env, "外来者", "没有记录每一步的输入", "幽灵", "关卡no-such-level不存在")


def test_a_run_copied_under_a_new_run_id_by_another_player_is_found(env: dict[str, str]) -> None:
    # On the board: 甲's winning inputs under another (remote) player's name.
    board = read_board(env)
    _, original = by_name(board, "sample-spouse", "甲")
    copy = json.loads(json.dumps(original))
    copy["player"] = "抄袭者"
    copy["best"].update(run_id=uuid.uuid4().hex, when="2026-03-02T12:00:00+08:00")
    entries(board, "sample-spouse")["c0ffeec0ffee"] = copy
    write_board(env, board)
    verify_fails_with(env, "抄袭者", "像是复制的成绩")


def test_a_history_run_copied_for_another_player_is_found(env: dict[str, str]) -> None:
    lines = history_lines(env)
    first = json.loads(lines[1])
    second = json.loads(lines[2])
    forged = {**first, "run_id": uuid.uuid4().hex, "player_id": second["player_id"], "player": "乙"}
    forged["finished"] = "2026-03-02T09:40:00+08:00"
    Path(env["saves"], "runs.jsonl").write_text("\n".join([*lines, json.dumps(forged, ensure_ascii=False)]) + "\n")
    verify_fails_with(env, "乙", "像是复制的成绩")


def test_a_backdated_run_is_found(env: dict[str, str]) -> None:
    lines = history_lines(env)
    last = json.loads(lines[3])
    earlier = "2026-02-20T09:00:00+08:00"  # ten days before the runs recorded before it
    last.update(started="2026-02-20T08:55:00+08:00", finished=earlier)
    lines[3] = json.dumps(last, ensure_ascii=False)
    Path(env["saves"], "runs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    board = read_board(env)
    _, entry = by_name(board, "st-loop", "乙")
    entry["best"]["when"] = earlier  # the board backdated consistently
    write_board(env, board)
    verify_fails_with(env, "像是被改早了")


def test_a_backdated_board_entry_is_found(env: dict[str, str]) -> None:
    board = read_board(env)
    _, entry = by_name(board, "sample-spouse", "乙")
    entry["best"]["when"] = "2026-03-01T08:00:00+08:00"  # ties go to whoever was first
    write_board(env, board)
    verify_fails_with(env, "乙", "时间被改过")


def test_a_run_finished_before_it_started_or_in_the_future_is_found(env: dict[str, str]) -> None:
    lines = history_lines(env)
    run = json.loads(lines[1])
    run["finished"] = "2026-03-02T08:00:00+08:00"
    lines[1] = json.dumps(run, ensure_ascii=False)
    run = json.loads(lines[2])
    run["finished"] = "2099-01-01T00:00:00+08:00"
    lines[2] = json.dumps(run, ensure_ascii=False)
    Path(env["saves"], "runs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    verify_fails_with(env, "早于开始时间", "在未来")
