"""Answer cues: can the right option be found by its length instead of by knowing the rule?

Two measures, used by `validate` (a warning per give-away) and by the content tests (rates over all
shipped content):

- at a dialogue node, is a good choice the longest of the choices shown with it?
- in a single-choice question, is the right option the longest?

A choice is "shown with" another when both have no condition or the same condition; choices under
different conditions are usually alternatives (``if: verified`` / ``if: not verified``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import OPTION_LETTERS, Choice, DialogueStage, Level, Quality, Question, QuizStage

# A good choice (or right option) this much longer than every other one shown with it is a give-away.
GIVEAWAY_RATIO = 1.4
# ... and at least this many characters longer, so short lines (8 vs 5 characters) do not warn.
GIVEAWAY_MIN_CHARS = 8


def text_length(text: str) -> int:
    """Visible length: whitespace does not count."""
    return len("".join(text.split()))


@dataclass(frozen=True)
class Cue:
    """One decision point: is the right option the longest, and by how much?"""

    where: tuple[object, ...]  # model path, e.g. ("stages", 0, "nodes", "open", "choices", 2)
    longest: bool  # the right option is strictly the longest shown
    ratio: float  # its length over the longest other option's
    options: int  # how many options were shown together (1/options is chance)

    @property
    def giveaway(self) -> bool:
        return self.ratio >= GIVEAWAY_RATIO


def _cue(where: tuple[object, ...], right: str, others: list[str]) -> Cue | None:
    if not others:
        return None
    mine = text_length(right)
    best_other = max(text_length(o) for o in others)
    ratio = mine / best_other if best_other else float("inf")
    if mine - best_other < GIVEAWAY_MIN_CHARS:
        ratio = min(ratio, GIVEAWAY_RATIO - 0.01)
    return Cue(where, mine > best_other, ratio, len(others) + 1)


def _shown_with(choice: Choice, choices: list[Choice]) -> list[Choice]:
    return [c for c in choices if c is not choice and (c.when is None or c.when == choice.when)]


def dialogue_cues(stage: DialogueStage, stage_index: int) -> Iterable[Cue]:
    for node_id, node in stage.nodes.items():
        for i, choice in enumerate(node.choices):
            if choice.quality is not Quality.good or choice.violation:
                continue
            others = [c.text for c in _shown_with(choice, node.choices)]
            cue = _cue(("stages", stage_index, "nodes", node_id, "choices", i), choice.text, others)
            if cue:
                yield cue


def question_cue(question: Question, where: tuple[object, ...]) -> Cue | None:
    if question.type != "single" or not isinstance(question.answer, str):
        return None
    right = OPTION_LETTERS.index(question.answer)
    others = [o for i, o in enumerate(question.options) if i != right]
    return _cue((*where, "options", right), question.options[right], others)


def level_cues(level: Level) -> tuple[list[Cue], list[Cue]]:
    """(dialogue cues, quiz cues) of a level's own content (drawn bank questions not included)."""
    dialogue: list[Cue] = []
    questions: list[Cue] = []
    for s, stage in enumerate(level.stages):
        if isinstance(stage, DialogueStage):
            dialogue.extend(dialogue_cues(stage, s))
        elif isinstance(stage, QuizStage):
            for q, question in enumerate(stage.questions):
                cue = question_cue(question, ("stages", s, "questions", q))
                if cue:
                    questions.append(cue)
    return dialogue, questions


def longest_rate(cues: list[Cue]) -> float:
    """Share of decision points where the right option is the longest (0 when there are none)."""
    return sum(c.longest for c in cues) / len(cues) if cues else 0.0


def chance_rate(cues: list[Cue]) -> float:
    """What `longest_rate` would be if lengths carried no information."""
    return sum(1 / c.options for c in cues) / len(cues) if cues else 0.0


def main(argv: list[str] | None = None) -> int:
    """`python -m game.cues [PATH ...]`: the rates for levels and banks, for content authors."""
    import sys
    from pathlib import Path

    from .loader import load_catalog

    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or None
    catalog, _ = load_catalog(paths)
    all_dialogue: list[Cue] = []
    all_quiz: list[Cue] = []
    for level in catalog.levels_in_play_order():
        d, q = level_cues(level)
        all_dialogue += d
        all_quiz += q
        gives = [c for c in d + q if c.giveaway]
        print(
            f"{level.id:40} dialogue longest {longest_rate(d):4.0%} (chance {chance_rate(d):4.0%}, n={len(d)})"
            f"  quiz longest {longest_rate(q):4.0%} (n={len(q)})  give-aways {len(gives)}"
        )
        for c in gives:
            print(f"    give-away at {'.'.join(map(str, c.where))} ratio {c.ratio:.2f}")
    bank_cues = [c for q in catalog.questions.values() for c in [question_cue(q, (q.id,))] if c is not None]
    print(f"{'question banks':40} quiz longest {longest_rate(bank_cues):4.0%} (n={len(bank_cues)})")
    print(
        f"{'ALL':40} dialogue longest {longest_rate(all_dialogue):4.0%} (chance {chance_rate(all_dialogue):4.0%})"
        f"  quiz longest {longest_rate(all_quiz + bank_cues):4.0%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
