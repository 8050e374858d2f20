"""Exhaustive exploration of dialogue stages, for `validate` and `collectquest playtest`.

A dialogue's future depends only on (node, meters, flags, whether a red line was crossed), so we
explore that state graph once, breadth first, with the engine's own `dialogue.choose` (playtest
then agrees with play by construction). Everything else is dynamic programming over that graph:

* the number of distinct paths (choice sequences) is counted, never enumerated;
* the stage score is 50% ending + 25% 合规 + 25% the *average* choice quality, and an average is
  not decomposable per state, so scores are maximised over (state, number of steps) layers:
  for each ending state and path length we keep the largest and smallest quality sum. This is
  exact for dialogues without cycles; with cycles, paths are searched up to a horizon of steps.

Best and worst witness paths are replayed through the engine (`dialogue.replay`, `result`,
`scoring.combine`), so every reported score is one the game would really give.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from . import audit, conditions, dialogue, quiz, scoring
from .dialogue import DialogueResult, DialogueState
from .graph import strongly_connected
from .models import COMPLIANCE_METER, ENERGY_METER, QUALITY_POINTS, AuditStage, DialogueStage, Level, Quality, QuizStage
from .scoring import LevelResult, StageResult

MAX_STATES = 200_000
"""Refuse to explore more states than this (a level that big is a level nobody can test)."""

EDGE_BUDGET = 1_500_000
"""How many edge relaxations the score search may spend when the dialogue has cycles."""

MAX_CYCLIC_HORIZON = 80
MIN_CYCLIC_HORIZON = 20

StateKey = tuple[str, tuple[tuple[str, int], ...], frozenset[str], bool]  # at, meters, flags, red


class ExplorationError(ValueError):
    """The dialogue cannot be explored (too many states, or a condition that does not parse)."""


# --------------------------------------------------------------------------------------------
# The state graph
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    choice: int  # index into the node's choices
    target: int  # state id
    points: int  # quality points the engine records for this step (a red line counts as bad)
    quality: Quality
    violation: str | None


@dataclass
class StateGraph:
    """Reachable states of one dialogue stage. State 0 is the start."""

    keys: list[StateKey] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "node", "ending" or "dangling"
    edges: list[list[Edge]] = field(default_factory=list)
    hidden_fallback: set[str] = field(default_factory=set)  # nodes where every choice was hidden

    _incoming: list[list[tuple[int, Edge]]] | None = None

    def incoming(self) -> list[list[tuple[int, Edge]]]:
        """For each state, the (source state, edge) pairs that lead to it."""
        if self._incoming is None:
            self._incoming = [[] for _ in self.keys]
            for source, edges in enumerate(self.edges):
                for edge in edges:
                    self._incoming[edge.target].append((source, edge))
        return self._incoming

    def node_of(self, state: int) -> str:
        return self.keys[state][0]

    def __len__(self) -> int:
        return len(self.keys)


def _kind(stage: DialogueStage, at: str) -> str:
    if at in stage.endings:
        return "ending"
    return "node" if at in stage.nodes else "dangling"


def check_conditions(stage: DialogueStage) -> None:
    """Raise ExplorationError if any condition of the stage does not parse."""
    for node_id, node in stage.nodes.items():
        texts = [v.when for v in node.variants] + [c.when for c in node.choices]
        for choice in node.choices:
            if isinstance(choice.next, list):
                texts.extend(route.when for route in choice.next)
        for text in texts:
            if text is None:
                continue
            try:
                conditions.parse(text)
            except conditions.ConditionError as exc:
                raise ExplorationError(f"node '{node_id}': {exc}") from None


def _tested(stage: DialogueStage) -> tuple[set[str], set[str]]:
    """Meters and flags that some choice or route condition reads. Only they (and 合规, which is
    scored) can change what happens next, so states that differ elsewhere are merged."""
    meters: set[str] = {COMPLIANCE_METER}
    if stage.uses_energy:
        meters.add(ENERGY_METER)  # the collector's 能量 decides which replies are offered
    flags: set[str] = set()
    for node in stage.nodes.values():
        texts = [c.when for c in node.choices]
        for choice in node.choices:
            if isinstance(choice.next, list):
                texts.extend(route.when for route in choice.next)
        for text in texts:
            for clause in conditions.parse(text) if text else ():
                (meters if clause.is_meter else flags).add(clause.name)
    return meters, flags


def build_graph(stage: DialogueStage, max_states: int | None = None) -> StateGraph:
    """Every state reachable from the start, with the engine's transitions between them."""
    check_conditions(stage)
    max_states = MAX_STATES if max_states is None else max_states
    tested_meters, tested_flags = _tested(stage)
    graph = StateGraph()
    index: dict[StateKey, int] = {}
    representatives: list[DialogueState] = []  # a full engine state for each merged state

    def intern(state: DialogueState, red: bool) -> tuple[int, bool]:
        key = (state.at, tuple(m for m in state.meters if m[0] in tested_meters), state.flags & tested_flags, red)
        found = index.get(key)
        if found is not None:
            return found, False
        if len(graph.keys) >= max_states:
            raise ExplorationError(f"more than {max_states} distinct states: the dialogue is too large to explore")
        index[key] = len(graph.keys)
        graph.keys.append(key)
        graph.kinds.append(_kind(stage, key[0]))
        graph.edges.append([])
        representatives.append(replace(state, steps=()))
        return index[key], True

    intern(dialogue.start(stage), False)
    queue = deque([0])
    while queue:
        sid = queue.popleft()
        if graph.kinds[sid] != "node":
            continue
        state = representatives[sid]
        red = graph.keys[sid][3]
        node = stage.nodes[state.at]
        meters = state.meter_map
        if not any(conditions.holds(c.when, meters, state.flags) for c in node.choices):
            graph.hidden_fallback.add(state.at)
        for choice_index, _ in dialogue.available_choices(stage, state):
            new_state, outcome = dialogue.choose(stage, state, choice_index)
            step = new_state.steps[-1]
            target, new = intern(new_state, red or outcome.violation is not None)
            if new:
                queue.append(target)
            graph.edges[sid].append(
                Edge(choice_index, target, QUALITY_POINTS[step.quality], step.quality, step.violation)
            )
    return graph


