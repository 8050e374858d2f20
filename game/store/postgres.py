"""The PostgreSQL backend: one organisation store for every site, written only by the game.

Tables (schema version in `schema_version`; each entry of `MIGRATIONS` is one numbered step,
applied in order under an advisory lock when a store opens):

- `runs` — every finished run (the inputs it was scored from in `data`), unique by run id, so
  recording a run again (a resent outbox, a second `store copy`) changes nothing;
- `bests` — per player and level, updated in the same transaction as the run insert;
- `board` — the leaderboard: per level, player and autoplay flag, the best assessment run with
  its inputs (what `verify` re-scores) and how many runs counted;
- `players` (with an optional salted PIN hash), `wrong` (错题本), `progress` (a level in play);
- `cards`, `placements`, `cards_migrated` — review cards and placement results (`game.store.pglearning`).

The schema and its migrations are in `game.store.pgschema`.

Top-20 and bests read `board` and `bests`, whose size is players × levels: they cost the same at
ten thousand runs as at a million (`tests/perf/bench_postgres.py`).

If the server cannot be reached when a run ends, the run is appended to a local outbox file
(`<saves>/outbox-<server>.jsonl`) and sent the next time the store reaches the server; a note in
`problems` says so. Because runs are unique by id, sending twice is harmless.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from filelock import FileLock

from ..progression import BestResult
from .atomic import LOCK_TIMEOUT
from .errors import StorageProblem
from .pglearning import PostgresLearning
from .pgschema import BEST_UPSERT, BOARD_UPSERT, MIGRATIONS, PLAYER_BOARD, SCHEMA_VERSION, WEEK_BOARD
from .pins import hash_pin, pin_matches
from .ranking import Clock, local_now, parse_when, rank, team_scores, week_start
from .records import DEFAULT_TEAM, UNRANKED_LEVELS, WRONG_KEEP, LeaderboardEntry, Player, RunRecord, clean_name, now_iso

CONNECT_TIMEOUT = 5  # seconds: a run must not hang on a dead server before it goes to the outbox
MIGRATION_LOCK = 0x43515354  # advisory lock key ("CQST") held while migrating
RETRIES = 3  # a deadlock or serialization failure is retried this many times


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class PostgresStore:
    """The store on a PostgreSQL server (psycopg 3). Opening migrates the schema if needed."""

    def __init__(self, url: str, outbox_dir: Path | None = None, *, clock: Clock | None = None) -> None:
        self.url = url
        self.clock: Clock = clock or local_now  # its time zone is the weekly board's
        self.problems: list[str] = []
        self._conn: psycopg.Connection[Any] | None = None
        self._bests_seen: dict[str, dict[str, BestResult]] = {}
        server = hashlib.sha1(redact(url).encode()).hexdigest()[:10]
        self.outbox_file = Path(outbox_dir or ".") / f"outbox-{server}.jsonl"
        self._outbox_lock = FileLock(str(self.outbox_file) + ".lock", timeout=LOCK_TIMEOUT)
        self.learning = PostgresLearning(self)
        """The 错题本 (review cards) and placement results, on the server."""
        self._migrate()
        self._send_outbox()

    @property
    def location(self) -> str:
        return redact(self.url)

    def _note(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    # --- connection ------------------------------------------------------------------------
    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = psycopg.connect(
                    self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name="collectquest"
                )
            except psycopg.Error as exc:
                raise StorageProblem(f"无法连接数据库 {self.location}：{_first_line(exc)}") from None
        return self._conn

    def _fetch(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        for attempt in range(2):  # a connection the server dropped (restarted) is opened again once
            try:
                with self._connection().cursor() as cur:
                    cur.execute(sql, params)
                    return cur.fetchall() if cur.description else []
            except psycopg.OperationalError as exc:
                self._drop()
                if attempt:
                    raise StorageProblem(f"数据库 {self.location} 连接中断：{_first_line(exc)}") from None
        raise AssertionError("unreachable")

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
        self._conn = None

    def close(self) -> None:
        self._drop()

    def _migrate(self) -> None:
        conn = self._connection()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())"
            )
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
            current = int(row[0]) if row else 0
            if current > SCHEMA_VERSION:
                raise StorageProblem(
                    f"数据库由更新版本的催收闯关建立（结构版本 {current}，本程序只支持到 {SCHEMA_VERSION}），"
                    "请先升级本程序；数据库未做任何改动。"
                )
            for version, sql in MIGRATIONS:
                if version > current:
                    conn.execute(sql.encode())
                    conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))

    def schema_version(self) -> int:
        rows = self._fetch("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return int(rows[0][0])

    # --- players ---------------------------------------------------------------------------
    def players(self) -> list[Player]:
        rows = self._fetch("SELECT id, name, team, created FROM players ORDER BY seq")
        return [Player(*row) for row in rows]

    def create_player(self, name: str, team: str) -> Player:
        name = clean_name(name, "学员名字")
        team = clean_name(team, "团队名") if team and team.strip() else DEFAULT_TEAM
        player = Player(os.urandom(6).hex(), name, team, now_iso())
        rows = self._fetch(
            "INSERT INTO players (id, name, team, created) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (team, name) DO NOTHING RETURNING id",
            (player.id, player.name, player.team, player.created),
        )
        if not rows:
            raise ValueError(f"团队「{team}」里已经有名叫「{name}」的学员，请换一个名字（例如加上工号）")
        return player

    def get_player(self, player_id: str) -> Player | None:
        rows = self._fetch("SELECT id, name, team, created FROM players WHERE id = %s", (player_id,))
        return Player(*rows[0]) if rows else None

    def find_or_create_player(self, name: str, team: str | None) -> Player:
        found = self.find_player(name, team)
        if found is not None:
            return found
        try:
            return self.create_player(name, team or "")
        except ValueError:  # created by another process in between: (team, name) is unique
            again = self.find_player(name, team)
            if again is None:
                raise
            return again

    def find_player(self, name: str, team: str | None = None) -> Player | None:
        try:
            name = clean_name(name)
        except ValueError:
            return None
        rows = self._fetch(
            "SELECT id, name, team, created FROM players WHERE name = %s AND (%s::text IS NULL OR team = %s::text)"
            " ORDER BY seq LIMIT 1",
            (name, team, team),
        )
        return Player(*rows[0]) if rows else None

    # --- sign-in ---------------------------------------------------------------------------
    def _pin_hash(self, player_id: str) -> str | None:
        rows = self._fetch("SELECT pin_hash FROM players WHERE id = %s", (player_id,))
        return rows[0][0] if rows and isinstance(rows[0][0], str) else None

    def has_pin(self, player_id: str) -> bool:
        return self._pin_hash(player_id) is not None

    def set_pin(self, player_id: str, pin: str | None) -> None:
        hashed = hash_pin(pin) if pin is not None else None
        rows = self._fetch("UPDATE players SET pin_hash = %s WHERE id = %s RETURNING id", (hashed, player_id))
        if not rows:
            raise ValueError("没有这个学员")

    def check_pin(self, player_id: str, pin: str) -> bool:
        stored = self._pin_hash(player_id)
        return stored is None or pin_matches(pin, stored)

    def pin_hash(self, player_id: str) -> str | None:
        return self._pin_hash(player_id)

    def add_player(self, player: Player, pin_hash: str | None = None) -> bool:
        """Copy a player from another store, keeping its id (and PIN hash); False if present."""
        rows = self._fetch(
            "INSERT INTO players (id, name, team, created, pin_hash) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING RETURNING id",
            (player.id, player.name, player.team, player.created, pin_hash),
        )
        return bool(rows)

    # --- runs ------------------------------------------------------------------------------
    def record_run(self, run: RunRecord) -> None:
        """Store the run with its bests, 错题本 and leaderboard in one transaction; a run id already
        stored changes nothing. If the server cannot be reached, the run goes to the outbox."""
        if run.mode not in ("practice", "assessment"):
            raise ValueError(f"unknown mode {run.mode!r}")
        RunRecord.from_dict(run.to_dict())  # never store a record that could not be read back
        try:
            self._send_outbox()
            self._insert_run(run)
        except StorageProblem:
            self._keep_in_outbox(run)

    def _insert_run(self, run: RunRecord) -> bool:
        """True if the run was new. StorageProblem if the server cannot be reached."""
        data = run.to_dict()
        params = dict(
            data,
            data=json.dumps(data, ensure_ascii=False),
            inputs=json.dumps(run.inputs, ensure_ascii=False),
            reached_at=parse_when(run.finished),
        )
        for attempt in range(RETRIES):
            try:
                conn = self._connection()
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute(
                        "INSERT INTO runs (run_id, player_id, level_id, mode, autoplay, total, finished,"
                        " finished_at, data) VALUES (%(run_id)s, %(player_id)s, %(level_id)s, %(mode)s,"
                        " %(autoplay)s, %(total)s, %(finished)s, %(reached_at)s, %(data)s::jsonb)"
                        " ON CONFLICT (run_id) DO NOTHING RETURNING seq",
                        params,
                    )
                    if cur.fetchone() is None:
                        return False
                    # A run from another store (store copy) may bring a player this one lacks.
                    cur.execute(
                        "INSERT INTO players (id, name, team, created) VALUES (%(player_id)s, %(player)s, %(team)s,"
                        " %(started)s) ON CONFLICT DO NOTHING",
                        params,
                    )
                    # As the embedded store: the placement and gain tests never count as a best or
                    # on the board; an autoplay run counts as played only when recorded as the trainee's.
                    ranked = run.level_id not in UNRANKED_LEVELS
                    if ranked and (not run.autoplay or run.as_trainee):
                        cur.execute(BEST_UPSERT, params)
                        if run.wrong_questions:
                            self._merge_wrong(cur, run.player_id, run.wrong_questions)
                    if ranked and run.mode == "assessment":
                        cur.execute(BOARD_UPSERT, params)
                return True
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                if attempt == RETRIES - 1:
                    raise
            except psycopg.OperationalError as exc:
                self._drop()  # the next attempt opens a new connection (the server may be back)
                if attempt == RETRIES - 1:
                    raise StorageProblem(f"数据库 {self.location} 连接中断：{_first_line(exc)}") from None
        return False

    @staticmethod
    def _merge_wrong(cur: psycopg.Cursor[Any], player_id: str, keys: list[str]) -> None:
        cur.execute("INSERT INTO wrong (player_id, keys) VALUES (%s, '[]') ON CONFLICT DO NOTHING", (player_id,))
        cur.execute("SELECT keys FROM wrong WHERE player_id = %s FOR UPDATE", (player_id,))
        row = cur.fetchone()
        old = [k for k in (row[0] if row else []) if isinstance(k, str)]
        newest = list(dict.fromkeys(reversed(keys)))  # the last wrong answer is the newest
        merged = (newest + [k for k in old if k not in newest])[:WRONG_KEEP]
        cur.execute("UPDATE wrong SET keys = %s::jsonb WHERE player_id = %s", (json.dumps(merged), player_id))

    # --- the outbox: runs that could not be sent -------------------------------------------
    def _keep_in_outbox(self, run: RunRecord) -> None:
        line = json.dumps(run.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            self.outbox_file.parent.mkdir(parents=True, exist_ok=True)
            with self._outbox_lock, open(self.outbox_file, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise StorageProblem(
                f"无法连接数据库 {self.location}，也无法把成绩暂存到 {self.outbox_file}：{exc.strerror or exc}"
            ) from None
        self._note(
            f"暂时连不上成绩服务器，本次成绩已保存在本机（{self.outbox_file}），服务器恢复后会自动上传，不会丢失。"
        )

    def _outbox_runs(self) -> list[RunRecord]:
        try:
            text = self.outbox_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        runs = []
        for line in text.splitlines():
            try:
                runs.append(RunRecord.from_dict(json.loads(line)))
            except (json.JSONDecodeError, ValueError):
                continue  # a line torn by a killed writer: the run it held was never confirmed
        return runs

    def pending_runs(self) -> int:
        return len(self._outbox_runs())

    def _send_outbox(self) -> int:
        """Send the runs kept locally (oldest first) and empty the outbox. StorageProblem if the
        server is still unreachable (the outbox is kept)."""
        if not self.outbox_file.exists():
            return 0
        with self._outbox_lock:
            runs = self._outbox_runs()
            for run in runs:
                self._insert_run(run)
            self.outbox_file.unlink(missing_ok=True)
        if runs:
            self.problems = [p for p in self.problems if not p.startswith("暂时连不上成绩服务器")]
            self._note(f"已把暂存在本机的 {len(runs)} 条成绩上传到服务器。")
        return len(runs)

    def runs(self, player_id: str | None = None, level_id: str | None = None) -> Iterator[RunRecord]:
        """Every run oldest first, read in pages (no long transaction on the server)."""
        after = 0
        while True:
            rows = self._fetch(
                "SELECT seq, data FROM runs WHERE seq > %s AND (%s::text IS NULL OR player_id = %s::text)"
                " AND (%s::text IS NULL OR level_id = %s::text) ORDER BY seq LIMIT 2000",
                (after, player_id, player_id, level_id, level_id),
            )
            if not rows:
                return
            for _seq, data in rows:
                yield RunRecord.from_dict(data)
            after = rows[-1][0]

    @property
    def unreadable_run_lines(self) -> list[int]:
        return []  # rows are checked when inserted

    def run_count(self) -> int:
        return int(self._fetch("SELECT COUNT(*) FROM runs")[0][0])

    def bests(self, player_id: str) -> dict[str, BestResult]:
        """From the server; while it is unreachable, the last bests seen with the outbox folded in."""
        try:
            rows = self._fetch(
                "SELECT level_id, score, stars, passed, attempts FROM bests WHERE player_id = %s", (player_id,)
            )
        except StorageProblem:
            return self._offline_bests(player_id)
        result = {row[0]: BestResult(*row) for row in rows}
        self._bests_seen[player_id] = result
        return result

    def _offline_bests(self, player_id: str) -> dict[str, BestResult]:
        result = dict(self._bests_seen.get(player_id, {}))
        for run in self._outbox_runs():
            if run.player_id != player_id or run.autoplay:
                continue
            old = result.get(run.level_id)
            if old is None:
                result[run.level_id] = BestResult(run.level_id, run.total, run.stars, run.passed, 1)
            else:
                result[run.level_id] = BestResult(
                    run.level_id,
                    max(old.score, run.total),
                    max(old.stars, run.stars),
                    old.passed or run.passed,
                    old.attempts + 1,
                )
        return result

    def all_bests(self) -> dict[str, dict[str, BestResult]]:
        result: dict[str, dict[str, BestResult]] = {}
        for player_id, *best in self._fetch(
            "SELECT player_id, level_id, score, stars, passed, attempts FROM bests ORDER BY player_id, level_id"
        ):
            result.setdefault(player_id, {})[best[0]] = BestResult(*best)
        return result

    def wrong_questions(self, player_id: str) -> list[str]:
        rows = self._fetch("SELECT keys FROM wrong WHERE player_id = %s", (player_id,))
        return [k for k in rows[0][0] if isinstance(k, str)] if rows else []

    # --- a level in progress ---------------------------------------------------------------
    def save_progress(self, player_id: str, snapshot: dict[str, Any]) -> None:
        """Keep a level in play. While the server is unreachable the level goes on unsaved (the
        finished run itself goes to the outbox), and a note says so."""
        text = json.dumps(snapshot, ensure_ascii=False)
        try:
            self._fetch(
                "INSERT INTO progress (player_id, snapshot) VALUES (%s, %s::jsonb)"
                " ON CONFLICT (player_id) DO UPDATE SET snapshot = EXCLUDED.snapshot",
                (player_id, text),
            )
        except StorageProblem:
            self._note("暂时连不上成绩服务器，关卡进度未能保存；完成关卡后的成绩会先保存在本机。")

    def load_progress(self, player_id: str) -> dict[str, Any] | None:
        rows = self._fetch("SELECT snapshot FROM progress WHERE player_id = %s", (player_id,))
        return dict(rows[0][0]) if rows else None

    def clear_progress(self, player_id: str) -> None:
        try:
            self._fetch("DELETE FROM progress WHERE player_id = %s", (player_id,))
        except StorageProblem:
            pass  # offline: the old snapshot is replaced or cleared when the player next plays

    # --- leaderboard -----------------------------------------------------------------------
    def leaderboard_data(self) -> dict[str, Any]:
        """The board in the leaderboard file's shape (for verify)."""
        levels: dict[str, dict[str, Any]] = {}
        for (
            level_id,
            player_id,
            autoplay,
            player,
            team,
            score,
            stars,
            passed,
            attempts,
            when,
            run_id,
            seed,
            inputs,
        ) in self._fetch(
            "SELECT level_id, player_id, autoplay, player, team, score, stars, passed, attempts, reached,"
            " run_id, seed, inputs FROM board ORDER BY level_id, player_id, autoplay"
        ):
            entry = levels.setdefault(level_id, {}).setdefault(
                player_id, {"player": player, "team": team, "best": None, "autoplay": None}
            )
            entry["autoplay" if autoplay else "best"] = {
                "score": score,
                "stars": stars,
                "passed": passed,
                "when": when,
                "run_id": run_id,
                "seed": seed,
                "inputs": inputs,
                "attempts": attempts,
            }
        return {"levels": levels}

    def leaderboard(
        self,
        level_id: str | None = None,
        teams: bool = False,
        include_autoplay: bool = False,
        limit: int = 20,
        week: bool = False,
    ) -> list[LeaderboardEntry]:
        """Best first, ranked as the leaderboard file ranks (see `game.store.ranking`); `week`:
        the runs of the current ISO week only (from Monday 00:00 by `clock`)."""
        params: dict[str, Any] = {
            "autoplay": include_autoplay,
            "level": level_id,
            "limit": limit if limit and limit > 0 and not teams else None,
        }
        if week:
            params.update(since=week_start(self.clock()).timestamp(), unranked=sorted(UNRANKED_LEVELS))
        rows = self._fetch(WEEK_BOARD if week else PLAYER_BOARD, params)
        players = [
            LeaderboardEntry(player, team, int(score), int(attempts), when, level_id, pid)
            for player, team, score, attempts, when, pid in rows
        ]
        if teams:
            return rank(team_scores(players), limit)
        return players


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
