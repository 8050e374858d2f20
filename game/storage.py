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
import os
import re
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb import Query
from tinydb.storages import Storage
from tinydb.table import Table

from .filedata import STORE_FILE_LIMIT, BadData, load_clean_json, os_reason, sanitize
from .progression import BestResult
from .safeio import NotRegularFile, UnsafeFile, bounded_lines, open_regular, read_bytes_bounded
from .textsafe import has_visible_text, safe_text

ROOT = Path(__file__).resolve().parent.parent


def _default_saves() -> Path:
    """A checkout keeps its saves in <repo>/saves; an installed game in the user's data folder."""
    if (ROOT / "saves").is_dir() or (ROOT / "pyproject.toml").is_file():
        return ROOT / "saves"
    from platformdirs import user_data_path

    return user_data_path("collectquest", appauthor=False) / "saves"


DEFAULT_SAVES_DIR = _default_saves()

FORMAT_VERSION = 1
PROFILES_FILE = "profiles.json"
RUNS_FILE = "runs.jsonl"
LEADERBOARD_FILE = "leaderboard.json"
LOCK_TIMEOUT = 30.0  # seconds; a shared folder may be slow, but a dead lock must not hang forever
NAME_MAX = 24
DEFAULT_TEAM = "未分组"
WRONG_KEEP = 300  # 错题本 entries kept per player
STALE_TEMP_SECONDS = 600

RUNS_KIND = "collectquest-runs"
LEADERBOARD_KIND = "collectquest-leaderboard"
UNRANKED_LEVELS = frozenset({"placement"})
"""Runs of these levels (the placement test, game.placement) are kept in the history only: they
open tiers through their own verdict, never count as a best or on the leaderboard."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[tuple[str, int], Migration] = {}
"""(file kind, version) -> function turning data of that version into data of version + 1.
File kinds: "profiles", "leaderboard", "runs" (applied to each run line). Add an entry here when
FORMAT_VERSION goes up; files are upgraded when read and written back in the new version."""


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Player:
    id: str
    name: str
    team: str
    created: str  # ISO 8601


@dataclass(frozen=True)
class RunRecord:
    """One finished play of one level, with the inputs it was scored from."""

    run_id: str
    player_id: str
    player: str
    team: str
    level_id: str
    mode: str  # "practice" | "assessment"
    seed: int
    started: str  # ISO 8601
    finished: str  # ISO 8601
    duration: float  # seconds
    inputs: list[dict[str, Any]]  # LevelSession.record
    total: int
    passed: bool
    stars: int
    dimensions: dict[str, int]
    violations: list[str]
    wrong_questions: list[str]
    autoplay: bool = False
    stage_scores: list[int] = field(default_factory=list)
    as_trainee: bool = False  # an autoplay run that counts like a played one (bests, unlocks)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> RunRecord:
        """Build a record from stored data; ValueError if a field is missing or of the wrong kind."""
        if not isinstance(data, dict):
            raise ValueError("a run must be a JSON object")
        kinds: dict[str, tuple[type, ...]] = {
            "run_id": (str,),
            "player_id": (str,),
            "player": (str,),
            "team": (str,),
            "level_id": (str,),
            "mode": (str,),
            "seed": (int,),
            "started": (str,),
            "finished": (str,),
            "duration": (int, float),
            "inputs": (list,),
            "total": (int,),
            "passed": (bool,),
            "stars": (int,),
            "dimensions": (dict,),
            "violations": (list,),
            "wrong_questions": (list,),
            "autoplay": (bool,),
            "stage_scores": (list,),
            "as_trainee": (bool,),
        }
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                if f.name in ("autoplay", "stage_scores", "as_trainee"):
                    continue
                raise ValueError(f"missing field {f.name!r}")
            value = data[f.name]
            allowed = kinds[f.name]
            if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
                raise ValueError(f"field {f.name!r} has the wrong type")
            values[f.name] = value
        if values["mode"] not in ("practice", "assessment"):
            raise ValueError(f"unknown mode {values['mode']!r}")
        return cls(**values)


@dataclass(frozen=True)
class LeaderboardEntry:
    """One row of a leaderboard. For team rows `player` is the team name and `members` its size."""

    player: str
    team: str
    score: int
    attempts: int  # the runs counted for this entry
    when: str  # ISO 8601: when the counted best was reached
    level_id: str | None = None
    player_id: str | None = None
    members: int = 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "player": self.player,
            "team": self.team,
            "score": self.score,
            "attempts": self.attempts,
            "when": self.when,
        }
        if self.level_id is not None:
            data["level"] = self.level_id
        if self.members:
            data["members"] = self.members
        return data


class StorageProblem(Exception):
    """A save file that cannot be used (message in Chinese, with the path)."""


class StoreNotWritable(StorageProblem):
    """A lock or a write failed (disk full, read-only folder, no permission, lock held too long);
    what was there is unchanged. Reading still works."""


class RunKept(StorageProblem):
    """`record_run` appended the run to the history, but bests or the leaderboard could not be
    updated; they catch up by themselves on the next record or open. Do not record it again."""


class CorruptFile(ValueError):
    """Raised by a validator: the file's content is not what this version of the game wrote."""