def _reverse(graph: StateGraph, keep: Callable[[Edge], bool]) -> list[list[int]]:
    back: list[list[int]] = [[] for _ in graph.keys]
    for source, edges in enumerate(graph.edges):
        for edge in edges:
            if keep(edge):
                back[edge.target].append(source)
    return back


def _can_reach(graph: StateGraph, goals: Iterable[int], keep: Callable[[Edge], bool] = lambda e: True) -> set[int]:
    back = _reverse(graph, keep)
    seen = set(goals)
    queue = deque(seen)
    while queue:
        for source in back[queue.popleft()]:
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return seen


def _cyclic_members(states: set[int], successors: Callable[[int], Iterable[int]]) -> set[int]:
    members: set[int] = set()
    for component in strongly_connected(sorted(states), lambda s: [t for t in successors(s) if t in states]):
        if len(component) > 1 or component[0] in successors(component[0]):
            members.update(component)
    return members


# --------------------------------------------------------------------------------------------
# Scores over paths
# --------------------------------------------------------------------------------------------


def stage_score(stage: DialogueStage, ending_score: int, compliance: int, quality_sum: int, steps: int) -> int:
    """The engine's dialogue score (`dialogue.result`) from a path's summary."""
    communication = round(quality_sum / steps) if steps else 0
    w = stage.score_weights
    total_weight = (w.结果 + w.合规 + w.沟通) or 1
    return round((w.结果 * ending_score + w.合规 * compliance + w.沟通 * communication) / total_weight)


@dataclass(frozen=True)
class Witness:
    """A concrete path (choice indices from the start) and the engine's result for it."""

    choices: list[int]
    result: DialogueResult

    @property
    def score(self) -> int:
        return self.result.score


