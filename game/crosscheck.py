"""What `verify` checks beyond re-scoring: that the history and the leaderboard hold the same runs
(both ways), that board entries can be checked at all, and runs that were backdated or copied.

Re-scoring catches an edited score. It does not catch a rival's entry deleted from the board, runs
never folded into it, an entry made up for a run that never happened, a run's time moved earlier
(ties go to whoever reached a score first), or one player's winning inputs copied under another
player's name with a new run id. These checks do. What they cannot see is said in the README
(可靠性 / Reliability): someone who can write the shared folder can rewrite a history and the board
consistently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .store.records import UNRANKED_LEVELS, RunRecord

CLOCK_SLACK = timedelta(hours=1)  # machines' clocks and time zones differ a little
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Finding:
    """One problem, in the shape of runs.Mismatch (where, player, level, stored, expected, detail, run id)."""

    where: str  # "history" | "leaderboard"
    player: str
    level_id: str
    stored: int | None
    expected: int | None
    detail: str
    run_id: str | None = None


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()


def _fingerprint(level_id: str, seed: Any, inputs: Any) -> str:
    """What a copied run shares with its original whatever its run id and player."""
    return json.dumps([level_id, seed, inputs], ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def history_findings(runs: list[RunRecord], now: datetime) -> list[Finding]:
    """Backdated runs (finished before they started, in the future, or much earlier than runs
    recorded before them in this append-only history) and runs whose inputs copy another run's."""
    found: list[Finding] = []
    latest: datetime | None = None
    latest_run: RunRecord | None = None
    now = now if now.tzinfo else now.astimezone()
    for run in runs:
        finished, started = _moment(run.finished), _moment(run.started)
        if finished is None:
            found.append(Finding("history", run.player, run.level_id, run.total, None, "完成时间无法识别", run.run_id))
            continue
        if started is not None and finished < started - timedelta(seconds=1):
            found.append(
                Finding(
                    "history",
                    run.player,
                    run.level_id,
                    run.total,
                    None,
                    f"完成时间 {run.finished} 早于开始时间 {run.started}(时间被改过)",
                    run.run_id,
                )
            )
        if finished > now + FUTURE_SLACK:
            found.append(
                Finding(
                    "history", run.player, run.level_id, run.total, None, f"完成时间 {run.finished} 在未来", run.run_id
                )
            )
        elif latest is not None and latest_run is not None and finished < latest - CLOCK_SLACK:
            found.append(
                Finding(
                    "history",
                    run.player,
                    run.level_id,
                    run.total,
                    None,
                    f"完成时间 {run.finished} 早于在它之前记录的运行({latest_run.finished}),像是被改早了",
                    run.run_id,
                )
            )
        if latest is None or finished > latest:
            latest, latest_run = finished, run
    originals: dict[str, RunRecord] = {}
    for run in runs:
        if run.autoplay or not run.inputs:
            continue  # autoplay replays a policy: equal inputs are expected
        key = _fingerprint(run.level_id, run.seed, run.inputs)
        first = originals.setdefault(key, run)
        if first.run_id != run.run_id:
            found.append(
                Finding(
                    "history",
                    run.player,
                    run.level_id,
                    run.total,
                    None,
                    f"输入与 {first.player} 的运行 {first.run_id} 完全相同(同一种子、同样的每一步),像是复制的成绩",
                    run.run_id,
                )
            )
    return found


def board_findings(
    levels: dict[str, dict[str, Any]],
    runs: list[RunRecord],
    local_players: Iterable[str],
    known_levels: Iterable[str],
    now: datetime,
) -> list[Finding]:
    """Board entries for unknown levels or without inputs; for this store's players, entries with
    no run behind them (or another score or time than that run) and assessment runs missing from
    the board; entries anywhere whose inputs copy another player's entry or are dated in the future."""
    found: list[Finding] = []
    known = set(known_levels)
    local = set(local_players)
    now = now if now.tzinfo else now.astimezone()
    by_id = {run.run_id: run for run in runs}
    on_board: set[tuple[str, str, bool]] = set()
    originals: dict[str, tuple[str, str, str | None]] = {}  # fingerprint -> (player id, name, run id)
    slots: list[tuple[str, str, str, dict[str, Any], bool]] = []
    for level_id, players in levels.items():
        for player_id, entry in players.items():
            for slot_name, autoplay in (("best", False), ("autoplay", True)):
                slot = entry.get(slot_name)
                if slot:
                    on_board.add((player_id, level_id, autoplay))
                    slots.append((level_id, player_id, str(entry.get("player", player_id)), slot, autoplay))
    # Oldest first, so the copy (not the original) is the one reported.
    slots.sort(key=lambda s: (_moment(s[3].get("when")) or now, s[1]))
    for level_id, player_id, who, slot, autoplay in slots:
        score, run_id = slot.get("score"), slot.get("run_id")
        run_id = run_id if isinstance(run_id, str) else None
        inputs = slot.get("inputs")

        def add(
            detail: str,
            expected: int | None = None,
            who: str = who,
            level_id: str = level_id,
            score: Any = score,
            run_id: str | None = run_id,
        ) -> None:
            found.append(Finding("leaderboard", who, level_id, score, expected, detail, run_id))

        if level_id not in known:
            add(f"关卡 {level_id} 不存在(或未加载),这条成绩无法核对")
        if not isinstance(inputs, list) or not inputs:
            add("这条成绩没有记录每一步的输入,无法核对")
        when = _moment(slot.get("when"))
        if when is not None and when > now + FUTURE_SLACK:
            add(f"达成时间 {slot.get('when')} 在未来")
        if not autoplay and isinstance(inputs, list) and inputs:
            key = _fingerprint(level_id, slot.get("seed"), inputs)
            first = originals.setdefault(key, (player_id, who, run_id))
            if first[0] != player_id:
                add(f"输入与 {first[1]} 的成绩(运行 {first[2]})完全相同,像是复制的成绩")
        if player_id not in local:
            continue  # recorded on another machine: its history is not here
        run = by_id.get(run_id) if run_id else None
        if run is None or run.player_id != player_id or run.level_id != level_id or run.autoplay != autoplay:
            add("排行榜上的这条成绩在本机运行记录中找不到对应的运行")
        elif run.mode != "assessment":
            add("排行榜上的这条成绩来自练习模式的运行,不应计入")
        else:
            if run.total != score:
                add(f"与运行记录中该运行的分数 {run.total} 不符", run.total)
            if slot.get("when") != run.finished:
                add(f"达成时间 {slot.get('when')} 与运行记录中的 {run.finished} 不符(时间被改过)")
    missing: dict[tuple[str, str, bool], list[RunRecord]] = {}
    for run in runs:
        if run.mode == "assessment" and run.player_id in local and run.level_id not in UNRANKED_LEVELS:
            slot_key = (run.player_id, run.level_id, run.autoplay)
            if slot_key not in on_board:
                missing.setdefault(slot_key, []).append(run)
    for (_, level_id, _), lost in missing.items():
        best = max(lost, key=lambda r: r.total)
        found.append(
            Finding(
                "leaderboard",
                best.player,
                level_id,
                None,
                best.total,
                f"运行记录中有 {len(lost)} 次考核成绩,但排行榜上没有(被删除,或从未计入)",
                best.run_id,
            )
        )
    return found
