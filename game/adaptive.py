"""Adaptive practice: a short drill before another try at a level failed twice, and the next level
suggested by the trainee's weakest skill.

- After every second failed attempt at a level not yet passed (2, 4, …), the game offers a drill
  (`practice_drill`) before the next try: first the trainee's own 错题本 cards of that level (the
  decision points and questions that lost points), then bank questions on the rule cards behind
  those points, then bank questions on the level's own topics (the tags its quizzes draw, the
  tags of bank questions on the rules the level cites). The trainee may skip it.
- Inside the highest open tier, `suggest_next` picks, among the open levels not yet passed, one
  that trains the trainee's weakest skill (a skill's score: the mean best of its levels played); in a
  tier whose skills are all new to the trainee, its first open level.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from .catalog import Catalog
from .drill import DRILL_SIZE, Drill, build_drill
from .mistakes import Mistake, ReviewCard, card_question, new_card
from .models import TIERS, AuditStage, DialogueStage, Level, QuizStage
from .progression import BestResult, map_states
from .quiz import Clock

FAILURES_BEFORE_DRILL = 2
RULE_QUESTIONS_KEPT = 2
"""Places in a practice drill kept for bank questions (on the rules behind the points lost)."""


def failed_attempts(bests: Mapping[str, BestResult], level_id: str) -> int:
    """Attempts at a level not yet passed (0 once it is passed)."""
    best = bests.get(level_id)
    return 0 if best is None or best.passed else best.attempts


def drill_due(bests: Mapping[str, BestResult], level_id: str) -> bool:
    """True after every `FAILURES_BEFORE_DRILL`-th failed attempt, before the next try."""
    failed = failed_attempts(bests, level_id)
    return failed >= FAILURES_BEFORE_DRILL and failed % FAILURES_BEFORE_DRILL == 0


def rules_behind(cards: Iterable[ReviewCard], catalog: Catalog) -> list[str]:
    """Rule card ids behind the points lost in a level's cards: red lines crossed, the rules the
    lost choices rest on, the rules wrong answers rest on (most recent cards first, no repeats)."""
    found: list[str] = []
    for card in cards:
        refs: list[str | None] = [card.violation]
        question = card_question(card, catalog)
        if question is not None:
            refs.append(question.ref)
        level = catalog.levels.get(card.level_id)
        if card.kind == "dialogue" and level is not None and card.stage is not None and card.chosen is not None:
            stage = level.stages[card.stage] if card.stage < len(level.stages) else None
            node = stage.nodes.get(card.node or "") if isinstance(stage, DialogueStage) else None
            if node is not None and card.chosen < len(node.choices):
                refs.append(node.choices[card.chosen].ref)
        found += [r for r in refs if r and r in catalog.rules and r not in found]
    return found


def level_topics(level: Level, catalog: Catalog) -> set[str]:
    """The question tags a level is about: what its quizzes draw, and the tags of bank questions
    on the rule cards it cites."""
    tags: set[str] = set()
    cited: set[str] = set()
    for stage in level.stages:
        if isinstance(stage, QuizStage):
            for draw in stage.draw:
                tags.update(draw.tags)
            cited.update(q.ref for q in stage.questions)
        elif isinstance(stage, DialogueStage):
            for node in stage.nodes.values():
                cited.update(r for c in node.choices for r in (c.ref, c.violation) if r)
        elif isinstance(stage, AuditStage):
            cited.update(line.violation for line in stage.transcript if line.violation)
    for question in catalog.questions.values():
        if question.ref in cited:
            tags.update(question.tags)
    return tags


def practice_drill(
    level: Level,
    cards: list[ReviewCard],
    catalog: Catalog,
    player_id: str,
    clock: Clock,
    seed: int,
    now: datetime,
    size: int = DRILL_SIZE,
) -> Drill:
    """The drill offered before another try at `level`. `cards` are the player's 错题本 cards (any
    level; those of this level are used). Items that are not in the 错题本 are marked so: the
    screen keeps them only when they are answered wrongly."""
    own = [c for c in cards if c.level_id == level.id and not c.retired]
    rules = rules_behind(own, catalog)
    tier_of = {q.id: bank.tier for bank in catalog.banks.values() for q in bank.questions}
    taken = {c.question for c in cards if c.question}  # a question already in the 错题本 keeps its own card
    rng = random.Random(f"practice|{seed}|{level.id}")
    on_rules = sorted(qid for qid, q in catalog.questions.items() if q.ref in rules and qid not in taken)
    rng.shuffle(on_rules)
    on_rules.sort(key=lambda qid: rules.index(catalog.questions[qid].ref))  # stable: the first rule first
    topics = level_topics(level, catalog)
    on_topics = sorted(
        qid
        for qid, q in catalog.questions.items()
        if set(q.tags) & topics and tier_of.get(qid) == level.tier and qid not in taken and qid not in on_rules
    )
    rng.shuffle(on_topics)
    extra = [
        new_card(player_id, Mistake(f"quiz:{qid}", "quiz", level.id, "", question=qid), now)
        for qid in (on_rules + on_topics)[: size * 2]
    ]
    # The level's own mistakes first, but room is kept for questions on the rules behind them.
    reserved = min(RULE_QUESTIONS_KEPT, len(extra))
    drill = build_drill(own[: size - reserved] + extra, catalog, clock, seed, size)
    in_book = {c.card_id for c in own}
    drill.items = [replace(item, in_book=item.card.card_id in in_book) for item in drill.items]
    return drill


@dataclass(frozen=True)
class Suggestion:
    level: Level
    skill: str  # the weakest skill it trains
    score: int | None  # the trainee's score in that skill; None: a skill not trained yet


def skill_scores(levels: Mapping[str, Level], bests: Mapping[str, BestResult]) -> dict[str, int]:
    """Per skill: the mean best score of the levels played that train it."""
    collected: dict[str, list[int]] = {}
    for level_id, best in bests.items():
        level = levels.get(level_id)
        for skill in level.skills if level else []:
            collected.setdefault(skill, []).append(best.score)
    return {skill: round(sum(v) / len(v)) for skill, v in collected.items()}


def suggest_next(catalog: Catalog, bests: Mapping[str, BestResult], placed: Collection[str] = ()) -> Suggestion | None:
    """The next level by weakest skill, inside the highest tier with open levels not yet passed;
    None for a trainee with no scores yet (the map's order is the suggestion then)."""
    scores = skill_scores(catalog.levels, bests)
    if not scores:
        return None
    states = map_states(catalog.levels, bests, catalog.levels_in_play_order(), placed)
    candidates = [s.level for s in states if s.open and not s.passed and not s.level.exam]
    for tier in reversed(TIERS):
        in_tier = [lv for lv in candidates if lv.tier == tier]
        if not in_tier:
            continue
        options = [(scores[skill], skill, lv) for lv in in_tier for skill in lv.skills if skill in scores]
        if not options:  # a tier of skills not trained yet: its first level, for the first of them
            return Suggestion(in_tier[0], in_tier[0].skills[0], None) if in_tier[0].skills else None
        score, skill, level = min(options, key=lambda o: (o[0], in_tier.index(o[2])))
        return Suggestion(level, skill, score)
    return None
