"""Text read from a file, made safe to show on a terminal.

Anything read from a save file, a (possibly shared) leaderboard or a level file is hostile until
cleaned: a BEL rings, a CR rewinds the line, ESC starts a sequence that clears the screen or sets
the window title, C1 codes (U+0080–U+009F) do the same on some terminals, bidi overrides
(RLO, LRO, PDF, isolates) show text in another order than it is stored, and zero-width or tag
characters hide text. Rich and Textual pass most of these straight to the terminal, and some make
Textual's renderer fail ("generator raised StopIteration"). Chinese text, emoji (with their
zero-width joiners) and ordinary punctuation are kept as they are.

`safe_text` is the one cleaning function; `unsafe_characters` finds what it would remove, for
validators that reject rather than clean.
"""

from __future__ import annotations

import unicodedata

# Zero-width joiner and non-joiner are format characters (Cf) that emoji sequences and some
# scripts need; every other format character (bidi controls, U+200B, U+2060, U+FEFF, tag
# characters, interlinear annotation, soft hyphen …) can only hide or reorder text on a screen.
_KEPT_FORMAT = frozenset("\u200c\u200d")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

_NAMES = {
    "\x07": "响铃 BEL",
    "\x08": "退格 BS",
    "\r": "回车 CR",
    "\x1b": "转义 ESC",
    "\x7f": "删除 DEL",
    "\u200b": "零宽空格",
    "\u2060": "零宽连接符 WJ",
    "\ufeff": "零宽不换行空格 BOM",
    "\u202a": "方向控制 LRE",
    "\u202b": "方向控制 RLE",
    "\u202c": "方向控制 PDF",
    "\u202d": "方向控制 LRO",
    "\u202e": "方向控制 RLO",
    "\u2066": "方向隔离 LRI",
    "\u2067": "方向隔离 RLI",
    "\u2068": "方向隔离 FSI",
    "\u2069": "方向隔离 PDI",
    "\u200e": "方向标记 LRM",
    "\u200f": "方向标记 RLM",
}


def _is_unsafe(ch: str, keep_newlines: bool) -> bool:
    if ch == "\t" or (keep_newlines and ch == "\n"):
        return False
    if ch in _KEPT_FORMAT:
        return False
    category = unicodedata.category(ch)
    # Cc: C0/C1 controls and DEL; Cf: format characters; Cs: lone surrogates (bytes that were
    # not UTF-8, kept by surrogateescape); Zl/Zp: line and paragraph separators.
    return category in ("Cc", "Cf", "Cs", "Zl", "Zp")


def safe_text(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with nothing a terminal would act on: line breaks and tabs become spaces (a line
    break is kept when `keep_newlines`), lone surrogates become U+FFFD, and other control,
    format and bidi characters are dropped. Non-text becomes its `str()`."""
    if not isinstance(text, str):
        text = str(text)
    if text.isprintable():  # the common case, checked in C: nothing to do
        return text
    out: list[str] = []
    for ch in text:
        if not _is_unsafe(ch, keep_newlines):
            out.append(" " if ch == "\t" else ch)
        elif ch in _LINE_BREAKS:
            out.append("\n" if keep_newlines and ch != "\x0b" and ch != "\x0c" else " ")
        elif unicodedata.category(ch) == "Cs":
            out.append("\ufffd")
    return "".join(out)


def unsafe_characters(text: str, *, keep_newlines: bool = True) -> list[str]:
    """The distinct characters of `text` that `safe_text` would change, each described for a
    trainer, e.g. ["U+0007 响铃 BEL", "U+202E 方向控制 RLO"]."""
    found: dict[str, None] = {}
    for ch in text:
        if _is_unsafe(ch, keep_newlines):
            found.setdefault(describe(ch))
    return list(found)


def describe(ch: str) -> str:
    name = _NAMES.get(ch)
    if name is None:
        category = unicodedata.category(ch)
        name = {"Cc": "控制字符", "Cs": "非 UTF-8 字节", "Zl": "行分隔符", "Zp": "段分隔符"}.get(category, "不可见字符")
    return f"U+{ord(ch):04X} {name}"


def has_visible_text(text: str) -> bool:
    """True if `text` shows anything: not only spaces and invisible characters (a name of
    U+200B alone would be an invisible player)."""
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] in ("C", "Z") or category in ("Mn", "Me"):
            continue
        return True
    return False
