"""Saved progress, run history and the shared leaderboard.

Three kinds of file, so that nothing is lost or half-written and cost does not grow with history:

- `<saves>/profiles.json` — a TinyDB database (players, bests, 错题本, progress in a level) kept by
  `AtomicJSONStorage`: every change is a read-modify-write under a cross-process `FileLock`
  (`profiles.json.lock`), and the new file is written to a temporary file in the same folder,
  flushed, fsynced and renamed over the old one with `os.replace`. A killed writer leaves the old
  file intact.
- `<saves>/runs.jsonl` — the history: one finished run per line (JSON Lines), only ever appended
  (under `runs.jsonl.lock`, fsynced), so recording a run never rewrites history. A line torn by a
  killed writer is skipped on read and cut off by the next writer.
- the leaderboard (default `<saves>/leaderboard.json`; may live on a shared folder): per level and
  player, the best assessment run and how many assessment runs counted. It is kept apart from the
  history, so the top-20 query reads players × levels entries, never every run. Each entry keeps the
  inputs of its best run, so `collectquest verify` can re-score it even when the run was recorded
  on another machine. Reading it takes no lock (writers replace it atomically), so a shared board
  can be read by many machines at once, and by users who may not write to it.
  Beside the all-time `levels`, `week_start` and `week_levels` hold, compactly, the runs of one
  ISO week (level -> player id -> {"b" or "a" (autoplay): [score, attempts, when]}; names come
  from the all-time entry); a run of a later week starts them afresh, so the weekly
  board also reads players × levels entries.

Recording a run (`SaveStore.record_run`) holds the history lock throughout: append the run, then
update profiles, then the leaderboard. Profiles and the leaderboard each store, in the same atomic
write as their data, the history offset they have taken in. If a writer is killed between the
steps, the next writer (or the next open) folds the runs left behind into them, so a run in the
history is counted exactly once. Locks are always taken in the order history → profiles →
leaderboard, so they cannot deadlock.

Scoring rules kept here:
- bests (for unlocking, stars, rank) count practice and assessment runs; autoplay runs never count.
- the leaderboard counts assessment runs only; autoplay runs are kept in a separate slot and shown
  only when asked (`include_autoplay`).
- overall = the sum of a player's per-level bests; a team's score = the MEAN of its members'
  scores (members = players with at least one counted run), so teams of different sizes compare
  fairly.

Every file is UTF-8 JSON with readable Chinese (ensure_ascii=False) and carries `format_version`.
`MIGRATIONS` holds the upgrade steps for the next version. A file that cannot be read (bad JSON,
wrong shape, unknown version) is moved aside as `<name>.corrupt-<timestamp>`, reported in
`SaveStore.problems`, and a fresh file is started: nothing is silently overwritten.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tinydb import Query
from tinydb.table import Table

from ..filedata import os_reason, sanitize
from ..progression import BestResult
from . import versions
from .atomic import AtomicJSONStorage, remove_stale_temps
from .documents import fresh_leaderboard, fresh_profiles, leaderboard_validator, profiles_validator
from .errors import RunKept, StorageProblem, StoreNotWritable
from .folders import LEADERBOARD_FILE, PROFILES_FILE, RUNS_FILE
from .history import RunHistory
from .ranking import (
    Clock,
    best_from_doc,
    local_now,
    merge_best,
    parse_when,
    player_scores,
    rank,
    run_week_start,
    team_scores,
    week_start,
)
from .records import DEFAULT_TEAM, UNRANKED_LEVELS, WRONG_KEEP, LeaderboardEntry, Player, RunRecord, clean_name, now_iso


class SaveStore:
    """All saved data of one saves folder plus one (possibly shared) leaderboard file.

    Opening never fails on a damaged file: it is moved aside and described in `problems`, which
    the game shows to the player. Nor on a full disk, a read-only folder or a held lock: what
    could not be written is described in `problems` and left for the next writer.

    `read_only=True` is for viewing (leaderboard, report, verify): no lock file, no write, no
    repair; a damaged file is reported and left in place."""

    def __init__(
        self,
        saves_dir: Path,
        leaderboard_file: Path | None = None,
        *,
        read_only: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.saves_dir = Path(saves_dir)
        self.clock: Clock = clock or local_now  # its time zone is the weekly board's
        self.leaderboard_file = Path(leaderboard_file) if leaderboard_file else self.saves_dir / LEADERBOARD_FILE
        self.read_only = read_only
        self.problems: list[str] = []
        if not read_only:
            try:
                self.saves_dir.mkdir(parents=True, exist_ok=True)
                self.leaderboard_file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageProblem(f"无法创建存档文件夹 {self.saves_dir}:{os_reason(exc)}") from None
        profiles_path = self.saves_dir / PROFILES_FILE
        self._profiles = AtomicJSONStorage(
            profiles_path,
            profiles_validator(profiles_path),
            fresh_profiles,
            self._note,
            read_only=read_only,
        )
        self._board = AtomicJSONStorage(
            self.leaderboard_file,
            leaderboard_validator(self.leaderboard_file),
            fresh_leaderboard,
            self._note,
            layout_depth=3,
            records_replaced=True,  # see _update_leaderboard
            read_only=read_only,
        )
        self._history = RunHistory(self.saves_dir / RUNS_FILE, self._note)
        self._store_id_cached = ""
        if read_only:
            self._profiles.read()  # a damaged file is reported now, so the reader is told
            self._board.snapshot()
            return
        for path in (profiles_path, self.leaderboard_file):
            remove_stale_temps(path)
        try:
            with self._profiles.transaction():
                self._profiles.read()
        except StoreNotWritable as exc:
            self._note(f"{exc} 存档暂时只能查看。")
        self._board.snapshot()  # a damaged leaderboard is moved aside now, so the player is told
        try:
            self._history.check()
            self._catch_up_on_open()
            self._migrate_history()
        except StoreNotWritable as exc:
            # Nothing is lost: the runs stay in the history and are folded in by the next writer.
            self._note(f"{exc} 未计入的成绩会在下次能写入时自动补上。")

    @property
    def runs_file(self) -> Path:
        return self._history.path

    @property
    def profiles_file(self) -> Path:
        return self._profiles.path

    def _note(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def _table(self, name: str) -> Table:
        # A fresh Table every time: TinyDB caches query results and the next document id per
        # Table object, and both go stale when another process writes the file.
        return Table(self._profiles, name, cache_size=0)

    # --- players -------------------------------------------------------------------------
    def players(self) -> list[Player]:
        with self._profiles.transaction():
            docs = self._table("players").all()
        # In the order they were created (document ids only grow).
        return [Player(d["id"], d["name"], d["team"], d["created"]) for d in sorted(docs, key=lambda d: d.doc_id)]

    def find_or_create_player(self, name: str, team: str | None) -> Player:
        """The player with this name (in `team` if given), created if there is none; in one
        transaction, so two processes creating the same new name at once get the same player."""
        name = clean_name(name, "学员名字")
        team_name = clean_name(team, "团队名") if team and team.strip() else None
        with self._profiles.transaction():
            for doc in sorted(self._table("players").all(), key=lambda d: d.doc_id):
                if doc["name"] == name and (team_name is None or doc["team"] == team_name):
                    return Player(doc["id"], doc["name"], doc["team"], doc["created"])
            return self.create_player(name, team_name or "")

    def create_player(self, name: str, team: str) -> Player:
        """A new trainee. Raises ValueError (Chinese message) for an empty name or a name already
        used in the same team."""
        name = clean_name(name, "学员名字")
        team = clean_name(team, "团队名") if team and team.strip() else DEFAULT_TEAM
        with self._profiles.transaction():
            table = self._table("players")
            q = Query()
            if table.search((q.name == name) & (q.team == team)):
                raise ValueError(f"团队「{team}」里已经有名叫「{name}」的学员,请换一个名字(例如加上工号)")
            player = Player(uuid.uuid4().hex[:12], name, team, now_iso())
            table.insert(asdict(player))
        return player

    def get_player(self, player_id: str) -> Player | None:
        with self._profiles.transaction():
            doc = self._table("players").get(Query().id == player_id)
        if doc is None or isinstance(doc, list):
            return None
        return Player(doc["id"], doc["name"], doc["team"], doc["created"])

    def find_player(self, name: str, team: str | None = None) -> Player | None:
        """The player with this (cleaned) name, in `team` if given; None if there is none."""
        try:
            name = clean_name(name)
        except ValueError:
            return None
        matches = [p for p in self.players() if p.name == name and (team is None or p.team == team)]
        return matches[0] if matches else None

    # --- runs ----------------------------------------------------------------------------
    def record_run(self, run: RunRecord) -> None:
        """Append the run to the history, then bring bests, 错题本 and the leaderboard up to date.

        The history is the truth. Bests and the leaderboard each store, in the same atomic write
        as their data, the history offset they have taken in ("applied"). The whole operation
        holds the history lock, so if an earlier writer was killed between its append and its
        updates, this call first applies the runs it left behind: nothing is counted twice and
        nothing is lost."""
        if run.mode not in ("practice", "assessment"):
            raise ValueError(f"unknown mode {run.mode!r}")
        data = run.to_dict()
        RunRecord.from_dict(sanitize(data))  # never store a record that could not be read back
        line = (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            with self._history.locked():
                history_id, start = self._history.prepare()
                # Recording the same run again (a retry after a RunKept or a lock timeout) must not
                # count it twice: it only brings bests and the board up to date.
                again = self._history.contains_run(run.run_id, start)
                end = start if again else self._history.append_locked(line, start)
                self._record_applied(run, history_id, start, end, again)
        except RunKept:
            raise
        except StoreNotWritable as exc:
            raise StoreNotWritable(f"本次成绩未能保存:{exc}") from None

    def _record_applied(self, run: RunRecord, history_id: str, start: int, end: int, again: bool) -> None:
        """Bests and the leaderboard after the run is in the history (call under the history lock)."""
        try:
            with self._profiles.transaction():
                if not self._store_id_cached:
                    self._store_id_cached = self._store_id()
                if again:
                    self._catch_up_profiles(history_id, end)
                else:
                    self._catch_up_profiles(history_id, start)
                    self._apply_to_profiles([run])
                    self._set_profiles_marker(history_id, end)
        except StorageProblem as exc:
            raise RunKept(
                f"本次成绩已保存在运行记录 {self._history.path} 中,但还没有计入最佳成绩"
                f"{'和排行榜' if run.mode == 'assessment' else ''}:{exc} "
                "下次记录成绩或打开游戏时会自动补上,不必重玩。"
            ) from None
        if run.mode != "assessment" or run.level_id in UNRANKED_LEVELS:
            return
        try:
            with self._board.transaction():
                self._catch_up_board(history_id, end if again else start)
                if not again:
                    self._update_leaderboard(run)
                    self._set_board_marker(history_id, end)
        except StorageProblem as exc:
            raise RunKept(
                f"本次成绩已保存在本机的运行记录 {self._history.path} 和最佳成绩中,但未能写入排行榜 "
                f"{self.leaderboard_file}:{exc} 排行榜能写入后,下次记录成绩时会自动补上。"
            ) from None

    def _store_id(self) -> str:
        """This saves folder's id on the (possibly shared) leaderboard. Call in a profiles transaction."""
        meta = self._profiles.read()["_meta"]["1"]
        if not isinstance(meta.get("store_id"), str):
            meta["store_id"] = uuid.uuid4().hex
            self._profiles.write(self._profiles.read())
        return str(meta["store_id"])

    def _profiles_marker(self) -> dict[str, Any] | None:
        marker = self._profiles.read()["_meta"]["1"].get("applied")
        return marker if isinstance(marker, dict) else None

    def _set_profiles_marker(self, history_id: str, offset: int) -> None:
        data = self._profiles.read()
        data["_meta"]["1"]["applied"] = {"history": history_id, "offset": offset}
        self._profiles.write(data)

    def _board_marker(self, store_id: str) -> dict[str, Any] | None:
        marker = self._board.read().setdefault("applied", {}).get(store_id)
        return marker if isinstance(marker, dict) else None

    def _set_board_marker(self, history_id: str, offset: int) -> None:
        store_id = self._store_id_cached
        data = self._board.read()
        data.setdefault("applied", {})[store_id] = {"history": history_id, "offset": offset}
        self._board.write(data)

    def _catch_up_profiles(self, history_id: str, upto: int) -> int:
        """Apply runs in the history before `upto` that the profiles have not taken in. Call in a
        profiles transaction. Returns how many runs were applied."""
        marker = self._profiles_marker()
        since = marker["offset"] if marker and marker["history"] == history_id else 0
        if since >= upto:
            return 0
        runs = self._history.read_range(since, upto)
        players = {d["id"] for d in self._table("players").all()}
        for run in runs:
            if run.player_id not in players:
                # The profiles were lost (moved aside as corrupt): the history brings players back.
                self._table("players").insert(asdict(Player(run.player_id, run.player, run.team, run.started)))
                players.add(run.player_id)
        self._apply_to_profiles(runs)
        self._set_profiles_marker(history_id, upto)
        if runs:
            self._note(f"已根据运行记录补上 {len(runs)} 条未计入最佳成绩的运行(上次写入时程序被中断或存档重建)。")
        return len(runs)

    def _catch_up_board(self, history_id: str, upto: int) -> int:
        """The same for the leaderboard (call in a board transaction, store id known)."""
        store_id = self._store_id_cached
        marker = self._board_marker(store_id)
        if marker is not None and marker["history"] == history_id and marker["offset"] >= upto:
            return 0
        since = marker["offset"] if marker and marker["history"] == history_id else 0
        runs = [
            r
            for r in self._history.read_range(since, upto)
            if r.mode == "assessment" and r.level_id not in UNRANKED_LEVELS
        ]
        if marker is None:
            # This store has never written here (or the board was rebuilt): players already on
            # the board were put there by this store's earlier runs, so only add the others.
            present = {pid for players in self._board.read()["levels"].values() for pid in players}
            runs = [r for r in runs if r.player_id not in present]
        for run in runs:
            self._update_leaderboard(run)
        self._set_board_marker(history_id, upto)
        if runs:
            self._note(f"已根据运行记录补上 {len(runs)} 条未计入排行榜的考核成绩。")
        return len(runs)

    def _catch_up_on_open(self) -> None:
        """Finish what a killed writer left undone. Cheap when nothing is behind."""
        known = self._history.identity()
        with self._profiles.transaction():
            self._store_id_cached = self._store_id()
            marker = self._profiles_marker()
        if known is None:
            return
        history_id, size = known
        board_marker = self._board.snapshot().get("applied", {}).get(self._store_id_cached)

        def behind(m: dict[str, Any] | None) -> bool:
            return m is None or m["history"] != history_id or m["offset"] < size

        if not behind(marker) and not (board_marker is not None and behind(board_marker)):
            return
        with self._history.locked():
            history_id, size = self._history.prepare()
            with self._profiles.transaction():
                self._catch_up_profiles(history_id, size)
            with self._board.transaction():
                marker = self._board_marker(self._store_id_cached)
                if marker is not None and behind(marker):
                    self._catch_up_board(history_id, size)

    def _migrate_history(self) -> None:
        """The hook for a history of an older format version: bring bests and the leaderboard up
        to date, rewrite the history in the new version, and move both markers to its new end."""
        version = self._history.version()
        if version is None or version >= versions.FORMAT_VERSION:
            return
        with self._history.locked():
            history_id, size = self._history.prepare()
            with self._profiles.transaction():
                self._catch_up_profiles(history_id, size)
                with self._board.transaction():
                    if self._board_marker(self._store_id_cached) is not None:
                        self._catch_up_board(history_id, size)
                    new_size = self._history.rewrite_migrated()
                    self._set_profiles_marker(history_id, new_size)
                    if self._board_marker(self._store_id_cached) is not None:
                        self._set_board_marker(history_id, new_size)
        self._note(f"运行记录 {self._history.path} 已升级到格式版本 {versions.FORMAT_VERSION}。")

    def _apply_to_profiles(self, runs: list[RunRecord]) -> None:
        """Fold runs (oldest first) into bests and the 错题本. Runs are summed per player and level
        first, so catching up on many runs costs one update per best, not one per run."""
        summed: dict[tuple[str, str], dict[str, Any]] = {}
        wrong: dict[str, list[str]] = {}
        for run in runs:
            if (run.autoplay and not run.as_trainee) or run.level_id in UNRANKED_LEVELS:
                continue  # autoplay is not the trainee's own play (unless recorded as the trainee's)
            key = (run.player_id, run.level_id)
            best = summed.get(key)
            if best is None:
                summed[key] = {
                    "player_id": run.player_id,
                    "level_id": run.level_id,
                    "score": run.total,
                    "stars": run.stars,
                    "passed": run.passed,
                    "attempts": 1,
                    "when": run.finished,
                    "run_id": run.run_id,
                }
            else:
                merge_best(best, run.total, run.stars, run.passed, 1, run.finished, run.run_id)
            if run.wrong_questions:
                wrong.setdefault(run.player_id, []).extend(run.wrong_questions)
        for best in summed.values():
            self._update_best(best)
        for player_id, keys in wrong.items():
            self._update_wrong(player_id, keys)

    def _update_best(self, new: dict[str, Any]) -> None:
        table = self._table("bests")
        q = Query()
        old = table.get((q.player_id == new["player_id"]) & (q.level_id == new["level_id"]))
        if old is None or isinstance(old, list):
            table.insert(new)
            return
        merged = dict(old)
        merge_best(merged, new["score"], new["stars"], new["passed"], new["attempts"], new["when"], new["run_id"])
        table.update(merged, doc_ids=[old.doc_id])

    def _update_wrong(self, player_id: str, keys: list[str]) -> None:
        table = self._table("wrong")
        doc = table.get(Query().player_id == player_id)
        old: list[str] = list(doc["keys"]) if doc is not None and not isinstance(doc, list) else []
        newest = list(dict.fromkeys(reversed(keys)))  # the last wrong answer is the newest
        merged = (newest + [k for k in old if k not in newest])[:WRONG_KEEP]
        if doc is None or isinstance(doc, list):
            table.insert({"player_id": player_id, "keys": merged})
        else:
            table.update({"keys": merged}, doc_ids=[doc.doc_id])

    def _update_leaderboard(self, run: RunRecord) -> None:
        # A level's block of entries is replaced, never changed in place: the board's writer
        # re-encodes only the blocks that are new objects (AtomicJSONStorage records_replaced).
        data = self._board.read()
        _merge_board_entry(data["levels"], run, with_inputs=True)
        # The weekly board: the runs of one ISO week only, kept small (the board is rewritten on
        # every run; verify re-scores the all-time entries). A run of a later week starts it afresh.
        week = run_week_start(run.finished, self.clock().tzinfo)
        started = data.get("week_start")
        if not isinstance(started, str) or week.timestamp() > parse_when(started):
            data["week_start"], data["week_levels"] = week.isoformat(), {}
        if week.timestamp() == parse_when(data["week_start"]):
            _merge_week_entry(data["week_levels"], run)
        self._board.write(data)

    def runs(self, player_id: str | None = None, level_id: str | None = None) -> Iterator[RunRecord]:
        """Recorded runs, oldest first (reads the whole history: for reports and verify)."""
        for run in self._history:
            if (player_id is None or run.player_id == player_id) and (level_id is None or run.level_id == level_id):
                yield run
        if self._history.bad_lines:
            shown = ", ".join(str(n) for n in self._history.bad_lines[:10])
            more = " 等" if len(self._history.bad_lines) > 10 else ""
            self._note(f"运行记录 {self._history.path} 第 {shown}{more} 行无法读取,已跳过。")

    @property
    def unreadable_run_lines(self) -> list[int]:
        """Line numbers skipped by the last full pass of `runs()`."""
        return list(self._history.bad_lines)

    def bests(self, player_id: str) -> dict[str, BestResult]:
        with self._profiles.transaction():
            docs = self._table("bests").search(Query().player_id == player_id)
        return {d["level_id"]: best_from_doc(d) for d in docs}

    def all_bests(self) -> dict[str, dict[str, BestResult]]:
        """player id -> level id -> best, as stored."""
        with self._profiles.transaction():
            docs = self._table("bests").all()
        result: dict[str, dict[str, BestResult]] = {}
        for d in docs:
            result.setdefault(d["player_id"], {})[d["level_id"]] = best_from_doc(d)
        return result

    def wrong_questions(self, player_id: str) -> list[str]:
        with self._profiles.transaction():
            doc = self._table("wrong").get(Query().player_id == player_id)
        if doc is None or isinstance(doc, list):
            return []
        return [k for k in doc["keys"] if isinstance(k, str)]

    # --- a level in progress ---------------------------------------------------------------
    def save_progress(self, player_id: str, snapshot: dict[str, Any]) -> None:
        json.dumps(snapshot)  # refuse what could not be stored, before touching the file
        with self._profiles.transaction():
            self._table("progress").upsert(
                {"player_id": player_id, "snapshot": snapshot}, Query().player_id == player_id
            )

    def load_progress(self, player_id: str) -> dict[str, Any] | None:
        with self._profiles.transaction():
            doc = self._table("progress").get(Query().player_id == player_id)
        if doc is None or isinstance(doc, list):
            return None
        return dict(doc["snapshot"])

    def clear_progress(self, player_id: str) -> None:
        with self._profiles.transaction():
            self._table("progress").remove(Query().player_id == player_id)

    # --- leaderboard -----------------------------------------------------------------------
    def leaderboard_data(self) -> dict[str, Any]:
        """The raw leaderboard document (for verify)."""
        return self._board.snapshot()

    def leaderboard(
        self,
        level_id: str | None = None,
        teams: bool = False,
        include_autoplay: bool = False,
        limit: int = 20,
        week: bool = False,
    ) -> list[LeaderboardEntry]:
        """Best first. Per level: each player's best assessment score. Overall (no level): the sum
        of a player's per-level bests. Teams: the mean of their members' scores. `week`: only the
        runs of the current ISO week (from Monday 00:00 by `clock`)."""
        board = self._board.snapshot()
        levels: dict[str, dict[str, Any]] = board["levels"]
        if week:
            since = week_start(self.clock()).timestamp()
            started = board.get("week_start")
            if started is None:
                levels = self._week_from_history(since)  # saves from before the weekly board
            else:
                week_levels = board.get("week_levels", {}) if parse_when(started) == since else {}
                levels = _week_entries(week_levels, board["levels"])
        if level_id is not None:
            levels = {level_id: levels.get(level_id, {})}
        per_player = player_scores(levels, include_autoplay)
        if teams:
            return rank(team_scores(per_player), limit)
        return rank(per_player, limit)

    def _week_from_history(self, since: float) -> dict[str, dict[str, Any]]:
        """This week's board entries read from the history: for a board written before the weekly
        board existed, until its first run of this version fills `week_levels`."""
        levels: dict[str, dict[str, Any]] = {}
        for run in self.runs():
            if run.mode == "assessment" and run.level_id not in UNRANKED_LEVELS and parse_when(run.finished) >= since:
                _merge_board_entry(levels, run, with_inputs=False)
        return levels


