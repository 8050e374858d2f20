"""Files that are never half-written: atomic replace, cross-process locks, bounded reads, and
`AtomicJSONStorage`, the TinyDB storage every JSON document of the store is kept by."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb.storages import Storage

from ..filedata import STORE_FILE_LIMIT, BadData, load_clean_json, os_reason
from ..safeio import UnsafeFile, read_bytes_bounded
from . import versions
from .errors import CorruptFile, StorageProblem, StoreNotWritable

LOCK_TIMEOUT = 30.0  # seconds; a shared folder may be slow, but a dead lock must not hang forever
STALE_TEMP_SECONDS = 600


def fsync_dir(directory: Path) -> None:
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
    fsync_dir(path.parent)


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


encode_json = _one_shot_encoder()


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
        return encode_json(value)
    pad = " " * (indent + 1)
    remember = memo is not None and seen is not None and depth == at
    items = []
    for key, item in value.items():
        known = memo.get(id(item)) if remember and memo is not None else None
        if known is not None and known[0] is item and known[1] == key:
            line = known[2]
        else:
            line = f"{pad}{encode_json(str(key))}: {_dumps_nested(item, depth - 1, indent + 1, memo, seen, at)}"
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


def remove_stale_temps(path: Path) -> None:
    """Temporary files left by writers that were killed before their rename."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if temp.stat().st_mtime < cutoff:
                temp.unlink()
        except OSError:
            pass


def lock_for(path: Path) -> FileLock:
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
        self.lock = lock_for(self.path)
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
            old_version = versions.raw_version(raw)
            data = self._validate(raw)
        except CorruptFile as exc:
            return self._quarantine(str(exc))
        if old_version != versions.FORMAT_VERSION:
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
