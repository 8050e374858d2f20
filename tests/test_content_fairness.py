"""The shipped curriculum cannot be won by guessing, and what trainees read is written for them.

Rates are computed over all shipped content (game.cues) and checked against the targets of the
second edition: the good dialogue choice is the longest at a node no more often than chance
would make it, the right single-choice option rarely the longest, and naive players fail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from game import cues
from game.autoplay import autoplay
from game.catalog import Catalog
from game.loader import DEFAULT_CONTENT_DIR, DEFAULT_LEVELS_DIR, load_catalog
from game.models import AuditStage

MAX_GOOD_LONGEST = 0.45
MAX_RIGHT_OPTION_LONGEST = 0.35
MIN_NAIVE_FAILS = 0.90
MIN_LEVELS = 24


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    catalog, _ = load_catalog()
    return catalog


def test_the_good_choice_is_not_found_by_its_length(shipped: Catalog) -> None:
    dialogue = [c for level in shipped.levels.values() for c in cues.level_cues(level)[0]]
    assert len(dialogue) > 100
    assert cues.longest_rate(dialogue) <= MAX_GOOD_LONGEST, (
        f"the good choice is the longest at {cues.longest_rate(dialogue):.0%} of decision points "
        f"(chance {cues.chance_rate(dialogue):.0%})"
    )
    assert not [c.where for c in dialogue if c.giveaway]


def test_the_right_option_is_not_found_by_its_length(shipped: Catalog) -> None:
    inline = [c for level in shipped.levels.values() for c in cues.level_cues(level)[1]]
    banks = [c for q in shipped.questions.values() for c in [cues.question_cue(q, (q.id,))] if c is not None]
    rate = cues.longest_rate(inline + banks)
    assert rate <= MAX_RIGHT_OPTION_LONGEST, f"the right option is the longest in {rate:.0%} of questions"


@pytest.mark.parametrize("policy", ["first", "longest"])
def test_naive_players_fail_the_shipped_levels(shipped: Catalog, policy: str) -> None:
    levels = list(shipped.levels.values())
    failed = [lv.id for lv in levels if not autoplay(lv, shipped, policy, seed=1).result().passed]
    assert len(failed) / len(levels) >= MIN_NAIVE_FAILS, (
        f"{policy}: passes {sorted(set(lv.id for lv in levels) - set(failed))}"
    )


def test_the_curriculum_has_its_second_edition_breadth(shipped: Catalog) -> None:
    assert len(shipped.levels) >= MIN_LEVELS
    beyond_cards = [lv.id for lv in shipped.levels.values() if "信用卡" not in lv.case.product]
    assert len(beyond_cards) >= 8, beyond_cards


# --------------------------------------------------------------------------------------------
# Trainee-visible text
# --------------------------------------------------------------------------------------------

# Fields the game shows. Ids, refs, conditions, tags, `research` and `verification` are for the
# engine and trainers.
SHOWN = {
    "title",
    "summary",
    "objectives",
    "say",
    "narration",
    "text",
    "feedback",
    "explanation",
    "prompt",
    "options",
    "intro",
    "speaker",
    "notes",
    "history",
    "debtor",
    "product",
    "law",
    "article",
    "compliant",
    "non_compliant",
    "source",
    "note",
    "supersedes",
    "term",
    "english",
    "meaning",
    "example",
    "objection",
    "signals",
    "approach",
    "line",
    "why",
    "outcome",
}
RESEARCH_WORDS = re.compile(
    r"compliance\.md|curriculum-digest|writing-cases|事实表|种子|laws/|§|\[V-[PS]\]|\[U\]|LawRefBook|find_string"
)


def shown_strings(value: Any, key: str | None = None) -> Iterator[str]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from shown_strings(getattr(value, name), name)
    elif isinstance(value, dict):
        for v in value.values():
            yield from shown_strings(v, key)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from shown_strings(item, key)
    elif isinstance(value, str) and key in SHOWN:
        yield value


def everything_shown(catalog: Catalog) -> Iterator[tuple[str, str]]:
    for level in catalog.levels.values():
        for text in shown_strings(level):
            yield level.id, text
    for group in (catalog.rules, catalog.glossary, catalog.scripts, catalog.questions):
        for ident, item in group.items():
            for text in shown_strings(item):
                yield ident, text


def test_trainees_never_see_research_files_tags_or_raw_ids(shipped: Catalog) -> None:
    ids = set(shipped.rules) | set(shipped.glossary) | set(shipped.scripts)
    raw_id = re.compile(
        r"(?<![A-Za-z0-9-])(" + "|".join(sorted(map(re.escape, ids), key=len, reverse=True)) + r")(?![A-Za-z0-9-])"
    )
    found = []
    for owner, text in everything_shown(shipped):
        if RESEARCH_WORDS.search(text) or raw_id.search(text):
            found.append(f"{owner}: {text[:80]}")
    assert not found, "\n".join(found[:20])


def test_every_lawful_audit_line_says_why_it_is_lawful(shipped: Catalog) -> None:
    # A trainee who flags a lawful line (a false alarm) reads "这句合规：" and this explanation, so a
    # mistake teaches the rule instead of a generic "it does not do what the rule forbids". Each
    # line gets its own reason: a reason pasted on every line of a transcript teaches nothing.
    missing, pasted = [], []
    for level in shipped.levels.values():
        for number, stage in enumerate(level.stages, 1):
            if not isinstance(stage, AuditStage):
                continue
            reasons: dict[str, int] = {}
            for line_no, line in enumerate(stage.transcript, 1):
                if line.violation:
                    continue
                where = f"{level.id} stage {number} line {line_no}: {line.text[:30]}"
                if not (line.explanation or "").strip():
                    missing.append(where)
                elif line.explanation in reasons:
                    pasted.append(f"{where} (same as line {reasons[line.explanation]})")
                else:
                    reasons[line.explanation] = line_no
    assert not missing, f"{len(missing)} lawful lines without an explanation:\n" + "\n".join(missing[:20])
    assert not pasted, "\n".join(pasted[:20])


def data_strings(value: Any) -> Iterator[str]:
    """Every string a YAML file holds as data (keys and values, any field): what loading sees."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from data_strings(key)
            yield from data_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from data_strings(item)


@pytest.mark.parametrize(
    "path",
    sorted(DEFAULT_LEVELS_DIR.rglob("*.yaml")) + sorted(DEFAULT_CONTENT_DIR.rglob("*.yaml")),
    ids=lambda path: path.name,
)
def test_the_research_trail_lives_in_comments_not_in_data(path: Any) -> None:
    # Not even the trainer-only fields (`research`, `verification`) of shipped files name the
    # project's research files or tags: the trail is a `# research:` comment, which never reaches
    # the loaded data, a handbook export or a level pack a trainer passes on.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = [text[:80] for text in data_strings(data) if RESEARCH_WORDS.search(text)]
    assert not found, "\n".join(found[:10])


def test_the_check_itself_catches_each_kind_of_slip() -> None:
    ids = {"card-instalment"}
    raw_id = re.compile(r"(?<![A-Za-z0-9-])(card-instalment)(?![A-Za-z0-9-])")
    for slip in ("见 compliance.md §6.1", "（事实表）", "[V-S] 二手资料", "种子教材称", "详见 card-instalment"):
        assert RESEARCH_WORDS.search(slip) or raw_id.search(slip), slip
    assert not RESEARCH_WORDS.search("《个人信息保护法》第10条") and ids
