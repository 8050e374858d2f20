"""Data read from a save file, the run history or a shared leaderboard, before anything uses it.

Such a file may have been written by anyone with access to a shared folder. Three things in it
would otherwise take every trainee's game down: a 5,000-digit integer (Python refuses to parse
it: ValueError), 100,000 nested `[` (RecursionError), and a 4,000-digit score that parses but
overflows a float when team means are computed. And any text in it reaches the terminal.
`load_json` turns the first two into `BadData`; `sanitize` bounds every number, limits nesting
and cleans every string (names, teams, ids) with `textsafe.safe_text`.

The storage treats `BadData` as a damaged file: moved aside, reported, a fresh one started.
"""

from __future__ import annotations

import errno
import json
import math
from typing import Any

from .textsafe import safe_text

STORE_FILE_LIMIT = 256 * 1024 * 1024  # bytes; a big team's board with every best run's inputs is far smaller
MAX_NUMBER = 2**53  # scores, attempts, byte offsets and seeds are all far below; also exact as a float
MAX_DEPTH = 64  # nested objects and lists; the files this program writes need fewer than 10


class BadData(ValueError):
    """The content cannot be what this program wrote (message in Chinese)."""


def load_json(text: str | bytes) -> Any:
    """Parse JSON; BadData (never ValueError's cousins or RecursionError) if it cannot be read."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadData(f"JSON 格式错误(第 {exc.lineno} 行)") from None
    except RecursionError:
        raise BadData("嵌套层数过多") from None
    except (ValueError, UnicodeDecodeError) as exc:  # e.g. "Exceeds the limit (4300 digits)"
        raise BadData(f"含有无法读取的值({str(exc)[:60]})") from None


def sanitize(data: Any, depth: int = 0) -> Any:
    """`data` with every string (keys too) cleaned for the terminal; BadData for a number beyond
    ±2**53, a NaN or infinity, or nesting deeper than MAX_DEPTH."""
    if isinstance(data, str):
        return safe_text(data)
    if isinstance(data, bool) or data is None:
        return data
    if isinstance(data, int):
        if -MAX_NUMBER <= data <= MAX_NUMBER:
            return data
        raise BadData("含有超出范围的数字")
    if isinstance(data, float):
        if math.isfinite(data) and abs(data) <= MAX_NUMBER:
            return data
        raise BadData("含有超出范围的数字")
    if depth >= MAX_DEPTH:
        raise BadData("嵌套层数过多")
    if isinstance(data, dict):
        return {safe_text(str(k)): sanitize(v, depth + 1) for k, v in data.items()}
    if isinstance(data, list):
        return [sanitize(v, depth + 1) for v in data]
    raise BadData(f"含有未知类型的值 {type(data).__name__}")


def load_clean_json(text: str | bytes) -> Any:
    """`load_json` then `sanitize`."""
    return sanitize(load_json(text))


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese, for the message a trainee or lead reads."""
    reasons = {
        errno.ENOSPC: "磁盘空间已满",
        errno.EDQUOT: "超出了磁盘配额",
        errno.EROFS: "文件系统是只读的",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EIO: "磁盘读写出错",
    }
    reason = reasons.get(exc.errno or 0)
    detail = exc.strerror or str(exc)
    return f"{reason}({detail})" if reason else detail