def default_saves_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where player data lives: the argument, else $COLLECTQUEST_SAVES, else <repo>/saves in a
    checkout, else the user data folder (platformdirs)."""
    chosen = override or os.environ.get("COLLECTQUEST_SAVES")
    return Path(chosen) if chosen else DEFAULT_SAVES_DIR


def default_leaderboard_file(saves_dir: Path, override: str | os.PathLike[str] | None = None) -> Path:
    """The leaderboard: the argument, else $COLLECTQUEST_LEADERBOARD, else <saves>/leaderboard.json."""
    chosen = override or os.environ.get("COLLECTQUEST_LEADERBOARD")
    return Path(chosen) if chosen else Path(saves_dir) / LEADERBOARD_FILE


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


def clean_name(raw: str, what: str = "名字") -> str:
    """A name as shown on screens: no control characters, single spaces, at most 24 characters.

    Names are literal text: Rich markup such as "[red]x[/]" is kept as typed (the screens escape
    it). Raises ValueError (in Chinese) if nothing is left."""
    if not isinstance(raw, str):
        raise ValueError(f"{what}必须是文字")
    if any(unicodedata.category(ch) == "Cs" for ch in raw):
        # Bytes that were not UTF-8 (kept by surrogateescape from a command line or a file).
        raise ValueError(f"{what}中有无法识别的字符(不是 UTF-8 编码的文字),请检查终端或输入法的编码设置")
    kept = "".join(" " if ch.isspace() else ch for ch in safe_text(raw))
    name = re.sub(r" +", " ", kept).strip()
    name = name[:NAME_MAX].rstrip("\u200d ")
    if not has_visible_text(name):
        # Also a name of only zero-width characters: an invisible player on every board.
        raise ValueError(f"{what}不能为空")
    return name


# --------------------------------------------------------------------------------------------
# Atomic files
# --------------------------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform or file system allows it.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: os.umask can only be read by setting it, which is not thread-safe later.
_NEW_FILE_MODE = 0o666 & ~_read_umask()


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` so that readers see either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = _NEW_FILE_MODE
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, mode)  # mkstemp makes 0600; a shared leaderboard must stay readable
        except (AttributeError, OSError):
            pass
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _one_shot_encoder() -> Callable[[Any], str]:
    """json.dumps(value, ensure_ascii=False), built once: json.dumps makes a new JSONEncoder and a
    new C encoder on every call, which costs more than encoding one small record. The C encoder
    is the one JSONEncoder.encode itself uses; where it is missing, the plain encoder is used."""
    from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]

    encoder = json.JSONEncoder(ensure_ascii=False)
    if c_make_encoder is None:
        return encoder.encode

    def refuse(value: Any) -> Any:
        return encoder.default(value)  # raises TypeError, as json.dumps does

    # markers=None: no circular check (stored data is plain trees from JSON and dataclasses).
    chunks = c_make_encoder(None, refuse, encode_basestring, None, ": ", ", ", False, False, True)

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return str(encode_basestring(value))
        return "".join(chunks(value, 0))

    return encode


_encode = _one_shot_encoder()


Memo = dict[int, tuple[Any, str, str]]
"""id(block) -> (the block, its key, its text): what the last write of a file wrote for each of its
replaced-not-changed blocks (see `dumps`)."""


def _dumps_nested(
    value: Any, depth: int, indent: int = 0, memo: Memo | None = None, seen: Memo | None = None, at: int = 0
) -> str:
    """JSON with the outer `depth` levels of objects spread over lines and everything deeper on
    one line: readable in an editor, and written by the fast C encoder (an `indent=` dump is
    pure Python and many times slower). With `memo`, see `dumps`."""
    if depth <= 0 or not isinstance(value, dict) or not value:
        return _encode(value)
    pad = " " * (indent + 1)
    remember = memo is not None and seen is not None and depth == at
    items = []
    for key, item in value.items():
        known = memo.get(id(item)) if remember and memo is not None else None
        if known is not None and known[0] is item and known[1] == key:
            line = known[2]
        else:
            line = f"{pad}{_encode(str(key))}: {_dumps_nested(item, depth - 1, indent + 1, memo, seen, at)}"
        if remember and seen is not None and isinstance(item, dict):
            seen[id(item)] = (item, key, line)
        items.append(line)
    return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"


def dumps(data: Any, depth: int = 2, memo: Memo | None = None, at: int = 0) -> str:
    """`data` as JSON laid out over lines (see _dumps_nested). With `memo`, each object `at` levels
    from the bottom of the layout that is the very object written last time, under the same key,
    reuses its text: only for data whose such objects are replaced, never changed in place (the
    leaderboard's per-level blocks, see SaveStore._update_leaderboard). `memo` is updated to this
    dump's objects. The text is the same as without a memo."""
    seen: Memo | None = {} if memo is not None else None
    text = _dumps_nested(data, depth, memo=memo, seen=seen, at=at)
    if memo is not None and seen is not None:
        memo.clear()
        memo.update(seen)
    return text + "\n"


def move_aside(path: Path) -> Path:
    """Rename a damaged file to `<name>.corrupt-<timestamp>` (never overwriting an older backup)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    return target


def _remove_stale_temps(path: Path) -> None:
    """Temporary files left by writers that were killed before their rename."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if temp.stat().st_mtime < cutoff:
                temp.unlink()
        except OSError:
            pass


def _lock_for(path: Path) -> FileLock:
    return FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT)


