"""Line breaking for mixed Chinese and Latin text by the rules of Chinese typesetting (禁则).

Terminal widgets wrap at spaces the way English is set, so Chinese prose broke anywhere: lines
began with `。，？》`, `38 天` lost its unit and `第 21 条` was cut in two. `wrap_spans` decides
where a paragraph may break, and every widget that shows prose renders the lines it returns.

The rules, strongest first:

- never inside a character cluster (a base character and its combining marks);
- no line starts with closing punctuation and none ends with opening punctuation (避头尾);
  Latin words, digit runs and phone numbers stay whole; a number keeps its unit (`6,480 元`,
  `38 天`, `12 月`) and a currency sign its number (`¥6,480`);
- a 《…》 title and an article reference (`第二十一条`, `第 21 条`) stay on one line when they fit
  on one line at all.

When no break satisfies a rule within the width, the next weaker rule gives way, so a line never
exceeds the width: an overlong run is still broken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from enum import IntEnum

# Characters that may not start a line: closing brackets and quotes, sentence and clause
# punctuation, the ellipsis and the dash (both come in pairs, which must not be parted), the
# middle dot, and the iteration marks.
NO_LINE_START = frozenset("。．，、；：？！‼⁇⁈⁉”’》〉）」』】〕〗〙〛｝］…‥—–～〜·・‧々〻ゝゞヽヾー％‰℃°′″)]},.;:!?%")
# Characters that may not end a line: opening brackets and quotes, and currency signs (which
# belong with the number after them).
NO_LINE_END = frozenset("“‘《〈（「『【〔〖〘〚｛［([{" + "¥￥$＄€£")

# Units and measure words that stay with the number before them, longest first so `个工作日`
# is tried before `个`. Only the first character matters for breaking; the longer forms document
# what is meant.
UNITS = (
    "个工作日",
    "工作日",
    "个月",
    "小时",
    "分钟",
    "周岁",
    "万元",
    "亿元",
    *"元块角万亿千百天日月年周岁号时点分秒条款项章节个次笔期位名人件份张页通倍户家期届层米里度克斤",
)
UNIT_STARTS = frozenset(unit[0] for unit in UNITS)

CHINESE_NUMERALS = "零〇一二三四五六七八九十百千两"
# `第二十一条`, `第 21 条`, `第70条`: kept on one line when it fits.
ARTICLE = re.compile(rf"第 ?[0-9{CHINESE_NUMERALS}]+ ?[条款项章节]")
# A book or law title: `《中华人民共和国个人信息保护法》`.
TITLE = re.compile(r"《[^《》\n]*》")
# Phone and ID numbers written with spaces between their groups (`138 0013 8000`,
# `440106 1990 0312 55××`); written with dashes or as one run they are already a single word.
SPACED_NUMBER = re.compile(r"(?<![0-9])[0-9]{3,}(?: [0-9][0-9×*xX]+){2,}")


class Rule(IntEnum):
    """How strongly a break between two characters is to be avoided (higher: more strongly)."""

    FREE = 0
    GROUP = 1  # inside a title or article reference that fits on a line
    WORD = 2  # inside a Latin word, a digit run or phone number, between a number and its unit
    PUNCTUATION = 3  # a line starting with closing or ending with opening punctuation
    CLUSTER = 4  # inside a character cluster


def char_width(char: str) -> int:
    """Cells a character takes in a terminal: 2 for wide and full-width characters, 0 for
    combining marks and format characters, 1 otherwise (ambiguous-width quotes included, as
    terminals and Rich draw them)."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


_PAUSES = frozenset("。，、；：！？")  # full-width: their white space is in the glyph
_CHINESE_QUOTES = frozenset("“”‘’…—")  # drawn narrow by terminals, full-width in Chinese text


def break_vanishes(left: str, right: str) -> bool:
    """Whether a line break in the source between `left` and `right` joins with no space.

    YAML folds each line break of a `>` or multi-line plain scalar into a space, as English is
    written; in Chinese the break is only where the trainer's editor wrapped, and a space there
    shows as a gap mid-sentence (the segment-break rule of CSS Text 3). So a break after
    full-width pause punctuation, or between two Chinese characters (quotes included), vanishes;
    one between Latin words or before a number after a hanzi stays a space."""
    if left in _PAUSES:
        return True

    def chinese(char: str) -> bool:
        return char_width(char) == 2 or char in _CHINESE_QUOTES

    return chinese(left) and chinese(right) and (char_width(left) == 2 or char_width(right) == 2)


def cell_width(text: str) -> int:
    """Cells `text` (one line) takes in a terminal."""
    return sum(char_width(char) for char in text)


def _is_space(char: str) -> bool:
    return char in " \t\u3000"


def _is_narrow_word_char(char: str) -> bool:
    """A character of a Latin word or number: narrow letters, digits and ASCII punctuation (so
    `6,480`, `22:00`, `400-820-8820` and `https://…` are words), but not the narrow-drawn
    Chinese quotes, ellipsis and dashes."""
    if _is_space(char) or char_width(char) != 1:
        return False
    return char.isascii() or char not in NO_LINE_START | NO_LINE_END