def _merge_board_entry(levels: dict[str, Any], run: RunRecord, *, with_inputs: bool) -> None:
    """Fold an assessment run into a board's per-level entries. The level's block is replaced,
    never changed in place (see `_update_leaderboard`)."""
    players = levels.get(run.level_id, {})
    entry = dict(players.get(run.player_id) or {"player": run.player, "team": run.team, "best": None, "autoplay": None})
    entry["player"], entry["team"] = run.player, run.team
    slot_name = "autoplay" if run.autoplay else "best"
    slot = dict(entry[slot_name]) if entry.get(slot_name) else None
    attempts = (slot["attempts"] if slot else 0) + 1
    if slot is None or run.total > slot["score"]:
        slot = {
            "score": run.total,
            "stars": run.stars,
            "passed": run.passed,
            "when": run.finished,
            "run_id": run.run_id,
        }
        if with_inputs:
            slot.update(seed=run.seed, inputs=run.inputs)
    slot["attempts"] = attempts
    entry[slot_name] = slot
    levels[run.level_id] = {**players, run.player_id: entry}


def _merge_week_entry(week_levels: dict[str, Any], run: RunRecord) -> None:
    """Fold an assessment run into the weekly board (level block replaced, as on the all-time one)."""
    block = week_levels.get(run.level_id, {})
    entry = dict(block.get(run.player_id) or {})
    slot_name = "a" if run.autoplay else "b"
    old = entry.get(slot_name)
    if old is None or run.total > old[0]:
        entry[slot_name] = [run.total, (old[1] if old else 0) + 1, run.finished]
    else:
        entry[slot_name] = [old[0], old[1] + 1, old[2]]
    week_levels[run.level_id] = {**block, run.player_id: entry}


def _week_entries(week_levels: dict[str, Any], levels: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The weekly board in the all-time board's entry shape (for ranking), names from `levels`."""
    result: dict[str, dict[str, Any]] = {}
    for level_id, block in week_levels.items():
        named = levels.get(level_id, {})
        for player_id, entry in block.items():
            known = named.get(player_id) or {}
            slots = {
                name: {"score": slot[0], "attempts": slot[1], "when": slot[2]} if slot else None
                for name, slot in (("best", entry.get("b")), ("autoplay", entry.get("a")))
            }
            result.setdefault(level_id, {})[player_id] = {
                "player": known.get("player", ""),
                "team": known.get("team", ""),
                **slots,
            }
    return result
