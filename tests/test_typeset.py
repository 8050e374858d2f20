"""Line breaking by the rules of Chinese typesetting (game.typeset): golden strings, and the rules
checked on every sentence of the shipped levels and handbook at widths 20–60."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rich.cells import cell_len

from game.typeset import NO_LINE_END, NO_LINE_START, UNIT_STARTS, cell_width, kept_groups, wrap, wrap_spans

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "levels").rglob("*.yaml")) + sorted((ROOT / "content").rglob("*.yaml"))
CJK = re.compile(r"[\u4e00-\u9fff]")
TRAINER_ONLY = {"research", "verification"}


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data] if CJK.search(data) else []
    if isinstance(data, dict):
        # Research notes and verification tags are for trainers and never shown.
        return [s for key, value in data.items() if key not in TRAINER_ONLY for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return []


def shipped_sentences() -> list[str]:
    found: dict[str, None] = {}
    for path in SHIPPED:
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            found.setdefault(text.strip(), None)
    return [text for text in found if cell_width(text) > 20]


SENTENCES = shipped_sentences()
WIDTHS = [20, 23, 28, 31, 36, 40, 47, 52, 60]


def rejoin(text: str, width: int) -> str:
    """The lines put back together with what each break swallowed: must give back the text."""
    spans = wrap_spans(text, width)
    out = []
    for index, (start, end) in enumerate(spans):
        out.append(text[start:end])
        gap_end = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        gap = text[end:gap_end]
        assert gap.strip(" \t\u3000") in ("", "\n"), (text, width, gap)
        out.append(gap)
    if spans and spans[0][0]:
        out.insert(0, text[: spans[0][0]])
    return "".join(out)


# --- golden strings ---------------------------------------------------------------------------

GOLDEN = [
    (
        "您好，我是星河银行信用卡中心的催收专员，请问是张伟先生本人吗？",
        20,
        ["您好，我是星河银行信", "用卡中心的催收专员，", "请问是张伟先生本人", "吗？"],
    ),
    (
        "您的欠款 6,480 元已经逾期 38 天，今天能先还一部分吗？",
        20,
        ["您的欠款 6,480 元已", "经逾期 38 天，今天能", "先还一部分吗？"],
    ),
    (
        "根据《个人信息保护法》第 21 条，不能向第三人透露欠款。",
        20,
        # The title fits on a line, so it is not cut; the article reference moves with its number.
        ["根据", "《个人信息保护法》", "第 21 条，不能向第三", "人透露欠款。"],
    ),
    (
        "请在 12 月 15 日 22:00 前回电 400-820-8820，谢谢。",
        16,
        ["请在 12 月 15 日", "22:00 前回电", "400-820-8820，谢", "谢。"],
    ),
    (
        "对方说：“你们再打来我就投诉！”然后挂断了电话。",
        12,
        ["对方说：“你", "们再打来我就", "投诉！”然后", "挂断了电话。"],
    ),
    (
        "催收时间限于 8:00—21:00，依据《互联网金融逾期债务催收自律公约（试行）》第二十一条。",
        24,
        ["催收时间限于 8:00—", "21:00，依据《互联网金融", "逾期债务催收自律公约（试", "行）》第二十一条。"],
    ),
    (
        "Please keep the customer's information confidential at all times.",
        20,
        ["Please keep the", "customer's", "information", "confidential at all", "times."],
    ),
]


@pytest.mark.parametrize(("text", "width", "lines"), GOLDEN, ids=[f"golden-{i}" for i in range(len(GOLDEN))])
def test_golden_lines(text: str, width: int, lines: list[str]) -> None:
    assert wrap(text, width) == lines


def test_no_line_starts_with_closing_punctuation_where_textual_would() -> None:
    # Folding this at 10 cells the way Textual does puts "。" at the head of line 3; the last
    # character before it moves down with it instead.
    text = "请问您现在方便接电话。好的。"
    assert wrap(text, 10) == ["请问您现在", "方便接电", "话。好的。"]


def test_title_and_article_stay_together_when_they_fit() -> None:
    text = "依照《中华人民共和国民法典》第一千零二十四条的规定处理。"
    for width in (26, 30, 36, 40):
        lines = wrap(text, width)
        assert any("《中华人民共和国民法典》" in line for line in lines), (width, lines)
        assert any("第一千零二十四条" in line for line in lines), (width, lines)


def test_overlong_title_is_still_broken_within_width() -> None:
    text = "《中华人民共和国个人信息保护法》"
    lines = wrap(text, 10)
    assert all(cell_width(line) <= 10 for line in lines)
    assert "".join(lines) == text


def test_numbers_keep_their_units() -> None:
    text = "还款 6,480 元，逾期 38 天，定在 12 月 15 日，最晚 22:00。"
    for width in range(10, 40):
        lines = wrap(text, width)
        for kept in ("6,480 元", "38 天", "12 月", "15 日", "22:00"):
            assert any(kept in line for line in lines), (width, kept, lines)


def test_phone_numbers_and_digit_runs_are_never_cut() -> None:
    text = "请回拨客服电话 95588 或 138 0013 8000，座机 0571-88123456，工号 20261203。"
    for width in range(16, 40):
        lines = wrap(text, width)
        for number in ("95588", "138 0013 8000", "0571-88123456", "20261203"):
            assert any(number in line for line in lines), (width, lines)


def test_latin_words_break_at_spaces() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert wrap(text, 10) == ["The quick", "brown fox", "jumps over", "the lazy", "dog"]


def test_overlong_runs_are_broken_and_never_exceed_width() -> None:
    text = "https://example.com/a/very/long/path/that/never/ends 和 ０１２３４５６７８９"
    for width in range(1, 30):
        lines = wrap(text, width)
        assert all(cell_width(line) <= max(width, 2) for line in lines), (width, lines)
        assert rejoin(text, width) == text


def test_newlines_always_break_and_blank_lines_stay() -> None:
    assert wrap("第一段。\n\n第二段。", 20) == ["第一段。", "", "第二段。"]


def test_combining_marks_stay_with_their_letter() -> None:
    text = "cafe\u0301 " * 6
    for width in range(3, 12):
        for line in wrap(text, width):
            assert not line.startswith("\u0301")


def test_cell_width_agrees_with_the_terminal_renderer() -> None:
    chars = {char for text in SENTENCES for char in text}
    disagree = {char for char in chars if cell_width(char) != cell_len(char)}
    assert not disagree


# --- every shipped sentence --------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_shipped_sentences_follow_the_rules(width: int) -> None:
    assert len(SENTENCES) > 200
    for text in SENTENCES:
        lines = wrap(text, width)
        assert rejoin(text, width) == text
        spans = wrap_spans(text, width)
        for index, line in enumerate(lines):
            assert cell_width(line) <= width, (text, width, line)
            if index:
                assert line[:1] not in NO_LINE_START, (text, width, lines)
            if index + 1 < len(lines):
                assert line[-1:] not in NO_LINE_END, (text, width, lines)
                following = lines[index + 1]
                gap = text[spans[index][1] : spans[index + 1][0]]
                if line[-1:].isdigit() and gap in ("", " "):
                    # Neither a digit run nor a number and its unit are parted.
                    assert not (gap == "" and following[:1].isdigit()), (text, width, lines)
                    assert following[:1] not in UNIT_STARTS, (text, width, lines)
        for start, end in kept_groups(text):
            group = text[start:end]
            if cell_width(group) <= width and "\n" not in group:
                assert any(group in line for line in lines), (text, width, group, lines)


# --- folded YAML lines ---------------------------------------------------------------------------
FOLDED = """\
summary: >-
  你第一天上线。接电话的却不一定是她。
  先报家门、再找本人。
  Call the bank
  back later 3月6日 客户

  新段落