def acquire(lock: FileLock, what: str) -> None:
    """Take `lock`, turning a timeout or a missing write permission into a StoreNotWritable that
    names `what` is locked (存档文件 / 运行记录) and the lock file."""
    try:
        lock.acquire()
    except Timeout:
        raise StoreNotWritable(f"{what}被其他程序长时间占用,请稍后再试:{lock.lock_file}") from None
    except OSError as exc:
        raise StoreNotWritable(f"无法锁定{what} {lock.lock_file}(需要该文件夹的写权限):{os_reason(exc)}") from None


def not_writable(path: Path, exc: OSError) -> StoreNotWritable:
    return StoreNotWritable(f"无法写入 {path}:{os_reason(exc)}。文件保持原样。")


def read_store_text(path: Path) -> str | None:
    """The text of a store file, or None if it is empty. Raises FileNotFoundError, CorruptFile
    (not UTF-8, not a regular file, too large) and OSError for a file that cannot be read at all."""
    try:
        data = read_bytes_bounded(path, STORE_FILE_LIMIT)
    except UnsafeFile as exc:
        raise CorruptFile(exc.reason) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CorruptFile("不是 UTF-8 文本") from None
    return text if text.strip() else None


def parse_store_text(text: str) -> Any:
    """Parsed and sanitized JSON; CorruptFile for bad JSON, absurd numbers or nesting."""
    try:
        return load_clean_json(text)
    except BadData as exc:
        raise CorruptFile(str(exc)) from None


def read_store_json(path: Path) -> Any:
    """The parsed and sanitized content of a store file, or None if it is empty (errors as
    read_store_text and parse_store_text)."""
    text = read_store_text(path)
    return None if text is None else parse_store_text(text)


def _check_version(kind: str, version: Any) -> int:
    """The version if this program can read it (directly or by migration); else CorruptFile."""
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        # Written by a newer CollectQuest (e.g. another machine sharing the leaderboard): never
        # move it aside or overwrite it; this program must be updated instead.
        raise StorageProblem(
            f"存档文件由更新版本的催收闯关写入(格式版本 {version},本程序只支持到 "
            f"{FORMAT_VERSION}),请先升级本程序;文件未做任何改动。"
        )
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CorruptFile(f"未知的格式版本 {version!r}(本程序支持 1–{FORMAT_VERSION})")
    for step in range(version, FORMAT_VERSION):
        if (kind, step) not in MIGRATIONS:
            raise CorruptFile(f"没有从格式版本 {step} 升级的方法")
    return version


def _migrate(kind: str, data: dict[str, Any], version: Any, where: Path) -> dict[str, Any]:
    """Bring `data` of `version` up to FORMAT_VERSION with the MIGRATIONS steps."""
    version = _check_version(kind, version)
    while version < FORMAT_VERSION:
        data = MIGRATIONS[(kind, version)](data)
        version += 1
    return data


def _raw_version(raw: Any) -> Any:
    """The format_version of a profiles or leaderboard document as read (before validation)."""
    if isinstance(raw, dict) and "format_version" in raw:
        return raw["format_version"]
    try:
        return raw["_meta"]["1"]["format_version"]
    except (KeyError, TypeError):
        return None


