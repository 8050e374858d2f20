"""Cross-file and semantic checks of a loaded Catalog, each a located Diagnostic.

The loader already reports what a single file gets wrong against the schema (syntax, unknown keys,
types, duplicate ids). Here we check what only makes sense across files or across a dialogue:
links that point nowhere, nodes nobody reaches, loops with no way out, a pass score no path can
reach, `requires` chains, refs to rule cards, conditions, meters, flags and question draws.
Codes are listed in game/diagnostics.py and explained in levels/README.md.

These are the format's checks: structural and cheap, on the link graph (game/graph.py). The
exhaustive state exploration of each dialogue (CQ009/CQ010/CQ026/CQ028/CQ029/CQ030) is the trainer
tool's, in game/playcheck.py; `collectquest validate` runs both. This module hands it the dialogues
fit to explore (`FormatCheck.explorable`) and never imports the explorer (an import contract).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import conditions, cues
from .catalog import Catalog
from .diagnostics import Diagnostic
from .graph import strongly_connected
from .loader import load_catalog
from .models import (
    DEFAULT_METERS,
    ENERGY_METER,
    TIERS,
    AuditStage,
    Choice,
    DialogueStage,
    Level,
    QuizStage,
    bucket_for_days,
)

WARNING = "warning"
ERROR = "error"


@dataclass(frozen=True)
class ExplorableDialogue:
    """A dialogue stage whose links and conditions passed the format checks: fit to explore."""

    path: Path
    level: Level
    stage_index: int
    stage: DialogueStage
    linked: frozenset[str]
    """Nodes and endings some link leads to from the start (conditions ignored)."""

    @property
    def where(self) -> tuple[Any, ...]:
        return ("stages", self.stage_index)


@dataclass
class FormatCheck:
    """What the format checks found, and the dialogues the exploration may go on with."""

    found: list[Diagnostic]
    explorable: list[ExplorableDialogue]


def check_format(catalog: Catalog, *, known_levels: Mapping[str, str] | None = None) -> FormatCheck:
    """Run the format's checks (unsorted; see `validate`)."""
    checker = _Checker(catalog, dict(known_levels or {}))
    checker.run()
    return FormatCheck(checker.found, checker.explorable)


def locate(catalog: Catalog, path: Path, loc: tuple[Any, ...], code: str, message: str, severity: str) -> Diagnostic:
    """A diagnostic at the line and column of `loc` in the file `path` (1:1 if its source is unknown)."""
    source = catalog.sources.get(path)
    line, column = source.where(loc) if source else (1, 1)
    return Diagnostic(str(path), line, column, code, message, severity)