plain: 这是一段
  跨行的文字，后面是
  English words
typed: 组长 陈敏
quote: 他打来热线：
  “他的事我们管。”
number: 他把收入写在
  3 月的表上
quoted: "引号里的
  按 YAML 原样"
items:
  - 列表里的
    文本
"""


def test_a_folded_line_break_between_chinese_characters_leaves_no_space() -> None:
    from pathlib import Path

    from game.yamlsource import parse_yaml

    data = parse_yaml(FOLDED, Path("folded.yaml")).data
    assert (
        data["summary"]
        == "你第一天上线。接电话的却不一定是她。先报家门、再找本人。Call the bank back later 3月6日 客户\n新段落"
    )
    assert data["plain"] == "这是一段跨行的文字，后面是 English words"
    assert data["typed"] == "组长 陈敏"  # a space typed on one line is the trainer's
    assert data["quote"] == "他打来热线：“他的事我们管。”"
    assert data["number"] == "他把收入写在 3 月的表上"  # a number after a hanzi keeps its space
    assert data["quoted"] == "引号里的 按 YAML 原样"
    assert data["items"] == ["列表里的文本"]


def test_no_shipped_text_has_a_folding_space_after_chinese_punctuation() -> None:
    from game.loader import content_dir, level_folders, load_catalog

    catalog, _ = load_catalog(level_folders(), [content_dir()])
    gaps = []
    for level in catalog.levels.values():
        text = level.model_dump_json()
        gaps += [level.id for mark in "。，：；！？、" if f"{mark} " in text and f"{mark} \\n" not in text]
    assert not gaps