class AtomicJSONStorage(Storage):
    """A TinyDB storage (also used on its own for the leaderboard) that is safe across processes.

    Use it inside `transaction()`: the file lock is held for the whole read-modify-write, reads in
    the transaction share one parsed copy, and all writes become one atomic replace at the end (so
    a change to several tables is all-or-nothing). A file that fails `validate` is moved aside and
    reported through `on_problem`, and the transaction starts from `fresh()`.
    """

    def __init__(
        self,
        path: Path,
        validate: Callable[[Any], dict[str, Any]],
        fresh: Callable[[], dict[str, Any]],
        on_problem: Callable[[str], None],
        layout_depth: int = 2,
        records_replaced: bool = False,
        read_only: bool = False,
    ) -> None:
        """`records_replaced`: the owner replaces the objects one level above the one-line records
        (the leaderboard's per-level blocks) and never changes them in place, so a write encodes
        only the blocks that are new objects. (TinyDB changes documents in place: not profiles.)"""
        self.path = Path(path)
        self.read_only = read_only  # for viewing: no lock file, no write, a damaged file left in place
        self.layout_depth = layout_depth  # object levels spread over lines (one record per line)
        self.lock = _lock_for(self.path)
        self._validate = validate
        self._fresh = fresh
        self._on_problem = on_problem
        self._depth = 0
        self._data: dict[str, Any] | None = None
        self._dirty = False
        # The text this process last read or wrote and its parsed, validated data: when the file
        # still holds exactly that text, a transaction reuses the data instead of parsing and
        # validating the whole file again (the file is compared in full, so another writer's
        # change is always seen).
        self._known_text: str | None = None
        self._known_data: dict[str, Any] | None = None
        # What the last write wrote for each replaced block: writing again encodes only new ones.
        self._memo: Memo | None = {} if records_replaced else None
        self._memo_at = 2

    @contextmanager
    def transaction(self) -> Iterator[AtomicJSONStorage]:
        if not self.read_only:
            acquire(self.lock, "存档文件")
        self._depth += 1
        try:
            yield self
            if self._depth == 1 and self._dirty and self._data is not None and not self.read_only:
                text = dumps(self._data, self.layout_depth, self._memo, self._memo_at)
                try:
                    atomic_write_text(self.path, text)
                except OSError as exc:
                    raise not_writable(self.path, exc) from None
                self._known_text, self._known_data = text, self._data
        except BaseException:
            self._known_text = self._known_data = None  # the data may be half-changed
            if self._memo is not None:
                self._memo.clear()
            raise
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._data = None
                self._dirty = False
            if not self.read_only:
                self.lock.release()

    def snapshot(self) -> dict[str, Any]:
        """The current content without taking the lock: writers replace the file atomically, so
        a lock-free read always sees a whole file. Only a damaged file goes through the locked path
        (which moves it aside). Lets many machines read a shared leaderboard without queueing, and
        users without write access to it still see it."""
        try:
            raw = read_store_json(self.path)
            return self._fresh() if raw is None else self._validate(raw)
        except FileNotFoundError:
            return self._fresh()
        except (OSError, CorruptFile):
            pass
        try:
            with self.transaction():
                return self.read()
        except StoreNotWritable as exc:
            # Damaged, and this user cannot move it aside (read-only share, full disk): show an
            # empty one and say so; the file stays as it is for someone who can repair it.
            self._on_problem(f"存档文件 {self.path} 无法读取,也无法移到一旁:{exc}")
            return self._fresh()

    def read(self) -> dict[str, Any]:
        with self.transaction():
            if self._data is None:
                self._data = self._load()
            return self._data

    def write(self, data: dict[str, Any]) -> None:
        if self.read_only:
            raise StoreNotWritable(f"存档以只读方式打开,不能写入:{self.path}")
        with self.transaction():
            self._data = data
            self._dirty = True

    def _load(self) -> dict[str, Any]:
        try:
            text = read_store_text(self.path)
        except FileNotFoundError:
            return self._fresh()
        except CorruptFile as exc:
            return self._quarantine(str(exc))
        except OSError as exc:
            raise StorageProblem(f"无法读取存档文件 {self.path}:{os_reason(exc)}") from None
        if text is None:
            return self._fresh()
        if self._known_data is not None and text == self._known_text:
            return self._known_data
        try:
            raw = parse_store_text(text)
            old_version = _raw_version(raw)
            data = self._validate(raw)
        except CorruptFile as exc:
            return self._quarantine(str(exc))
        if old_version != FORMAT_VERSION:
            self._dirty = True  # upgraded: write it back in the new version at once
        else:
            self._known_text, self._known_data = text, data
        return data

    def _quarantine(self, reason: str) -> dict[str, Any]:
        if self.read_only:
            self._on_problem(
                f"存档文件 {self.path} 已损坏或被手工改动({reason});本次只读查看,文件未做改动,"
                "下次打开游戏或记录成绩时会把它移到一旁。"
            )
            return self._fresh()
        try:
            backup = move_aside(self.path)
        except OSError as exc:
            raise StoreNotWritable(
                f"存档文件 {self.path} 已损坏或被手工改动({reason}),但无法移到一旁:{os_reason(exc)}"
            ) from None
        self._on_problem(
            f"存档文件 {self.path} 已损坏或被手工改动({reason}),已移到 {backup} 保存,并重新开始一个新文件。"
        )
        self._dirty = True  # write the fresh file so every process sees the same state
        return self._fresh()


