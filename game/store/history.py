"""The append-only run history (runs.jsonl, JSON Lines) and its byte-offset bookkeeping."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..filedata import load_clean_json, os_reason
from ..safeio import NotRegularFile, bounded_lines, open_regular
from . import versions
from .atomic import acquire, atomic_write_text, fsync_dir, lock_for, move_aside, not_writable
from .errors import CorruptFile, StorageProblem
from .records import RunRecord

RUNS_KIND = "collectquest-runs"


MAX_RUN_LINE = 4 * 1024 * 1024  # bytes; a run's inputs take a few kilobytes
RETRY_WINDOW = 1024 * 1024  # bytes at the end of the history searched for a run recorded again (~500 runs)


def _parse_run_line(line: bytes, version: int, path: Path) -> RunRecord:
    """One history line as a run; ValueError (or CorruptFile) if it is not one."""
    data = load_clean_json(line)
    if version < versions.FORMAT_VERSION:
        data = versions.migrate("runs", data, version, path)
    return RunRecord.from_dict(data)


class RunHistory:
    """runs.jsonl: a header line (format version and a random history id), then one run per line,
    append-only. Byte offsets into it mark how far bests and the leaderboard have been brought up
    to date (see SaveStore.record_run)."""

    def __init__(self, path: Path, on_problem: Callable[[str], None]) -> None:
        self.path = Path(path)
        self.lock = lock_for(self.path)
        self._on_problem = on_problem
        self.bad_lines: list[int] = []

    @staticmethod
    def header() -> bytes:
        head = {"format_version": versions.FORMAT_VERSION, "kind": RUNS_KIND, "history_id": uuid.uuid4().hex}
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
        return versions.check_version("runs", version), head["history_id"]

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
        fsync_dir(self.path.parent)
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
        """Upgrade the whole history to versions.FORMAT_VERSION in one atomic replace (call under the lock,
        after prepare). Keeps the history id; lines that cannot be upgraded are kept as they are.
        Returns the new size."""
        with open(self.path, "rb") as handle:
            version, history_id = self._parse_header(handle.readline())
            body = handle.read()
        head = {"format_version": versions.FORMAT_VERSION, "kind": RUNS_KIND, "history_id": history_id}
        out = [json.dumps(head)]
        for line in body.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            try:
                data = versions.migrate("runs", json.loads(line), version, self.path)
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
            version = versions.FORMAT_VERSION
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