Found = tuple[int, int, int, int]  # (stage score, steps, ending state, quality sum)


@dataclass
class _Search:
    """Outcome of one score search, and the layers needed to trace its witnesses back."""

    keep: Callable[[Edge], bool]
    best: Found | None = None  # best path without a red line
    best_red: Found | None = None
    worst: Found | None = None
    shortest: int | None = None
    longest: int | None = None
    layers: list[tuple[dict[int, int], dict[int, int]]] = field(default_factory=list)  # (max, min) sums


def _search_scores(stage: DialogueStage, graph: StateGraph, keep: Callable[[Edge], bool], horizon: int) -> _Search:
    """Layer n holds, for each state reachable in exactly n steps, the largest and smallest sum
    of quality points over such paths; ending states are scored as they appear."""
    useful = _can_reach(graph, [s for s, k in enumerate(graph.kinds) if k == "ending"], keep)
    moves = [
        [(e.target, e.points) for e in edges if keep(e) and e.target in useful] if graph.kinds[sid] == "node" else []
        for sid, edges in enumerate(graph.edges)
    ]
    finals: dict[int, tuple[int, int, bool]] = {}
    for sid, kind in enumerate(graph.kinds):
        if kind == "ending" and sid in useful:
            at, meters, _flags, red = graph.keys[sid]
            finals[sid] = (stage.endings[at].score, 0 if red else dict(meters).get(COMPLIANCE_METER, 100), red)
    search = _Search(keep)
    high: dict[int, int] = {0: 0} if 0 in useful else {}
    low: dict[int, int] = dict(high)
    steps = 0
    while high:
        search.layers.append((high, low))
        next_high: dict[int, int] = {}
        next_low: dict[int, int] = {}
        for sid, most in high.items():
            final = finals.get(sid)
            if final is not None:
                _consider(stage, search, sid, steps, final, most, low[sid])
                continue
            if steps >= horizon:
                continue
            least = low[sid]
            for target, points in moves[sid]:
                value = most + points
                known = next_high.get(target)
                if known is None:
                    next_high[target] = value
                    next_low[target] = least + points
                    continue
                if value > known:
                    next_high[target] = value
                value = least + points
                if value < next_low[target]:
                    next_low[target] = value
        high, low = next_high, next_low
        steps += 1
    return search


def _consider(
    stage: DialogueStage, search: _Search, sid: int, steps: int, final: tuple[int, int, bool], most: int, least: int
) -> None:
    ending_score, compliance, red = final
    high = (stage_score(stage, ending_score, compliance, most, steps), steps, sid, most)
    low = (stage_score(stage, ending_score, compliance, least, steps), steps, sid, least)
    if red:
        if search.best_red is None or high[0] > search.best_red[0]:
            search.best_red = high
    elif search.best is None or high[0] > search.best[0]:
        search.best = high
    if search.worst is None or low[0] < search.worst[0]:
        search.worst = low
    search.shortest = steps if search.shortest is None else min(search.shortest, steps)
    search.longest = steps if search.longest is None else max(search.longest, steps)


def _trace(graph: StateGraph, search: _Search, found: Found, best: bool) -> list[int]:
    """Walk back from the ending through the layers: at each step some predecessor's kept sum
    plus the edge's points equals the sum here (that is how the sum was made)."""
    _score, steps, sid, total = found
    incoming = graph.incoming()
    choices: list[int] = []
    while steps > 0:
        layer = search.layers[steps - 1][0 if best else 1]
        source, edge = next(
            (src, e) for src, e in incoming[sid] if src in layer and search.keep(e) and layer[src] + e.points == total
        )
        choices.append(edge.choice)
        sid, total, steps = source, total - edge.points, steps - 1
    choices.reverse()
    return choices


def _witness(
    stage: DialogueStage, graph: StateGraph, search: _Search, found: Found | None, best: bool
) -> Witness | None:
    if found is None:
        return None
    choices = _trace(graph, search, found, best)
    state = dialogue.replay(stage, choices)
    return Witness(choices, dialogue.result(stage, state))


