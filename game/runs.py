"""Turning a finished LevelSession into a RunRecord for storage."""

from __future__ import annotations

import uuid
from datetime import datetime

from .quiz import QuizResult
from .session import LevelSession
from .storage import Player, RunRecord


def run_from_session(session: LevelSession, player: Player, started: datetime, finished: datetime,
                     autoplay: bool = False) -> RunRecord:
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
    )