# --------------------------------------------------------------------------------------------
# File shapes
# --------------------------------------------------------------------------------------------


def fresh_profiles() -> dict[str, Any]:
    return {"_meta": {"1": {"format_version": FORMAT_VERSION, "kind": "collectquest-profiles"}}}


def _profiles_validator(path: Path) -> Callable[[Any], dict[str, Any]]:
    def validate(raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise CorruptFile("顶层不是对象")
        meta = raw.get("_meta")
        if not isinstance(meta, dict) or not isinstance(meta.get("1"), dict):
            raise CorruptFile("缺少 _meta 版本信息")
        version = meta["1"].get("format_version")
        data = _migrate("profiles", raw, version, path)
        data["_meta"]["1"]["format_version"] = FORMAT_VERSION
        if not _valid_marker(data["_meta"]["1"].get("applied")):
            raise CorruptFile("_meta 中的 applied 结构不对")
        for name, table in data.items():
            if not isinstance(table, dict) or not all(isinstance(d, dict) and k.isdigit() for k, d in table.items()):
                raise CorruptFile(f"表 {name} 的结构不对")
        expected: dict[str, dict[str, type | tuple[type, ...]]] = {
            "players": {"id": str, "name": str, "team": str, "created": str},
            "bests": {"player_id": str, "level_id": str, "score": int, "stars": int, "passed": bool, "attempts": int},
            "wrong": {"player_id": str, "keys": list},
            "progress": {"player_id": str, "snapshot": dict},
        }
        for name, shape in expected.items():
            for doc in data.get(name, {}).values():
                for key, kind in shape.items():
                    if not isinstance(doc.get(key), kind):
                        raise CorruptFile(f"表 {name} 中有一条记录的 {key} 缺失或类型不对")
        return data

    return validate


def _valid_marker(marker: Any) -> bool:
    """How far a file has taken in the history: {"history": id, "offset": bytes}, or absent."""
    return marker is None or (
        isinstance(marker, dict) and isinstance(marker.get("history"), str) and isinstance(marker.get("offset"), int)
    )


def fresh_leaderboard() -> dict[str, Any]:
    return {"format_version": FORMAT_VERSION, "kind": LEADERBOARD_KIND, "levels": {}, "applied": {}}


def _valid_slot(slot: Any) -> bool:
    return slot is None or (
        isinstance(slot, dict)
        and isinstance(slot.get("score"), int)
        and not isinstance(slot.get("score"), bool)
        and isinstance(slot.get("attempts"), int)
        and isinstance(slot.get("when"), str)
    )


def _leaderboard_validator(path: Path) -> Callable[[Any], dict[str, Any]]:
    def validate(raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict) or raw.get("kind") != LEADERBOARD_KIND:
            raise CorruptFile("不是 CollectQuest 排行榜文件")
        data = _migrate("leaderboard", raw, raw.get("format_version"), path)
        data["format_version"] = FORMAT_VERSION
        levels = data.get("levels")
        if not isinstance(levels, dict):
            raise CorruptFile("缺少 levels")
        applied = data.setdefault("applied", {})
        if not isinstance(applied, dict) or not all(_valid_marker(m) for m in applied.values()):
            raise CorruptFile("applied 的结构不对")
        for players in levels.values():
            if not isinstance(players, dict):
                raise CorruptFile("levels 的结构不对")
            for entry in players.values():
                if not (
                    isinstance(entry, dict)
                    and isinstance(entry.get("player"), str)
                    and isinstance(entry.get("team"), str)
                    and _valid_slot(entry.get("best"))
                    and _valid_slot(entry.get("autoplay"))
                ):
                    raise CorruptFile("排行榜中有一条记录的结构不对")
        return data

    return validate


# --------------------------------------------------------------------------------------------
# Append-only run history
# --------------------------------------------------------------------------------------------


MAX_RUN_LINE = 4 * 1024 * 1024  # bytes; a run's inputs take a few kilobytes
RETRY_WINDOW = 1024 * 1024  # bytes at the end of the history searched for a run recorded again (~500 runs)


def _parse_run_line(line: bytes, version: int, path: Path) -> RunRecord:
    """One history line as a run; ValueError (or CorruptFile) if it is not one."""
    data = load_clean_json(line)
    if version < FORMAT_VERSION:
        data = _migrate("runs", data, version, path)
    return RunRecord.from_dict(data)


class RunHistory:
    """runs.jsonl: a header line (format version and a random history id), then one run per line,
    append-only. Byte offsets into it mark how far bests and the leaderboard have been brought up
    to date (see SaveStore.record_run)."""

    def __init__(self, path: Path, on_problem: Callable[[str], None]) -> None:
        self.path = Path(path)
        self.lock = _lock_for(self.path)
        self._on_problem = on_problem
        self.bad_lines: list[int] = []

    @staticmethod
    def header() -> bytes:
        head = {"format_version": FORMAT_VERSION, "kind": RUNS_KIND, "history_id": uuid.uuid4().hex}
        return (json.dumps(head) + "\n").encode()

    @contextmanager
    def locked(self) -> Iterator[None]:
        acquire(self.lock, "运行记录")
        try:
            yield
        finally:
            self.lock.release()

    def check(self) -> None:
        """On open: set aside a history whose header is wrong or that is not a file (a FIFO, a
        link to /dev/zero); cut off a torn last line."""
        if not self.path.exists():
            return
        with self.locked():
            try:
                with open_regular(self.path) as handle:
                    first = handle.readline(MAX_RUN_LINE)
            except FileNotFoundError:
                return
            except NotRegularFile:
                first = b"?\n"
            except OSError as exc:
                raise StorageProblem(f"无法读取运行记录 {self.path}:{os_reason(exc)}") from None
            if first and first.endswith(b"\n"):
                try:
                    self._parse_header(first)
                except CorruptFile as exc:
                    try:
                        backup = move_aside(self.path)
                    except OSError as error:
                        raise not_writable(self.path, error) from None
                    self._on_problem(f"运行记录 {self.path} 无法识别({exc}),已移到 {backup} 保存,并重新开始记录。")
                    return
            try:
                self._repair_tail()
            except OSError as exc:
                raise not_writable(self.path, exc) from None

    def _parse_header(self, line: bytes) -> tuple[int, str]:
        """(format version, history id) from the first line; CorruptFile if it is not a header."""
        try:
            head = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise CorruptFile("第一行不是格式说明") from None
        if not isinstance(head, dict) or head.get("kind") != RUNS_KIND or not isinstance(head.get("history_id"), str):
            raise CorruptFile("第一行不是格式说明")
        version = head.get("format_version")
        return _check_version("runs", version), head["history_id"]

    def identity(self) -> tuple[str, int] | None:
        """(history id, size in bytes), or None if there is no usable history yet. No lock needed:
        the header never changes once written."""
        try:
            with open_regular(self.path) as handle:
                first = handle.readline(MAX_RUN_LINE)
                size = handle.seek(0, os.SEEK_END)
        except FileNotFoundError:
            return None
        except NotRegularFile:
            return None
        if not first.endswith(b"\n"):
            return None
        try:
            return self._parse_header(first)[1], size
        except CorruptFile:
            return None

    def prepare(self) -> tuple[str, int]:
        """Under the lock: make sure the file has a header and no torn tail; (history id, size).
        StoreNotWritable if the disk or folder does not let it."""
        try:
            return self._prepare()
        except OSError as exc:
            raise not_writable(self.path, exc) from None

    def _prepare(self) -> tuple[str, int]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._repair_tail()
        known = self.identity()
        if known is not None:
            return known
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size:
            # Unreadable header that check() has not seen (e.g. edited while the game ran).
            backup = move_aside(self.path)
            self._on_problem(f"运行记录 {self.path} 无法识别,已移到 {backup} 保存,并重新开始记录。")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            os.write(fd, self.header())
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(self.path.parent)
        known = self.identity()
        assert known is not None
        return known

    def version(self) -> int | None:
        try:
            with open_regular(self.path) as handle:
                return self._parse_header(handle.readline(MAX_RUN_LINE))[0]
        except (OSError, CorruptFile):
            return None

    def rewrite_migrated(self) -> int:
        """Upgrade the whole history to FORMAT_VERSION in one atomic replace (call under the lock,
        after prepare). Keeps the history id; lines that cannot be upgraded are kept as they are.
        Returns the new size."""
        with open(self.path, "rb") as handle:
            version, history_id = self._parse_header(handle.readline())
            body = handle.read()
        head = {"format_version": FORMAT_VERSION, "kind": RUNS_KIND, "history_id": history_id}
        out = [json.dumps(head)]
        for line in body.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            try:
                data = _migrate("runs", json.loads(line), version, self.path)
                out.append(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            except (json.JSONDecodeError, CorruptFile, ValueError, KeyError, TypeError):
                out.append(line)
        atomic_write_text(self.path, "\n".join(out) + "\n")
        return self.path.stat().st_size

    def _repair_tail(self) -> bool:
        """Cut a last line that has no newline (a writer was killed mid-append). Call under the lock."""
        try:
            handle = open(self.path, "r+b")
        except FileNotFoundError:
            return False
        with handle:
            size = handle.seek(0, os.SEEK_END)
            if size == 0:
                return False
            handle.seek(size - 1)
            if handle.read(1) == b"\n":
                return False
            end = size
            keep = 0
            while end > 0:
                start = max(0, end - 65536)
                handle.seek(start)
                chunk = handle.read(end - start)
                cut = chunk.rfind(b"\n")
                if cut >= 0:
                    keep = start + cut + 1
                    break
                end = start
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
        self._on_problem(f"运行记录 {self.path} 的最后一行不完整(写入时程序被中断),已删去这半行。")
        return True

    def append_locked(self, line: bytes, start: int) -> int:
        """Append one encoded line at `start`, the size `prepare` gave (call under the lock); the
        new size. On a failed write (disk full) the file is cut back to `start`, so no half line
        is left, and StoreNotWritable is raised: the run is not in the history."""
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            raise not_writable(self.path, exc) from None
        try:
            # One write call per run: with O_APPEND the line lands whole at the end.
            written = os.write(fd, line)
            while written < len(line):
                written += os.write(fd, line[written:])
            os.fsync(fd)
            return os.fstat(fd).st_size
        except OSError as exc:
            try:
                os.ftruncate(fd, start)
            except OSError:
                pass  # a torn line is cut by the next writer (prepare)
            raise not_writable(self.path, exc) from None
        finally:
            os.close(fd)

    def contains_run(self, run_id: str, end: int) -> bool:
        """True if a run with this id is among the last RETRY_WINDOW bytes before `end`: a
        retry of a run whose recording was cut short after its append (call under the lock)."""
        needle = b'\n{"run_id":' + json.dumps(run_id, ensure_ascii=False).encode("utf-8") + b","
        try:
            with open_regular(self.path) as handle:
                start = max(0, end - RETRY_WINDOW)
                handle.seek(start)
                return needle in handle.read(end - start)
        except OSError:
            return False

    def read_range(self, start: int, end: int) -> list[RunRecord]:
        """The runs whose lines lie in bytes [start, end) (start at a line boundary or 0)."""
        runs: list[RunRecord] = []
        try:
            handle = open_regular(self.path)
        except OSError:
            return runs
        with handle:
            try:
                version = self._parse_header(handle.readline(MAX_RUN_LINE))[0]
            except CorruptFile:
                return runs
            if start > handle.tell():
                handle.seek(start)
            lines = bounded_lines(handle, MAX_RUN_LINE)
            while handle.tell() < end:
                line = next(lines, b"")
                if line is None:
                    continue  # over-long: reported when the whole history is read
                if not line.endswith(b"\n"):
                    break
                try:
                    runs.append(_parse_run_line(line, version, self.path))
                except (ValueError, CorruptFile):
                    continue  # reported when the whole history is read
        return runs

    def __iter__(self) -> Iterator[RunRecord]:
        """Every readable run in order. Torn last lines are skipped silently; other bad lines are
        skipped and their line numbers kept in `bad_lines`."""
        self.bad_lines = []
        try:
            handle = open_regular(self.path)
        except FileNotFoundError:
            return
        except OSError as exc:
            self._on_problem(f"无法读取运行记录 {self.path}:{exc.strerror or os_reason(exc)}")
            return
        with handle:
            version = FORMAT_VERSION
            for number, line in enumerate(bounded_lines(handle, MAX_RUN_LINE), start=1):
                if line is None:
                    self.bad_lines.append(number)
                    continue
                if not line.endswith(b"\n"):
                    break  # being written right now, or torn by a killed writer
                if number == 1:
                    try:
                        version = self._parse_header(line)[0]
                    except CorruptFile:
                        self.bad_lines.append(number)
                    continue
                if not line.strip():
                    continue
                try:
                    run = _parse_run_line(line, version, self.path)
                except (ValueError, CorruptFile):
                    self.bad_lines.append(number)
                    continue
                yield run


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


def _merge_best(
    best: dict[str, Any], score: int, stars: int, passed: bool, attempts: int, when: str, run_id: str
) -> None:
    """Fold later result(s) into a stored best. An equal score keeps the earlier run."""
    best["attempts"] += attempts
    best["passed"] = best["passed"] or passed
    best["stars"] = max(best["stars"], stars)
    if score > best["score"]:
        best.update(score=score, when=when, run_id=run_id)


def _best_from_doc(doc: dict[str, Any]) -> BestResult:
    return BestResult(doc["level_id"], doc["score"], doc["stars"], doc["passed"], doc["attempts"])


@lru_cache(maxsize=8192)
def _parse_when(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


def _rank(entries: list[LeaderboardEntry], limit: int) -> list[LeaderboardEntry]:
    # Best score first; on a tie, whoever reached it first.
    entries.sort(key=lambda e: (-e.score, _parse_when(e.when), e.player, e.player_id or ""))
    return entries[:limit] if limit and limit > 0 else entries


class SaveStore:
    """All saved data of one saves folder plus one (possibly shared) leaderboard file.

    Opening never fails on a damaged file: it is moved aside and described in `problems`, which
    the game shows to the player. Nor on a full disk, a read-only folder or a held lock: what
    could not be written is described in `problems` and left for the next writer.

    `read_only=True` is for viewing (leaderboard, report, verify): no lock file, no write, no
    repair; a damaged file is reported and left in place."""

    def __init__(self, saves_dir: Path, leaderboard_file: Path | None = None, *, read_only: bool = False) -> None:
        self.saves_dir = Path(saves_dir)
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
            _profiles_validator(profiles_path),
            fresh_profiles,
            self._note,
            read_only=read_only,
        )
        self._board = AtomicJSONStorage(
            self.leaderboard_file,
            _leaderboard_validator(self.leaderboard_file),
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
            _remove_stale_temps(path)
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
        if version is None or version >= FORMAT_VERSION:
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
        self._note(f"运行记录 {self._history.path} 已升级到格式版本 {FORMAT_VERSION}。")

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
                _merge_best(best, run.total, run.stars, run.passed, 1, run.finished, run.run_id)
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
        _merge_best(merged, new["score"], new["stars"], new["passed"], new["attempts"], new["when"], new["run_id"])
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
        players = data["levels"].get(run.level_id, {})
        entry = dict(
            players.get(run.player_id) or {"player": run.player, "team": run.team, "best": None, "autoplay": None}
        )
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
                "seed": run.seed,
                "inputs": run.inputs,
            }
        slot["attempts"] = attempts
        entry[slot_name] = slot
        data["levels"][run.level_id] = {**players, run.player_id: entry}
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
        return {d["level_id"]: _best_from_doc(d) for d in docs}

    def all_bests(self) -> dict[str, dict[str, BestResult]]:
        """player id -> level id -> best, as stored."""
        with self._profiles.transaction():
            docs = self._table("bests").all()
        result: dict[str, dict[str, BestResult]] = {}
        for d in docs:
            result.setdefault(d["player_id"], {})[d["level_id"]] = _best_from_doc(d)
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
        self, level_id: str | None = None, teams: bool = False, include_autoplay: bool = False, limit: int = 20
    ) -> list[LeaderboardEntry]:
        """Best first. Per level: each player's best assessment score. Overall (no level): the sum
        of a player's per-level bests. Teams: the mean of their members' scores."""
        levels: dict[str, dict[str, Any]] = self._board.snapshot()["levels"]
        if level_id is not None:
            levels = {level_id: levels.get(level_id, {})}
        per_player = self._player_scores(levels, include_autoplay)
        if teams:
            return _rank(self._team_scores(per_player), limit)
        return _rank(per_player, limit)

    @staticmethod
    def _counted(entry: dict[str, Any], include_autoplay: bool) -> tuple[int, int, str] | None:
        """(score, attempts, when) of one leaderboard entry, or None if nothing counts."""
        candidates = [entry.get("best")] + ([entry.get("autoplay")] if include_autoplay else [])
        slots: list[dict[str, Any]] = [s for s in candidates if s]
        if not slots:
            return None
        top = max(slots, key=lambda s: (s["score"], -_parse_when(s["when"])))
        return top["score"], sum(s["attempts"] for s in slots), top["when"]

    def _player_scores(self, levels: dict[str, dict[str, Any]], include_autoplay: bool) -> list[LeaderboardEntry]:
        totals: dict[str, dict[str, Any]] = {}
        for players in levels.values():
            for player_id, entry in players.items():
                counted = self._counted(entry, include_autoplay)
                if counted is None:
                    continue
                score, attempts, when = counted
                row = totals.setdefault(
                    player_id,
                    {"player": entry["player"], "team": entry["team"], "score": 0, "attempts": 0, "when": when},
                )
                row["score"] += score
                row["attempts"] += attempts
                if _parse_when(when) > _parse_when(row["when"]):
                    row["when"] = when
        level = next(iter(levels)) if len(levels) == 1 else None
        return [
            LeaderboardEntry(r["player"], r["team"], r["score"], r["attempts"], r["when"], level, pid)
            for pid, r in totals.items()
        ]

    @staticmethod
    def _team_scores(players: list[LeaderboardEntry]) -> list[LeaderboardEntry]:
        groups: dict[str, list[LeaderboardEntry]] = {}
        for entry in players:
            groups.setdefault(entry.team, []).append(entry)
        rows = []
        for team, members in groups.items():
            mean = round(sum(m.score for m in members) / len(members))
            latest = max(members, key=lambda m: _parse_when(m.when)).when
            rows.append(
                LeaderboardEntry(
                    team, team, mean, sum(m.attempts for m in members), latest, members[0].level_id, None, len(members)
                )
            )
        return rows
