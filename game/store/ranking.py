"""How bests merge and how leaderboards rank: pure functions shared by both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from ..progression import BestResult
from .records import LeaderboardEntry


def merge_best(
    best: dict[str, Any], score: int, stars: int, passed: bool, attempts: int, when: str, run_id: str
) -> None:
    """Fold later result(s) into a stored best. An equal score keeps the earlier run."""
    best["attempts"] += attempts
    best["passed"] = best["passed"] or passed
    best["stars"] = max(best["stars"], stars)
    if score > best["score"]:
        best.update(score=score, when=when, run_id=run_id)


def best_from_doc(doc: dict[str, Any]) -> BestResult:
    return BestResult(doc["level_id"], doc["score"], doc["stars"], doc["passed"], doc["attempts"])


@lru_cache(maxsize=8192)
def parse_when(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


def rank(entries: list[LeaderboardEntry], limit: int) -> list[LeaderboardEntry]:
    # Best score first; on a tie, whoever reached it first.
    entries.sort(key=lambda e: (-e.score, parse_when(e.when), e.player, e.player_id or ""))
    return entries[:limit] if limit and limit > 0 else entries


def counted_slot(entry: dict[str, Any], include_autoplay: bool) -> tuple[int, int, str] | None:
    """(score, attempts, when) of one leaderboard entry, or None if nothing counts."""
    candidates = [entry.get("best")] + ([entry.get("autoplay")] if include_autoplay else [])
    slots: list[dict[str, Any]] = [s for s in candidates if s]
    if not slots:
        return None
    top = max(slots, key=lambda s: (s["score"], -parse_when(s["when"])))
    return top["score"], sum(s["attempts"] for s in slots), top["when"]


def player_scores(levels: dict[str, dict[str, Any]], include_autoplay: bool) -> list[LeaderboardEntry]:
    totals: dict[str, dict[str, Any]] = {}
    for players in levels.values():
        for player_id, entry in players.items():
            counted = counted_slot(entry, include_autoplay)
            if counted is None:
                continue
            score, attempts, when = counted
            row = totals.setdefault(
                player_id,
                {"player": entry["player"], "team": entry["team"], "score": 0, "attempts": 0, "when": when},
            )
            row["score"] += score
            row["attempts"] += attempts
            if parse_when(when) > parse_when(row["when"]):
                row["when"] = when
    level = next(iter(levels)) if len(levels) == 1 else None
    return [
        LeaderboardEntry(r["player"], r["team"], r["score"], r["attempts"], r["when"], level, pid)
        for pid, r in totals.items()
    ]


def team_scores(players: list[LeaderboardEntry]) -> list[LeaderboardEntry]:
    groups: dict[str, list[LeaderboardEntry]] = {}
    for entry in players:
        groups.setdefault(entry.team, []).append(entry)
    rows = []
    for team, members in groups.items():
        mean = round(sum(m.score for m in members) / len(members))
        latest = max(members, key=lambda m: parse_when(m.when)).when
        rows.append(
            LeaderboardEntry(
                team, team, mean, sum(m.attempts for m in members), latest, members[0].level_id, None, len(members)
            )
        )
    return rows


Clock = Callable[[], datetime]


def local_now() -> datetime:
    """The default clock of a store: now, in this machine's time zone."""
    return datetime.now().astimezone()


def week_start(now: datetime) -> datetime:
    """Monday 00:00 of the ISO week holding `now`, in `now`'s time zone (the machine's if naive):
    the start of the weekly board."""
    if now.tzinfo is None:
        now = now.astimezone()
    monday = (now - timedelta(days=now.weekday())).date()
    return datetime.combine(monday, time(0), tzinfo=now.tzinfo)


def run_week_start(finished: str, zone: tzinfo | None) -> datetime:
    """The start of the week (in `zone`) in which a run finished at `finished`."""
    return week_start(datetime.fromtimestamp(parse_when(finished), zone))
