"""The handbook in content/: rule cards, glossary and 话术 scripts load cleanly, cover every id the
brief names, cite a law, article and effective date, resolve every reference, and never teach a
repealed or non-existent law as current."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from handbook_ids import GLOSSARY_IDS, RED_LINE_IDS, RULE_IDS

from game.catalog import Catalog
from game.loader import DEFAULT_CONTENT_DIR, load_catalog
from game.models import RuleCard

CONTENT = DEFAULT_CONTENT_DIR

ARTICLE_LESS_LAWS = {
    "中国银行业协会《金融机构个人消费类贷款催收工作指引（试行）》",
    "《银行业保险业消费投诉处理管理办法》",
}

# Objection types the seeds name (curriculum-digest §3(a)) that the 话术 library must cover.
REQUIRED_OBJECTIONS = (
    "经济困难型",
    "否认债务型",
    "情绪对抗型",
    "拖延型",
    "失联/第三方接听",
    "投诉威胁型",
    "以诉讼时效抗辩",
    "要求减免",
    "自称已还款",
    "自伤/极端情绪信号",
)

# 《合同法》《民法通则》 were repealed on 2021-01-01; 《债权法》 (and 《借贷合同法》) never existed.
OBSOLETE_LAW = re.compile(r"(?:中华人民共和国)?(?:借贷)?(?:合同法|民法通则|债权法)(?!律)")
SAYS_OBSOLETE = ("废止", "不存在")

# Anchor facts from compliance.md that a careless edit must not change: id -> (article, effective).
ANCHORS: dict[str, tuple[str, dt.date]] = {
    "crim-illegal-debt-collection": ("第293条之一", dt.date(2021, 3, 1)),  # §1.1
    "crim-unlawful-detention": ("第238条", dt.date(1997, 10, 1)),  # §1.2
    "civ-limitation-period": ("第188条", dt.date(2021, 1, 1)),  # §2.1
    "pipl-no-illegal-disclosure": ("第10条", dt.date(2021, 11, 1)),  # §3
    "psl-harassment": ("第50条", dt.date(2026, 1, 1)),  # §4.1 [V-S]
    "card-no-third-party": ("第68条", dt.date(2011, 1, 13)),  # §6.1 [V-S]
    "lending-interest-cap": ("第25条", dt.date(2020, 8, 20)),  # §5
    "interp-provoking-trouble": ("第3条", dt.date(2013, 7, 22)),  # §1.3
}

RULE_ID_TOKEN = re.compile(
    r"(?<![A-Za-z0-9/._-])(?:g|crim|civ|pipl|card|psl|ind|lending|complaint|consumer|interp)-[a-z0-9-]*[a-z0-9]"
)


@pytest.fixture(scope="module")
def loaded() -> tuple[Catalog, list]:
    return load_catalog(level_paths=[], content_paths=[CONTENT])


@pytest.fixture(scope="module")
def catalog(loaded: tuple[Catalog, list]) -> Catalog:
    return loaded[0]


def rule_text_fields(card: RuleCard) -> dict[str, str]:
    """Every text field a player reads as current teaching (not supersedes/note)."""
    return {
        "title": card.title,
        "law": card.law,
        "article": card.article or "",
        "summary": card.summary,
        "compliant": card.compliant,
        "non_compliant": card.non_compliant,
        "source": card.source,
    }


def test_content_loads_without_diagnostics(loaded: tuple[Catalog, list]) -> None:
    _, diagnostics = loaded
    assert diagnostics == [], "\n".join(str(d) for d in diagnostics)


def test_every_published_rule_id_is_still_there(catalog: Catalog) -> None:
    # Rule ids are a public interface (trainers' levels refer to them): new cards may be added,
    # none of the published ones may disappear.
    assert len(catalog.rules) >= 30
    assert RULE_IDS <= set(catalog.rules)


def test_red_lines_are_flagged_exactly(catalog: Catalog) -> None:
    flagged = {rid for rid, card in catalog.rules.items() if card.red_line}
    assert RED_LINE_IDS <= flagged and not flagged & (RULE_IDS - RED_LINE_IDS)


@pytest.mark.parametrize("rule_id", sorted(RULE_IDS))
def test_rule_card_cites_law_article_and_date(catalog: Catalog, rule_id: str) -> None:
    card = catalog.rules[rule_id]
    assert card.law.strip()
    if card.law not in ARTICLE_LESS_LAWS:
        assert card.article and re.fullmatch(r"第\d+条(之一)?(、第\d+条)*", card.article), card.article
    assert isinstance(card.effective, dt.date)
    assert dt.date(1979, 1, 1) <= card.effective <= dt.date(2026, 12, 31)
    assert card.compliant != card.non_compliant
    assert card.source.strip()


CARD_START = re.compile(r"^\s*- id: (\S+)\s*$")


def research_comments() -> dict[str, str]:
    """Card id -> the `# research:` comment written directly above the card in content/rules*.yaml."""
    trails: dict[str, str] = {}
    for path in sorted(CONTENT.glob("rules*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if not (start := CARD_START.match(line)):
                continue
            above: list[str] = []
            for previous in reversed(lines[:number]):
                if not previous.lstrip().startswith("#"):
                    break
                above.insert(0, previous.lstrip().removeprefix("#").strip())
            block = "\n".join(above)
            trails[start.group(1)] = block[block.find("research:") :] if "research:" in block else ""
    return trails


@pytest.fixture(scope="module")
def trails() -> dict[str, str]:
    return research_comments()


@pytest.mark.parametrize("rule_id", sorted(RULE_IDS))
def test_every_fact_keeps_its_research_trail_for_trainers(
    catalog: Catalog, trails: dict[str, str], rule_id: str
) -> None:
    # Trainees see `source` (an official document); the trail for trainers is a `# research:`
    # comment above the card, so it never reaches the game's data (the optional `research` field
    # still works for trainers' own cards).
    card = catalog.rules[rule_id]
    trail = trails.get(rule_id) or card.research or ""
    if card.verification == "V-S":
        assert re.search(r"https?://|compliance\.md §", trail), (
            f"{rule_id}: a [V-S] card must name its secondary source"
        )
    else:
        assert "compliance.md" in trail or "laws/" in trail, f"{rule_id}: say where the law text was checked"


@pytest.mark.parametrize("rule_id", sorted(ANCHORS))
def test_anchor_facts_match_the_fact_sheet(catalog: Catalog, rule_id: str) -> None:
    article, effective = ANCHORS[rule_id]
    card = catalog.rules[rule_id]
    assert (card.article, card.effective) == (article, effective)


def test_limitation_card_supersedes_the_repealed_laws(catalog: Catalog) -> None:
    card = catalog.rules["civ-limitation-period"]
    assert card.supersedes and "合同法" in card.supersedes and "民法通则" in card.supersedes
    assert "废止" in card.supersedes
    assert card.note and "债权法" in card.note and "不存在" in card.note


def test_no_card_teaches_an_obsolete_law_as_current(catalog: Catalog) -> None:
    for card in catalog.rules.values():
        for field, text in rule_text_fields(card).items():
            assert not OBSOLETE_LAW.search(text), f"{card.id}.{field} names {OBSOLETE_LAW.search(text)[0]}"
        for field in ("supersedes", "note"):
            text = getattr(card, field) or ""
            if OBSOLETE_LAW.search(text):
                assert any(word in text for word in SAYS_OBSOLETE), f"{card.id}.{field} must say repealed"


def test_no_term_or_script_names_an_obsolete_law(catalog: Catalog) -> None:
    for term in catalog.glossary.values():
        for text in (term.term, term.meaning, term.example or ""):
            assert not OBSOLETE_LAW.search(text), term.id
    for script in catalog.scripts.values():
        texts = [script.objection, script.approach, *script.signals]
        texts += [part for line in (*script.good, *script.bad) for part in (line.line, line.why)]
        for text in texts:
            assert not OBSOLETE_LAW.search(text), script.id


def test_glossary_is_exactly_the_briefs_ids(catalog: Catalog) -> None:
    assert len(catalog.glossary) >= 40
    assert set(catalog.glossary) == GLOSSARY_IDS
    for term in catalog.glossary.values():
        assert term.english and term.meaning.strip()


def test_every_ref_resolves(catalog: Catalog) -> None:
    known = catalog.refs()
    dangling = [(t.id, t.ref) for t in catalog.glossary.values() if t.ref and t.ref not in known]
    dangling += [(s.id, r) for s in catalog.scripts.values() for r in s.refs if r not in known]
    dangling += [(q.id, q.ref) for q in catalog.questions.values() if q.ref not in known]
    assert dangling == []


def test_ids_mentioned_in_text_resolve(catalog: Catalog) -> None:
    """Cards and scripts point at each other in prose ("见 lending-scope"); those must exist too."""
    known = catalog.refs()
    texts: list[tuple[str, str]] = []
    for card in catalog.rules.values():
        texts += [(card.id, t) for t in (card.summary, card.note or "")]
    for term in catalog.glossary.values():
        texts += [(term.id, term.meaning)]
    for script in catalog.scripts.values():
        texts += [(script.id, script.approach)]
        texts += [(script.id, line.why) for line in (*script.good, *script.bad)]
    unknown = [(owner, token) for owner, text in texts for token in RULE_ID_TOKEN.findall(text) if token not in known]
    assert unknown == []


def test_scripts_cover_the_seed_objection_types(catalog: Catalog) -> None:
    assert len(catalog.scripts) >= 9
    objections = {script.objection for script in catalog.scripts.values()}
    missing = [name for name in REQUIRED_OBJECTIONS if name not in objections]
    assert missing == []


def _names_a_rule(text: str, catalog: Catalog) -> bool:
    """Trainee text names a rule by its law (《…》, 第…条) or a rule card's title, never by its id."""
    return bool(re.search(r"《[^》]+》|第[0-9一二三四五六七八九十百]+条|指引|办法", text)) or any(
        card.title in text for card in catalog.rules.values()
    )


def test_every_script_teaches_good_and_bad_lines_against_the_rules(catalog: Catalog) -> None:
    for script in catalog.scripts.values():
        assert len(script.good) >= 2 and len(script.bad) >= 2, script.id
        assert script.signals, script.id
        assert any(ref in catalog.rules for ref in script.refs), f"{script.id} cites no rule card"
        assert any(_names_a_rule(line.why, catalog) for line in script.bad), (
            f"{script.id}: at least one bad line must name the rule it breaks"
        )
        for line in script.bad:
            assert not set(RULE_ID_TOKEN.findall(line.why)) & set(catalog.rules), f"{script.id}: raw id in {line.why}"


def test_bad_lines_that_cross_a_red_line_say_so(catalog: Catalog) -> None:
    """A script whose bad lines are marked 红线 cites a red-line card among its refs."""
    for script in catalog.scripts.values():
        if any("红线" in line.why for line in script.bad):
            assert any(catalog.rules[r].red_line for r in script.refs if r in catalog.rules), script.id
