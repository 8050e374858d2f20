"""Reading files that may be hostile: only regular files, and never more than a bound.

A level, save or leaderboard file can be replaced by a FIFO (reading it waits forever for a
writer) or by a symlink to /dev/zero or /dev/urandom (reading it fills memory: st_size is 0, so
a size check made before reading does not help). `read_bytes_bounded` opens without blocking,
checks on the open descriptor that it is a regular file, and reads at most `limit` + 1 bytes,
so an over-long file is recognised without being read whole.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CHUNK = 1 << 20


class UnsafeFile(OSError):
    """Not a regular file, or larger than the bound. `reason` is Chinese, for the message."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(errno.EINVAL, reason, str(path))
        self.reason = reason


class NotRegularFile(UnsafeFile):
    pass


class FileTooLarge(UnsafeFile):
    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(path, f"文件超过 {limit} 字节的上限")
        self.limit = limit


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "管道(FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISDIR(mode):
        return "文件夹"
    return "特殊文件"


def read_bytes_bounded(path: Path, limit: int) -> bytes:
    """The content of the regular file `path` (symlinks to regular files are fine). Raises
    FileNotFoundError as usual, NotRegularFile for a FIFO, device, socket or folder, and
    FileTooLarge when it holds more than `limit` bytes; other OSErrors pass through."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(Path(path), f"不是普通文件,而是{_kind(mode)}")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(_CHUNK, remaining))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:
            raise FileTooLarge(Path(path), limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text_bounded(path: Path, limit: int, encoding: str = "utf-8") -> str:
    """`read_bytes_bounded` decoded; UnicodeDecodeError if it is not text in `encoding`."""
    return read_bytes_bounded(path, limit).decode(encoding)


def is_regular_file(path: Path) -> bool:
    """True for a regular file or a symlink to one; never blocks (stat does not open)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for binary reading without ever blocking on a FIFO; NotRegularFile
    for anything else. For files read line by line (the run history)."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(Path(path), f"不是普通文件,而是{_kind(mode)}")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def bounded_lines(handle: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of `handle` with their newline; None for a line over `limit` bytes, which is
    skipped without being held in memory (a last line without newline comes as it is)."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(limit + 1)
            yield None if line else b""  # b"": an over-long torn last line, like any torn line
            continue
        yield line