def in_order(*groups: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics of every group once each, sorted by place."""
    unique = dict.fromkeys(d for group in groups for d in group)
    return sorted(unique, key=lambda d: (d.file, d.line, d.column, d.code, d.message))


def validate(
    catalog: Catalog,
    diagnostics: Iterable[Diagnostic] = (),
    *,
    known_levels: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """The format's problems: the loader's `diagnostics` plus the cross-file checks, sorted by place.
    (`game.playcheck.validate` adds the exploration's; `collectquest validate` runs that.)

    `known_levels` (level id -> tier) names levels that exist elsewhere, e.g. the shipped levels
    when checking a single new file, so that its `requires` still resolve."""
    return in_order(diagnostics, check_format(catalog, known_levels=known_levels).found)


def check_paths(
    level_paths: list[Path] | None = None,
    content_paths: list[Path] | None = None,
    known_levels: Mapping[str, str] | None = None,
) -> tuple[Catalog, list[Diagnostic]]:
    """Load and run the format checks in one go (defaults: the levels and content folders)."""
    catalog, diagnostics = load_catalog(level_paths, content_paths)
    return catalog, validate(catalog, diagnostics, known_levels=known_levels)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity != WARNING for d in diagnostics)


@dataclass
class Counts:
    levels: dict[str, int]
    questions: int
    dialogue_nodes: int
    rule_cards: int
    glossary_terms: int


def counts(catalog: Catalog) -> Counts:
    """What the catalog holds, for `validate`'s summary and --json."""
    per_tier = {tier: 0 for tier in TIERS}
    nodes = 0
    inline = 0
    for level in catalog.levels.values():
        per_tier[level.tier] += 1
        for stage in level.stages:
            if isinstance(stage, DialogueStage):
                nodes += len(stage.nodes)
            elif isinstance(stage, QuizStage):
                inline += len(stage.questions)
    return Counts(per_tier, len(catalog.questions) + inline, nodes, len(catalog.rules), len(catalog.glossary))


def did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass
class _Checker:
    catalog: Catalog
    known_levels: dict[str, str]
    found: list[Diagnostic] = field(default_factory=list)
    explorable: list[ExplorableDialogue] = field(default_factory=list)

    # --- reporting ------------------------------------------------------------------------
    def report(self, path: Path, loc: tuple[Any, ...], code: str, message: str, severity: str = ERROR) -> None:
        self.found.append(locate(self.catalog, path, loc, code, message, severity))

    def run(self) -> None:
        for level_id, level in self.catalog.levels.items():
            self.check_level(self.catalog.level_files[level_id], level)
        self.check_requires()
        self.check_exams()
        self.check_content()

    # --- refs -----------------------------------------------------------------------------
    def check_ref(self, path: Path, loc: tuple[Any, ...], ref: str | None, what: str = "ref") -> None:
        if ref is None or ref in self.catalog.refs():
            return
        self.report(
            path,
            loc,
            "CQ013",
            f"{what} '{ref}' is not a rule card or glossary term{did_you_mean(ref, self.catalog.refs())}",
        )

    def check_rule(self, path: Path, loc: tuple[Any, ...], rule: str | None, what: str) -> None:
        if rule is None:
            return
        if rule not in self.catalog.rules:
            hint = did_you_mean(rule, self.catalog.rules)
            extra = " (glossary terms cannot be violated)" if rule in self.catalog.glossary else ""
            self.report(path, loc, "CQ013", f"{what} '{rule}' is not a rule card{extra}{hint}")

    # --- levels ---------------------------------------------------------------------------
    def check_level(self, path: Path, level: Level) -> None:
        bucket = level.case.bucket
        expected = bucket_for_days(level.case.days_overdue)
        if bucket is not None and bucket != expected:
            self.report(
                path,
                ("case", "bucket"),
                "CQ021",
                f"bucket {bucket} does not match days_overdue {level.case.days_overdue} (that is {expected})",
                WARNING,
            )
        for index, stage in enumerate(level.stages):
            where = ("stages", index)
            if isinstance(stage, DialogueStage):
                DialogueCheck(self, path, level, index, stage).run()
            elif isinstance(stage, QuizStage):
                self.check_quiz(path, where, stage)
            elif isinstance(stage, AuditStage):
                self.check_audit(path, where, stage)
        self.check_cues(path, level)
        self.check_exam_minimums(path, level)

    def check_cues(self, path: Path, level: Level) -> None:
        """CQ031: the right option gives itself away by its length."""
        dialogue_cues, quiz_cues = cues.level_cues(level)
        for cue in dialogue_cues:
            if cue.giveaway:
                self.report(
                    path,
                    cue.where,
                    "CQ031",
                    f"好选项的长度是同屏其他选项的 {cue.ratio:.1f} 倍，学员凭长度就能猜中：把错误选项写得同样完整、"
                    "同样客气，或把这一项写短 / this good choice is "
                    f"{cue.ratio:.1f}× as long as every other choice shown with it",
                    WARNING,
                )
        for cue in quiz_cues:
            self.check_option_cue(path, cue)

    def check_option_cue(self, path: Path, cue: cues.Cue | None) -> None:
        """CQ031 for a question: its right option gives itself away by its length."""
        if cue is not None and cue.giveaway:
            self.report(
                path,
                cue.where,
                "CQ031",
                f"正确选项的长度是其他选项的 {cue.ratio:.1f} 倍，学员凭长度就能猜中：把干扰项写得同样具体 / "
                f"the right option is {cue.ratio:.1f}× as long as every other option",
                WARNING,
            )

    def check_exam_minimums(self, path: Path, level: Level) -> None:
        """CQ032: a promotion exam without a minimum on a stage lets one strong stage carry a weak one."""
        if not level.exam:
            return
        for index, stage in enumerate(level.stages):
            if stage.min_score is None:
                self.report(
                    path,
                    ("stages", index),
                    "CQ032",
                    f"晋升考核的第 {index + 1} 个环节没有设 `min_score`：这一环节再弱也能被其他环节拉过及格线 / "
                    f"stage {index + 1} of this promotion exam has no `min_score`",
                    WARNING,
                )

    def check_quiz(self, path: Path, where: tuple[Any, ...], stage: QuizStage) -> None:
        for qi, question in enumerate(stage.questions):
            self.check_ref(path, where + ("questions", qi, "ref"), question.ref)
        inline_ids = {q.id for q in stage.questions if q.id}
        bank_of: dict[str, str] = {}
        tier_of: dict[str, str] = {}
        for bank in self.catalog.banks.values():
            for q in bank.questions:
                bank_of.setdefault(q.id, bank.bank)
                tier_of.setdefault(q.id, bank.tier)
        pools: list[tuple[set[str], int]] = []
        for di, draw in enumerate(stage.draw):
            loc = where + ("draw", di)
            if draw.bank is not None and draw.bank not in self.catalog.banks:
                self.report(
                    path,
                    loc + ("bank",),
                    "CQ018",
                    f"unknown question bank '{draw.bank}'{did_you_mean(draw.bank, self.catalog.banks)}",
                )
                continue
            pool = {
                qid
                for qid, q in self.catalog.questions.items()
                if qid not in inline_ids
                and (draw.bank is None or bank_of.get(qid) == draw.bank)
                and (draw.tier is None or tier_of.get(qid) == draw.tier)
                and (not draw.tags or set(draw.tags) & set(q.tags))
            }
            # Earlier draws pick at random and may take questions this draw also needs: in the
            # worst case each takes as many of them as it can.
            taken = sum(min(count, len(pool & earlier)) for earlier, count in pools)
            if len(pool) - taken < draw.count:
                filters = ", ".join(
                    filter(
                        None,
                        [
                            f"bank {draw.bank}" if draw.bank else "every bank",
                            f"tier {draw.tier}" if draw.tier else "",
                            f"tags {', '.join(draw.tags)}" if draw.tags else "",
                        ],
                    )
                )
                after = f", and earlier draws may take {taken} of them" if taken else ""
                self.report(
                    path,
                    loc + ("count",),
                    "CQ017",
                    f"draw wants {draw.count} questions but only {len(pool)} match ({filters}){after}",
                )
            pools.append((pool, draw.count))

    def check_audit(self, path: Path, where: tuple[Any, ...], stage: AuditStage) -> None:
        for li, line in enumerate(stage.transcript):
            self.check_rule(path, where + ("transcript", li, "violation"), line.violation, "violation")
        for ri, rule in enumerate(stage.rule_choices):
            self.check_rule(path, where + ("rule_choices", ri), rule, "rule choice")

    # --- across levels --------------------------------------------------------------------
    def tier_of(self, level_id: str) -> str | None:
        if level_id in self.catalog.levels:
            return self.catalog.levels[level_id].tier
        return self.known_levels.get(level_id)

    def check_requires(self) -> None:
        rank = {tier: i for i, tier in enumerate(TIERS)}
        names = set(self.catalog.levels) | set(self.known_levels)
        for level_id, level in self.catalog.levels.items():
            path = self.catalog.level_files[level_id]
            for ri, required in enumerate(level.requires):
                tier = self.tier_of(required)
                if tier is None:
                    self.report(
                        path,
                        ("requires", ri),
                        "CQ011",
                        f"requires unknown level '{required}'{did_you_mean(required, names - {level_id})}",
                    )
                elif rank[tier] > rank[level.tier]:
                    self.report(
                        path,
                        ("requires", ri),
                        "CQ023",
                        f"a {level.tier} level cannot require '{required}', a {tier} level",
                    )
        components = strongly_connected(
            sorted(self.catalog.levels),
            lambda lid: [r for r in self.catalog.levels[lid].requires if r in self.catalog.levels],
        )
        for component in components:
            members = set(component)
            looped = len(component) > 1 or component[0] in self.catalog.levels[component[0]].requires
            if not looped:
                continue
            chain = " → ".join(sorted(members))
            for level_id in sorted(members):
                level = self.catalog.levels[level_id]
                ri = next(i for i, r in enumerate(level.requires) if r in members)
                self.report(
                    self.catalog.level_files[level_id],
                    ("requires", ri),
                    "CQ012",
                    f"requires form a cycle ({chain}): none of these levels can ever be unlocked",
                )

    def check_exams(self) -> None:
        for tier in TIERS:
            exams = [lv for lv in self.catalog.levels_in_play_order() if lv.tier == tier and lv.exam]
            if len(exams) < 2:
                continue
            names = ", ".join(lv.id for lv in exams)
            for level in exams[1:]:
                self.report(
                    self.catalog.level_files[level.id],
                    ("exam",),
                    "CQ022",
                    f"tier {tier} has {len(exams)} promotion exams ({names}); a tier has at most one",
                )

    # --- content --------------------------------------------------------------------------
    def check_content(self) -> None:
        for bank in self.catalog.banks.values():
            path, _ = self.catalog.id_files[("bank", bank.bank)]
            for qi, question in enumerate(bank.questions):
                self.check_ref(path, ("questions", qi, "ref"), question.ref)
                self.check_option_cue(path, cues.question_cue(question, ("questions", qi)))
        for term in self.catalog.glossary.values():
            path, loc = self.catalog.id_files[("glossary term", term.id)]
            self.check_ref(path, loc[:-1] + ("ref",), term.ref)
        for script in self.catalog.scripts.values():
            path, loc = self.catalog.id_files[("script", script.id)]
            for ri, ref in enumerate(script.refs):
                self.check_ref(path, loc[:-1] + ("refs", ri), ref)


def _targets(choice: Choice) -> list[tuple[tuple[Any, ...], str]]:
    """(location suffix, target) for each place a choice can lead."""
    if isinstance(choice.next, str):
        return [(("next",), choice.next)]
    return [(("next", ri, "to"), route.to) for ri, route in enumerate(choice.next)]


@dataclass
class DialogueCheck:
    """The checks of one dialogue stage."""

    checker: _Checker
    path: Path
    level: Level
    index: int
    stage: DialogueStage

    @property
    def where(self) -> tuple[Any, ...]:
        return ("stages", self.index)

    def report(self, loc: tuple[Any, ...], code: str, message: str, severity: str = ERROR) -> None:
        self.checker.report(self.path, self.where + loc, code, message, severity)

    def run(self) -> None:
        stage = self.stage
        self.meters = set(DEFAULT_METERS) | set(stage.meters) | ({ENERGY_METER} if stage.uses_energy else set())
        self.flags_set = {flag for node in stage.nodes.values() for c in node.choices for flag in c.set}
        for name, value in stage.meters.items():
            if not 0 <= value <= 100:
                self.report(("meters", name), "CQ004", f"meter {name} starts at {value}; meters run 0–100")
        targets = set(stage.nodes) | set(stage.endings)
        if stage.start not in targets:
            self.report(
                ("start",),
                "CQ007",
                f"start '{stage.start}' is not a node of this dialogue{did_you_mean(stage.start, stage.nodes)}",
            )
        bad_condition = False
        any_good = False
        for node_id, node in stage.nodes.items():
            at = ("nodes", node_id)
            for vi, variant in enumerate(node.variants):
                bad_condition |= not self.condition(at + ("variants", vi, "if"), variant.when)
            for ci, choice in enumerate(node.choices):
                bad_condition |= not self.choice(at + ("choices", ci), choice, targets)
                any_good |= choice.quality.value == "good" and choice.violation is None
        for ending_id, ending in stage.endings.items():
            self.checker.check_ref(self.path, self.where + ("endings", ending_id, "ref"), ending.ref)
        if not any_good:
            self.report(
                (),
                "CQ024",
                "this dialogue has no choice with `quality: good`: the player never "
                "sees what a skilled collector would say",
                WARNING,
            )
        linked = self.structure(targets)
        if not bad_condition and stage.start in targets:
            self.checker.explorable.append(
                ExplorableDialogue(self.path, self.level, self.index, stage, frozenset(linked))
            )

    def condition(self, loc: tuple[Any, ...], text: str | None) -> bool:
        """Check one condition; False if it does not parse."""
        if text is None:
            return True
        try:
            clauses = conditions.parse(text)
        except conditions.ConditionError as exc:
            self.report(loc, "CQ014", str(exc))
            return False
        for clause in clauses:
            if clause.is_meter and clause.name not in self.meters:
                self.report(
                    loc,
                    "CQ015",
                    f"unknown meter '{clause.name}' in condition '{text}'"
                    f"{did_you_mean(clause.name, self.meters)}; declare it under the stage's `meters`",
                )
            elif not clause.is_meter and clause.name in self.meters:
                self.report(
                    loc, "CQ014", f"'{clause.name}' is a meter: compare it with a number, e.g. '{clause.name} >= 40'"
                )
            elif not clause.is_meter and clause.name not in self.flags_set:
                self.report(
                    loc,
                    "CQ016",
                    f"flag '{clause.name}' is tested but no choice in this dialogue "
                    f"sets it{did_you_mean(clause.name, self.flags_set)}",
                )
        return True

    def choice(self, loc: tuple[Any, ...], choice: Choice, targets: set[str]) -> bool:
        parsed = self.condition(loc + ("if",), choice.when)
        for name in choice.effects:
            if name not in self.meters:
                self.report(
                    loc + ("effects", name),
                    "CQ015",
                    f"unknown meter '{name}'{did_you_mean(name, self.meters)}; the meters are "
                    f"{'、'.join(sorted(self.meters))} (declare others under the stage's `meters`)",
                )
        self.checker.check_ref(self.path, self.where + loc + ("ref",), choice.ref)
        self.checker.check_rule(self.path, self.where + loc + ("violation",), choice.violation, "violation")
        rule = self.checker.catalog.rules.get(choice.violation or "")
        if rule is not None and not rule.red_line:
            self.report(
                loc + ("violation",),
                "CQ027",
                f"'{rule.id}' is not a red-line rule card, but `violation` fails the level; "
                "use `ref` and a 合规 effect for a lesser breach",
                WARNING,
            )
        if isinstance(choice.next, list):
            for ri, route in enumerate(choice.next):
                parsed &= self.condition(loc + ("next", ri, "if"), route.when)
            if choice.next and choice.next[-1].when is not None:
                self.report(
                    loc + ("next", len(choice.next) - 1, "if"),
                    "CQ025",
                    "the last route has an `if`; when no route holds the game takes the last one "
                    "anyway, so make it unconditional (only `to:`)",
                    WARNING,
                )
        for suffix, target in _targets(choice):
            if target not in targets:
                self.report(
                    loc + suffix,
                    "CQ007",
                    f"'{target}' is not a node or ending of this dialogue{did_you_mean(target, targets)}",
                )
        return parsed

    def structure(self, targets: set[str]) -> set[str]:
        """CQ008: nodes and endings no link leads to (conditions ignored). Returns those it leads to."""
        if self.stage.start not in targets:
            return set()
        links: dict[str, set[str]] = {}
        for node_id, node in self.stage.nodes.items():
            links[node_id] = {t for c in node.choices for _, t in _targets(c) if t in targets}
        seen = {self.stage.start}
        stack = [self.stage.start]
        while stack:
            for target in links.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        for node_id in self.stage.nodes:
            if node_id not in seen:
                self.report(
                    ("nodes", node_id),
                    "CQ008",
                    f"node '{node_id}' cannot be reached: no `next` leads to it from the start",
                )
        for ending_id in self.stage.endings:
            if ending_id not in seen:
                self.report(
                    ("endings", ending_id),
                    "CQ008",
                    f"ending '{ending_id}' cannot be reached: no `next` leads to it from the start",
                )
        return seen
