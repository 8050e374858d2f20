"""A level's dialogues as flowcharts (Mermaid or Graphviz DOT), for `collectquest graph`, and the
graph algorithm the level format's checks share with the playtest explorer.

Nodes show who speaks and the first words; endings are rounded and carry their score; red-line
choices are drawn in red and labelled ⛔. Trainers paste the Mermaid text into any Markdown
viewer that renders ```mermaid blocks (GitLab, GitHub, Typora, VS Code preview).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .models import DialogueStage, Level

LABEL_CHARS = 24
FORMATS = ("mermaid", "dot")


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _edges(stage: DialogueStage) -> list[tuple[str, str, str, bool]]:
    """(from node, to node or ending, label, is red line) for every choice and route."""
    found = []
    for node_id, node in stage.nodes.items():
        for number, choice in enumerate(node.choices, start=1):
            label = f"{number}. {_short(choice.text, 16)}"
            if choice.when:
                label += f" [若 {choice.when}]"
            red = choice.violation is not None
            if red:
                label = f"⛔ 红线 {choice.violation} · {label}"
            elif choice.quality.value == "good":
                label = f"✓ {label}"
            if isinstance(choice.next, str):
                found.append((node_id, choice.next, label, red))
            else:
                for route in choice.next:
                    condition = f" → 若 {route.when}" if route.when else " → 否则"
                    found.append((node_id, route.to, label + condition, red))
    return found


def _dialogues(level: Level) -> list[tuple[int, DialogueStage]]:
    return [(i, s) for i, s in enumerate(level.stages) if isinstance(s, DialogueStage)]


def mermaid(level: Level) -> str:
    lines = ["flowchart TD", f"  %% {level.id}: {level.title}"]
    red_links: list[int] = []
    link = 0
    for index, stage in _dialogues(level):
        prefix = f"s{index + 1}_"
        ids = {name: f"{prefix}n{i}" for i, name in enumerate([*stage.nodes, *stage.endings])}
        title = stage.title or f"对话 {index + 1}"
        lines.append(f'  subgraph {prefix}stage["{_mermaid_text(title)}"]')
        lines.append(f"    {prefix}start((开始))")
        for name, node in stage.nodes.items():
            speaker = node.speaker or level.case.debtor
            text = _mermaid_text(f"{name} · {speaker}:{_short(node.say)}")
            lines.append(f'    {ids[name]}["{text}"]')
        for name, ending in stage.endings.items():
            text = _mermaid_text(f"结局 {name} · {ending.title} ({ending.outcome}, {ending.score}分)")
            lines.append(f'    {ids[name]}(["{text}"]):::ending')
        if stage.start in ids:
            lines.append(f"    {prefix}start --> {ids[stage.start]}")
            link += 1
        for source, target, label, red in _edges(stage):
            target_id = ids.get(target)
            if target_id is None:
                target_id = f"{prefix}missing{link}"
                lines.append(f'    {target_id}["⚠ 不存在: {_mermaid_text(target)}"]:::missing')
            arrow = "==>" if red else "-->"
            lines.append(f'    {ids[source]} {arrow}|"{_mermaid_text(label)}"| {target_id}')
            if red:
                red_links.append(link)
            link += 1
        lines.append("  end")
    lines.append("  classDef ending fill:honeydew,stroke:seagreen")
    lines.append("  classDef missing fill:mistyrose,stroke:crimson")
    if red_links:
        lines.append(f"  linkStyle {','.join(map(str, red_links))} stroke:crimson,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Mermaid labels are quoted; quotes and a few characters must be written as entities.
    return (
        text.replace("&", "＆").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("|", "#124;")
    )


def dot(level: Level) -> str:
    lines = [
        f'digraph "{_dot_text(level.id)}" {{',
        "  rankdir=TB;",
        '  node [shape=box, style="rounded", fontname="sans-serif"];',
        '  edge [fontname="sans-serif", fontsize=10];',
        f'  label="{_dot_text(level.title)}"; labelloc=t;',
    ]
    for index, stage in _dialogues(level):
        prefix = f"s{index + 1}_"
        ids = {name: f"{prefix}n{i}" for i, name in enumerate([*stage.nodes, *stage.endings])}
        lines.append(f"  subgraph cluster_{index + 1} {{")
        lines.append(f'    label="{_dot_text(stage.title or f"对话 {index + 1}")}";')
        lines.append(f'    {prefix}start [label="开始", shape=circle];')
        for name, node in stage.nodes.items():
            speaker = node.speaker or level.case.debtor
            lines.append(f'    {ids[name]} [label="{_dot_text(f"{name} · {speaker}:{_short(node.say)}")}"];')
        for name, ending in stage.endings.items():
            text = f"结局 {name}\\n{ending.title} ({ending.outcome}, {ending.score}分)"
            lines.append(
                f'    {ids[name]} [label="{_dot_text(text, keep_newlines=True)}", shape=doubleoctagon, '
                "style=filled, fillcolor=honeydew];"
            )
        if stage.start in ids:
            lines.append(f"    {prefix}start -> {ids[stage.start]};")
        for number, (source, target, label, red) in enumerate(_edges(stage)):
            target_id = ids.get(target)
            if target_id is None:
                target_id = f"{prefix}missing{number}"
                lines.append(f'    {target_id} [label="⚠ 不存在: {_dot_text(target)}", color=crimson];')
            style = ", color=crimson, fontcolor=crimson, penwidth=2.5" if red else ""
            lines.append(f'    {ids[source]} -> {target_id} [label="{_dot_text(label)}"{style}];')
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str, keep_newlines: bool = False) -> str:
    escaped = text.replace("\\", "\\\\") if not keep_newlines else text
    return escaped.replace('"', '\\"').replace("\n", "\\n")


def render(level: Level, fmt: str = "mermaid") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use {' or '.join(FORMATS)}")
    return mermaid(level) if fmt == "mermaid" else dot(level)


def strongly_connected(nodes: Iterable[Any], successors: Callable[[Any], Iterable[Any]]) -> list[list[Any]]:
    """Tarjan's algorithm, iterative (graphs can be deep). Returns every strongly connected
    component; shared by validation (level `requires` loops) and the playtest explorer."""
    index_of: dict[Any, int] = {}
    low: dict[Any, int] = {}
    on_stack: set[Any] = set()
    stack: list[Any] = []
    components: list[list[Any]] = []
    counter = 0
    for root in nodes:
        if root in index_of:
            continue
        work = [(root, iter(successors(root)))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            vertex, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                    advanced = True
                    break
                if child in on_stack:
                    low[vertex] = min(low[vertex], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[vertex])
            if low[vertex] == index_of[vertex]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == vertex:
                        break
                components.append(component)
    return components
