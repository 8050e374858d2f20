"""Turning a finished LevelSession into a RunRecord for storage, and checking stored scores."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .catalog import Catalog
from .crosscheck import board_findings, history_findings
from .models import Level
from .placement import TEST_IDS, blueprint_level
from .quiz import QuizResult
from .scoring import LevelResult
from .session import LevelSession, RecordError, rescore
from .store import Store
from .store.records import UNRANKED_LEVELS, Player, RunRecord


def run_from_session(
    session: LevelSession,
    player: Player,
    started: datetime,
    finished: datetime,
    autoplay: bool = False,
    as_trainee: bool = False,
) -> RunRecord:
    """The record of a finished session: its result, its inputs, and the questions answered wrongly."""
    result = session.result()
    wrong = [key for r in session.results if isinstance(r, QuizResult) for key in r.wrong_keys]
    return RunRecord(
        run_id=uuid.uuid4().hex,
        player_id=player.id,
        player=player.name,
        team=player.team,
        level_id=session.level.id,
        mode=session.mode,
        seed=session.seed,
        started=started.isoformat(timespec="seconds"),
        finished=finished.isoformat(timespec="seconds"),
        duration=round(max(0.0, (finished - started).total_seconds()), 3),
        inputs=[dict(entry) for entry in session.record if entry],
        total=result.total,
        passed=result.passed,
        stars=result.stars,
        dimensions=dict(result.dimensions),
        violations=list(result.violations),
        wrong_questions=list(dict.fromkeys(wrong)),
        autoplay=autoplay,
        stage_scores=list(result.stage_scores),
        as_trainee=autoplay and as_trainee,
    )


# --------------------------------------------------------------------------------------------
# Verifying stored scores
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """A stored score that does not match what its inputs (or the history) give."""

    where: str  # "history" | "bests" | "leaderboard"
    player: str
    level_id: str
    stored: int | None
    expected: int | None
    detail: str  # Chinese, for the trainer
    run_id: str | None = None


@dataclass
class Verification:
    checked_runs: int = 0
    checked_entries: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    unverifiable: list[str] = field(default_factory=list)  # Chinese notes: runs of levels not loaded

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _rescored(level: Level, catalog: Catalog, inputs: Any, seed: Any = None) -> tuple[LevelResult | None, str | None]:
    try:
        return rescore(level, catalog, inputs, seed if isinstance(seed, int) else None), None
    except RecordError as exc:
        return None, f"记录无法按当前关卡重放:{exc}"


def verify_store(store: Store, catalog: Catalog, now: datetime | None = None) -> Verification:
    """Re-score every recorded run and every leaderboard entry against the current levels, and
    check the stored bests and the leaderboard against the history (both ways, see crosscheck);
    `now` (default: the clock) dates runs recorded in the future."""
    report = Verification()
    moment = now or datetime.now().astimezone()
    runs: list[RunRecord] = []
    history_bests: dict[tuple[str, str], dict[str, Any]] = {}
    board_from_history: dict[tuple[str, str, bool], dict[str, Any]] = {}
    names: dict[str, str] = {}
    missing_levels: Counter[str] = Counter()
    # The blueprint tests are built from the banks; a run is re-scored from its recorded keys.
    special_levels = {lv.id: lv for lv in (blueprint_level(catalog, t) for t in TEST_IDS) if lv is not None}
    for run in store.runs():
        runs.append(run)
        report.checked_runs += 1
        names[run.player_id] = run.player
        if (not run.autoplay or run.as_trainee) and run.level_id not in UNRANKED_LEVELS:
            b = history_bests.setdefault(
                (run.player_id, run.level_id), {"score": 0, "stars": 0, "passed": False, "attempts": 0}
            )
            b["score"] = max(b["score"], run.total)
            b["stars"] = max(b["stars"], run.stars)
            b["passed"] = b["passed"] or run.passed
            b["attempts"] += 1
        if run.mode == "assessment" and run.level_id not in UNRANKED_LEVELS:
            e = board_from_history.setdefault((run.player_id, run.level_id, run.autoplay), {"score": 0, "attempts": 0})
            e["score"] = max(e["score"], run.total)
            e["attempts"] += 1
        level = catalog.levels.get(run.level_id) or special_levels.get(run.level_id)
        if level is None:
            missing_levels[run.level_id] += 1
            continue
        result, problem = _rescored(level, catalog, run.inputs, run.seed)
        if result is None:
            report.mismatches.append(
                Mismatch("history", run.player, run.level_id, run.total, None, problem or "", run.run_id)
            )
        elif (result.total, result.passed, result.stars) != (run.total, run.passed, run.stars):
            report.mismatches.append(
                Mismatch(
                    "history",
                    run.player,
                    run.level_id,
                    run.total,
                    result.total,
                    f"记录的分数 {run.total} 与按输入重算的 {result.total} 不符",
                    run.run_id,
                )
            )
    for level_id, count in sorted(missing_levels.items()):
        report.unverifiable.append(f"关卡 {level_id} 未加载,其 {count} 条运行记录无法重算")
    if store.unreadable_run_lines:
        lines = ", ".join(str(n) for n in store.unreadable_run_lines[:10])
        report.mismatches.append(
            Mismatch("history", "", "", None, None, f"运行记录第 {lines} 行无法读取(被改动或损坏)")
        )

    # Stored bests against the history.
    for player_id, bests in store.all_bests().items():
        for level_id, best in bests.items():
            expected = history_bests.pop((player_id, level_id), None)
            name = names.get(player_id) or player_id
            if expected is None:
                report.mismatches.append(
                    Mismatch("bests", name, level_id, best.score, None, "最佳成绩在运行记录中找不到对应的运行")
                )
            elif (best.score, best.stars, best.passed, best.attempts) != (
                expected["score"],
                expected["stars"],
                expected["passed"],
                expected["attempts"],
            ):
                report.mismatches.append(
                    Mismatch(
                        "bests",
                        name,
                        level_id,
                        best.score,
                        expected["score"],
                        f"最佳成绩(分数 {best.score},{best.attempts} 次)与运行记录"
                        f"(分数 {expected['score']},{expected['attempts']} 次)不符",
                    )
                )
    for (player_id, level_id), expected in history_bests.items():
        report.mismatches.append(
            Mismatch(
                "bests",
                names.get(player_id) or player_id,
                level_id,
                None,
                expected["score"],
                "运行记录中有成绩,但最佳成绩里没有",
            )
        )

    # Leaderboard entries: re-score their stored inputs; for local players, compare with history.
    local_players = {p.id for p in store.players()} | {run.player_id for run in runs}
    board_levels: dict[str, dict[str, Any]] = store.leaderboard_data()["levels"]
    for level_id, players in board_levels.items():
        level = catalog.levels.get(level_id) or special_levels.get(level_id)
        for player_id, entry in players.items():
            for slot_name, autoplay in (("best", False), ("autoplay", True)):
                slot = entry.get(slot_name)
                if not slot:
                    continue
                report.checked_entries += 1
                who = entry.get("player", player_id)
                if level is not None:
                    result, problem = _rescored(level, catalog, slot.get("inputs"), slot.get("seed"))
                    if result is None:
                        report.mismatches.append(
                            Mismatch(
                                "leaderboard", who, level_id, slot["score"], None, problem or "", slot.get("run_id")
                            )
                        )
                    elif result.total != slot["score"]:
                        report.mismatches.append(
                            Mismatch(
                                "leaderboard",
                                who,
                                level_id,
                                slot["score"],
                                result.total,
                                f"排行榜上的分数 {slot['score']} 与按输入重算的 {result.total} 不符",
                                slot.get("run_id"),
                            )
                        )
                if player_id in local_players:
                    expected = board_from_history.get((player_id, level_id, autoplay))
                    if expected is not None and (expected["score"], expected["attempts"]) != (
                        slot["score"],
                        slot["attempts"],
                    ):
                        got = f"分数 {expected['score']},{expected['attempts']} 次"
                        report.mismatches.append(
                            Mismatch(
                                "leaderboard",
                                who,
                                level_id,
                                slot["score"],
                                expected["score"],
                                f"排行榜(分数 {slot['score']},{slot['attempts']} 次)与本机运行记录({got})不符",
                                slot.get("run_id"),
                            )
                        )
    # Both ways: every run on the board, every entry from a run; copies and backdating.
    for finding in history_findings(runs, moment) + board_findings(
        board_levels, runs, local_players, [*catalog.levels, *special_levels], moment
    ):
        report.mismatches.append(Mismatch(**vars(finding)))
    return report