# --------------------------------------------------------------------------------------------
# Stage report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnusedChoice:
    node: str
    choice: int  # 0-based index
    reason: str  # "never-available" or "same-as"
    same_as: tuple[int, ...] = ()


@dataclass(frozen=True)
class Cycle:
    nodes: tuple[str, ...]
    has_exit: bool


@dataclass
class StageExploration:
    """What exploring one dialogue stage found."""

    stage_index: int
    states: int
    paths: int | None  # None: infinitely many (a reachable loop that can still reach an ending)
    paths_by_ending: dict[str, int]
    endings_reached: list[str]
    endings_unreached: list[str]
    nodes_unreached: list[str]
    dead_end_nodes: list[str]  # nodes with a reachable state from which no ending is reachable
    dangling_targets: list[str]
    hidden_fallback_nodes: list[str]
    cycles: list[Cycle]
    unused_choices: list[UnusedChoice]
    shortest_path: int | None
    longest_path: int | None  # None when a loop makes paths unbounded
    horizon: int | None  # steps searched when paths are unbounded; None when the search was exact
    best: Witness | None  # best path without a red line
    worst: Witness | None  # worst path of all (a red line scores 合规 0)
    best_red_line: Witness | None
    best_without_good: Witness | None  # best path without a red line and without any good choice

    @property
    def completable(self) -> bool:
        return self.best is not None or self.best_red_line is not None


def _count_paths(graph: StateGraph, useful: set[int], reachable: set[int]) -> tuple[int | None, dict[str, int]]:
    live = useful & reachable
    if _cyclic_members(live, lambda s: [e.target for e in graph.edges[s]]):
        return None, {}
    # Forward counting in topological order (Kahn) over the live subgraph.
    indegree = {s: 0 for s in live}
    for s in live:
        for edge in graph.edges[s]:
            if edge.target in live:
                indegree[edge.target] += 1
    ways = {s: 0 for s in live}
    if 0 in live:
        ways[0] = 1
    queue = deque(s for s in live if indegree[s] == 0)
    by_ending: dict[str, int] = {}
    while queue:
        s = queue.popleft()
        if graph.kinds[s] == "ending":
            name = graph.node_of(s)
            by_ending[name] = by_ending.get(name, 0) + ways[s]
        for edge in graph.edges[s]:
            if edge.target in live:
                ways[edge.target] += ways[s]
                indegree[edge.target] -= 1
                if indegree[edge.target] == 0:
                    queue.append(edge.target)
    return sum(by_ending.values()), dict(sorted(by_ending.items()))


def _node_cycles(graph: StateGraph, reachable: set[int], useful: set[int]) -> list[Cycle]:
    successors: dict[str, set[str]] = {}
    for s in reachable:
        if graph.kinds[s] != "node":
            continue
        here = graph.node_of(s)
        for edge in graph.edges[s]:
            if graph.kinds[edge.target] == "node":
                successors.setdefault(here, set()).add(graph.node_of(edge.target))
    names = sorted({graph.node_of(s) for s in reachable if graph.kinds[s] == "node"})
    exits = {graph.node_of(s) for s in useful & reachable}
    cycles = []
    for component in strongly_connected(names, lambda n: sorted(successors.get(n, ()))):
        if len(component) > 1 or component[0] in successors.get(component[0], ()):
            members = tuple(sorted(component))
            cycles.append(Cycle(members, any(m in exits for m in members)))
    return sorted(cycles, key=lambda c: c.nodes)