def _is_digit(char: str) -> bool:
    return char.isdigit()


def _joins_cluster(char: str) -> bool:
    return char_width(char) == 0 or char == "\u200d"


def _boundary_rules(text: str, width: int) -> list[Rule]:
    """rules[b] for each boundary b (between text[b-1] and text[b]); 0 and len(text) are FREE."""
    n = len(text)
    rules = [Rule.FREE] * (n + 1)

    def forbid(boundary: int, rule: Rule) -> None:
        if rule > rules[boundary]:
            rules[boundary] = rule

    for boundary in range(1, n):
        left, right = text[boundary - 1], text[boundary]
        if _joins_cluster(right) or left == "\u200d":
            forbid(boundary, Rule.CLUSTER)
            continue
        if _is_space(left) or _is_space(right):
            # Breaks happen at a space run, judged by the characters either side of the run.
            start = boundary
            while start > 0 and _is_space(text[start - 1]):
                start -= 1
            end = boundary
            while end < n and _is_space(text[end]):
                end += 1
            if start == 0 or end == n:
                continue
            before, after = text[start - 1], text[end]
            spaces = end - start
            if after in NO_LINE_START or before in NO_LINE_END:
                forbid(boundary, Rule.PUNCTUATION)
            elif spaces == 1 and _is_digit(before) and after in UNIT_STARTS:
                forbid(boundary, Rule.WORD)
            continue
        if right in NO_LINE_START or left in NO_LINE_END:
            forbid(boundary, Rule.PUNCTUATION)
        if _is_narrow_word_char(left) and _is_narrow_word_char(right):
            forbid(boundary, Rule.WORD)
        elif _is_digit(left) and (_is_digit(right) or right in UNIT_STARTS):
            forbid(boundary, Rule.WORD)

    for match in SPACED_NUMBER.finditer(text):
        for boundary in range(match.start() + 1, match.end()):
            forbid(boundary, Rule.WORD)
    for start, end in kept_groups(text):
        if cell_width(text[start:end]) <= width:
            for boundary in range(start + 1, end):
                forbid(boundary, Rule.GROUP)
    return rules


def kept_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each title and article reference, with the punctuation that may not be
    parted from it (`（《…》）。`): what must fit on a line for the group to stay whole."""
    groups = []
    for pattern in (TITLE, ARTICLE):
        for match in pattern.finditer(text):
            start, end = match.span()
            while start > 0 and text[start - 1] in NO_LINE_END:
                start -= 1
            while end < len(text) and text[end] in NO_LINE_START:
                end += 1
            groups.append((start, end))
    return groups


def _paragraph_spans(text: str, width: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of one paragraph (no newlines in `text`)."""
    n = len(text)
    if n == 0:
        yield 0, 0
        return
    rules = _boundary_rules(text, width)
    # Cell offset of each boundary, so a line's width is a subtraction.
    offsets = [0] * (n + 1)
    for index, char in enumerate(text):
        offsets[index + 1] = offsets[index] + char_width(char)

    start = 0
    while True:
        # The end of the line without its trailing spaces, scanning boundaries that fit.
        best: dict[Rule, int] = {}
        end = start + 1
        while end <= n:
            if not _is_space(text[end - 1]):
                if offsets[end] - offsets[start] > width:
                    break
                if end == n:
                    yield start, n
                    return
                rule = rules[end]
                best[rule] = end  # later boundaries overwrite: the longest line per rule
            end += 1
        if end > n:  # only spaces left after `start`
            stop = n
            while stop > start and _is_space(text[stop - 1]):
                stop -= 1
            yield start, stop
            return
        # The longest line that breaks only the weakest rule possible; never inside a cluster.
        stop = next((best[rule] for rule in Rule if rule in best and rule < Rule.CLUSTER), 0)
        if not stop:
            # Not even one character fits (a wide character in a one-cell line): take one
            # cluster anyway rather than loop.
            stop = start + 1
            while stop < n and rules[stop] == Rule.CLUSTER:
                stop += 1
        yield start, stop
        start = stop
        while start < n and _is_space(text[start]):
            start += 1
        if start >= n:
            return


def wrap_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where each line of `text` starts and ends when set `width` cells wide.

    Lines are `text[start:end]`. What lies between one line's end and the next line's start is
    only what a break swallows: the spaces at the break, or a newline. Each line is at most
    `width` cells (unless `width` is below the width of a single character), never ends with a
    space, and `\\n` always breaks.
    """
    width = max(1, width)
    spans: list[tuple[int, int]] = []
    base = 0
    for paragraph in text.split("\n"):
        spans.extend((base + start, base + end) for start, end in _paragraph_spans(paragraph, width))
        base += len(paragraph) + 1
    return spans


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells, broken by the rules of Chinese typesetting."""
    return [text[start:end] for start, end in wrap_spans(text, width)]