def _unused_choices(stage: DialogueStage, graph: StateGraph, reachable: set[int]) -> list[UnusedChoice]:
    """Choices that are never shown, or that wherever shown lead to exactly the same state with
    the same quality as another shown choice (so picking one or the other never matters)."""
    at_node: dict[str, list[int]] = {}
    for s in reachable:
        if graph.kinds[s] == "node":
            at_node.setdefault(graph.node_of(s), []).append(s)
    unused: list[UnusedChoice] = []
    for node_id, node in stage.nodes.items():
        if node_id not in at_node:
            continue
        always_twinned: dict[int, bool] = {}
        twins_seen: dict[int, set[int]] = {}
        for s in at_node[node_id]:
            outcomes: dict[tuple[int, int, str | None], set[int]] = {}
            for edge in graph.edges[s]:
                outcomes.setdefault((edge.target, edge.points, edge.violation), set()).add(edge.choice)
            for edge in graph.edges[s]:
                twins = outcomes[(edge.target, edge.points, edge.violation)] - {edge.choice}
                always_twinned[edge.choice] = always_twinned.get(edge.choice, True) and bool(twins)
                twins_seen.setdefault(edge.choice, set()).update(twins)
        for index in range(len(node.choices)):
            if index not in always_twinned:
                unused.append(UnusedChoice(node_id, index, "never-available"))
            elif always_twinned[index]:
                unused.append(UnusedChoice(node_id, index, "same-as", tuple(sorted(twins_seen[index]))))
    return unused


def explore_stage(stage: DialogueStage, stage_index: int = 0, max_states: int | None = None) -> StageExploration:
    """Explore one dialogue stage. Raises ExplorationError when it cannot be explored."""
    graph = build_graph(stage, max_states)
    everything: Callable[[Edge], bool] = lambda e: True  # noqa: E731
    reachable = set(range(len(graph)))  # built from the start, so every state is reachable
    endings = [s for s, k in enumerate(graph.kinds) if k == "ending"]
    useful = _can_reach(graph, endings)
    dangling = [s for s, k in enumerate(graph.kinds) if k == "dangling"]
    settled = _can_reach(graph, endings + dangling)
    cyclic = bool(_cyclic_members(useful, lambda s: [e.target for e in graph.edges[s]]))
    horizon = _horizon(graph, useful) if cyclic else len(graph) + 1
    search = _search_scores(stage, graph, everything, horizon)
    no_good: Callable[[Edge], bool] = lambda e: e.quality != Quality.good  # noqa: E731
    lenient = _search_scores(stage, graph, no_good, horizon)
    paths, by_ending = _count_paths(graph, useful, reachable)
    reached_endings = {graph.node_of(s) for s in endings}
    reached_nodes = {graph.node_of(s) for s, k in enumerate(graph.kinds) if k == "node"}
    dead_ends = sorted({graph.node_of(s) for s, k in enumerate(graph.kinds) if k == "node" and s not in settled})
    return StageExploration(
        stage_index=stage_index,
        states=len(graph),
        paths=paths,
        paths_by_ending=by_ending,
        endings_reached=[e for e in stage.endings if e in reached_endings],
        endings_unreached=[e for e in stage.endings if e not in reached_endings],
        nodes_unreached=[n for n in stage.nodes if n not in reached_nodes],
        dead_end_nodes=[n for n in stage.nodes if n in dead_ends],
        dangling_targets=sorted({graph.node_of(s) for s in dangling}),
        hidden_fallback_nodes=[n for n in stage.nodes if n in graph.hidden_fallback],
        cycles=_node_cycles(graph, reachable, useful),
        unused_choices=_unused_choices(stage, graph, reachable),
        shortest_path=search.shortest,
        longest_path=None if cyclic else search.longest,
        horizon=horizon if cyclic else None,
        best=_witness(stage, graph, search, search.best, True),
        worst=_witness(stage, graph, search, search.worst, False),
        best_red_line=_witness(stage, graph, search, search.best_red, True),
        best_without_good=_witness(stage, graph, lenient, lenient.best, True),
    )


def _horizon(graph: StateGraph, useful: set[int]) -> int:
    edges = sum(1 for s in useful for e in graph.edges[s] if e.target in useful) or 1
    return max(MIN_CYCLIC_HORIZON, min(MAX_CYCLIC_HORIZON, EDGE_BUDGET // edges))


# --------------------------------------------------------------------------------------------
# Level report
# --------------------------------------------------------------------------------------------


def quiz_extremes(stage: QuizStage, catalog: Any) -> tuple[quiz.QuizResult, quiz.QuizResult]:
    """(perfect, all-wrong) results of a quiz, scored by the engine. Perfect = every answer right
    within the full-points time, so speed and streak bonuses are at their best."""
    try:
        planned = quiz.plan_quiz(stage, catalog, random.Random(0)) if catalog is not None else None
    except quiz.DrawError:
        planned = None
    if planned is None:
        # Draws cannot be planned (validate reports why): score the inline questions alone, and
        # if there are none, assume the bounds 100 and 0 so the level's other checks still run.
        planned = [
            quiz.PlannedQuestion(
                q.id or f"inline-{i}",
                q,
                q.time_limit or stage.time_limit,
                q.points if q.points is not None else stage.points,
            )
            for i, q in enumerate(stage.questions)
        ]
        if not planned:
            return (quiz.QuizResult([], 0, 0, 0, 0, 100, 100, 100, 0), quiz.QuizResult([], 0, 0, 0, 0, 0, 0, 0, 0))
    perfect = quiz.rescore(stage, planned, [(p.question.correct_set(), 0.0) for p in planned])
    wrong = quiz.rescore(stage, planned, [(None, p.time_limit) for p in planned])
    return perfect, wrong


def audit_extremes(stage: AuditStage) -> tuple[audit.AuditResult, audit.AuditResult]:
    return audit.score(stage, audit.answer_key(stage)), audit.score(stage, {})


@dataclass
class LevelPlaytest:
    """Playtest of a whole level: each dialogue explored, quizzes and audits at their extremes."""

    level: Level
    dialogues: dict[int, StageExploration]
    errors: dict[int, str]  # stage index -> why it could not be explored
    best: LevelResult | None  # best total (perfect quiz/audit answers); None if it cannot finish
    worst: LevelResult | None  # worst total (every answer wrong)
    red_line_results: list[tuple[int, LevelResult]]  # per dialogue with a red line: its best try
    without_good: LevelResult | None  # best total never choosing `good`, every answer wrong
    naive: list[Any] = field(default_factory=list)  # autoplay.NaiveResult per naive policy
    defects: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.defects


def playtest(
    level: Level,
    catalog: Any = None,
    max_states: int | None = None,
    combine: Callable[[Level, list[StageResult]], LevelResult] | None = None,
    explored: dict[int, StageExploration] | None = None,
    naive: bool = False,
) -> LevelPlaytest:
    """Explore every dialogue of `level` and judge the level as a whole.

    `catalog` supplies question banks for quiz draws. `explored` holds stages already explored
    (stage index -> result). `combine` defaults to the engine's `scoring.combine`; it is a
    parameter so tests can check that a scoring bug letting a red line pass would be caught."""
    combine = combine or scoring.combine
    dialogues: dict[int, StageExploration] = {}
    errors: dict[int, str] = {}
    best_parts: list[StageResult | None] = []
    worst_parts: list[StageResult | None] = []
    no_good_parts: list[StageResult | None] = []
    for index, stage in enumerate(level.stages):
        if isinstance(stage, DialogueStage):
            try:
                found = (explored or {}).get(index) or explore_stage(stage, index, max_states)
            except ExplorationError as exc:
                errors[index] = str(exc)
                best_parts.append(None)
                worst_parts.append(None)
                no_good_parts.append(None)
                continue
            dialogues[index] = found
            top = found.best or found.best_red_line
            best_parts.append(top.result if found.completable and top is not None else None)
            worst_parts.append(found.worst.result if found.worst else None)
            no_good_parts.append(found.best_without_good.result if found.best_without_good else None)
        elif isinstance(stage, QuizStage):
            perfect, wrong = quiz_extremes(stage, catalog)
            best_parts.append(perfect)
            worst_parts.append(wrong)
            no_good_parts.append(wrong)
        else:
            perfect_audit, empty_audit = audit_extremes(stage)
            best_parts.append(perfect_audit)
            worst_parts.append(empty_audit)
            no_good_parts.append(empty_audit)

    def total(parts: list[StageResult | None]) -> LevelResult | None:
        return None if any(p is None for p in parts) else combine(level, [p for p in parts if p is not None])

    best, worst, without_good = total(best_parts), total(worst_parts), total(no_good_parts)
    red_line_results: list[tuple[int, LevelResult]] = []
    for index, found in dialogues.items():
        if found.best_red_line is None:
            continue
        parts = [found.best_red_line.result if i == index else p for i, p in enumerate(best_parts)]
        judged = total(parts)
        if judged is not None:
            red_line_results.append((index, judged))
    report = LevelPlaytest(level, dialogues, errors, best, worst, red_line_results, without_good)
    _judge(report)
    return report


def _judge(report: LevelPlaytest) -> None:
    level = report.level
    for index, message in report.errors.items():
        report.defects.append(("cannot-explore", f"stage {index + 1}: {message}"))
    for index, found in report.dialogues.items():
        where = f"stage {index + 1}"
        for ending in found.endings_unreached:
            report.defects.append(("unreachable-ending", f"{where}: ending '{ending}' can never be reached"))
        for node in found.dead_end_nodes:
            report.defects.append(
                (
                    "dead-end",
                    f"{where}: from node '{node}' the conversation can get stuck "
                    "in a loop that never reaches an ending",
                )
            )
        for target in found.dangling_targets:
            report.defects.append(
                ("dead-end", f"{where}: a choice leads to '{target}', which is neither a node nor an ending")
            )
        for node in found.nodes_unreached:
            report.notes.append(("unreachable-node", f"{where}: node '{node}' can never be reached"))
        if found.best_without_good is not None and found.best_without_good.score >= level.pass_score:
            report.notes.append(
                (
                    "lenient-stage",
                    f"{where}: without a single good choice this dialogue still "
                    f"scores {found.best_without_good.score} "
                    f"(pass score {level.pass_score})",
                )
            )
        for choice in found.unused_choices:
            if choice.reason == "never-available":
                report.notes.append(
                    (
                        "choice-never-available",
                        f"{where}: node '{choice.node}' choice {choice.choice + 1} is never shown",
                    )
                )
            else:
                twins = ", ".join(str(i + 1) for i in choice.same_as)
                report.notes.append(
                    (
                        "choice-never-matters",
                        f"{where}: node '{choice.node}' choice "
                        f"{choice.choice + 1} always does the same as "
                        f"choice {twins}",
                    )
                )
    for index, judged in report.red_line_results:
        if judged.passed:
            report.defects.append(
                ("red-line-passes", f"stage {index + 1}: a path crossing a red line passes with {judged.total}")
            )
    if report.without_good is not None and report.without_good.passed:
        report.defects.append(
            (
                "too-lenient",
                f"a player who never picks a good choice (and answers every "
                f"question wrong) still passes with {report.without_good.total}",
            )
        )
    all_red = [i for i, found in report.dialogues.items() if found.best is None and found.best_red_line]
    for index in all_red:
        report.defects.append(
            ("pass-unreachable", f"stage {index + 1}: every path that reaches an ending crosses a red line")
        )
    if report.best is not None and not report.best.passed and not report.errors and not all_red:
        report.defects.append(
            (
                "pass-unreachable",
                f"the best possible total is {report.best.total}, below the pass score {level.pass_score}",
            )
        )


def add_naive(report: LevelPlaytest, results: list[Any]) -> None:
    """Judge how naive players (autoplay.naive_results) did: a level they pass is a defect."""
    report.naive = list(results)
    for naive in report.naive:
        if naive.too_easy:
            report.defects.append(
                (
                    "naive-passes",
                    f"a naive player who always takes the {naive.policy} option passes {naive.passes} of "
                    f"{naive.runs} shuffled runs (best {naive.best_score}): make the wrong options as long and "
                    "as polite as the right one, and the right one no longer than the others",
                )
            )
