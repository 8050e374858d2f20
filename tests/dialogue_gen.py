"""Random dialogue stages for property tests of the engine and the explorer.

`dialogues(acyclic=True)` only links a node to later nodes or endings, so every path ends and
paths can be enumerated by brute force; `acyclic=False` allows loops back.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st

from game.models import DialogueStage

CONDITIONS = ["信任 >= 40", "情绪 < 50", "合规 >= 80", "f1", "not f1", "f2 and 信任 > 20", "not f2"]
FLAGS = ["f1", "f2"]
QUALITIES = ["good", "ok", "bad"]
RULES = ["pipl-no-illegal-disclosure"]


@st.composite
def dialogues(draw: st.DrawFn, acyclic: bool = True, max_nodes: int = 6) -> DialogueStage:
    node_count = draw(st.integers(1, max_nodes))
    ending_count = draw(st.integers(1, 3))
    nodes = [f"n{i}" for i in range(node_count)]
    endings = [f"e{i}" for i in range(ending_count)]

    def targets_from(index: int) -> list[str]:
        later = nodes[index + 1 :] if acyclic else [n for n in nodes if n != nodes[index]] + [nodes[index]]
        return later + endings

    def next_value(index: int) -> Any:
        options = targets_from(index)
        if draw(st.booleans()):
            return draw(st.sampled_from(options))
        routes = [
            {"if": draw(st.sampled_from(CONDITIONS)), "to": draw(st.sampled_from(options))}
            for _ in range(draw(st.integers(1, 2)))
        ]
        return routes + [{"to": draw(st.sampled_from(options))}]

    node_data: dict[str, Any] = {}
    for index, name in enumerate(nodes):
        choices = []
        for _ in range(draw(st.integers(1, 3))):
            choice: dict[str, Any] = {
                "text": "说点什么",
                "feedback": "反馈",
                "quality": draw(st.sampled_from(QUALITIES)),
                "effects": draw(
                    st.dictionaries(
                        st.sampled_from(["信任", "情绪", "合规"]),
                        st.sampled_from([-40, -20, -10, 10, 20, 40]),
                        max_size=2,
                    )
                ),
                "set": draw(st.lists(st.sampled_from(FLAGS), max_size=1)),
                "clear": draw(st.lists(st.sampled_from(FLAGS), max_size=1)),
                "next": next_value(index),
            }
            if draw(st.integers(0, 3)) == 0:
                choice["if"] = draw(st.sampled_from(CONDITIONS))
            if draw(st.integers(0, 5)) == 0:
                choice["violation"] = draw(st.sampled_from(RULES))
            choices.append(choice)
        node_data[name] = {"say": "对方说话", "choices": choices}
    ending_data = {
        name: {"title": "结局", "outcome": "其他", "text": "结束", "score": draw(st.integers(0, 100))}
        for name in endings
    }
    return DialogueStage.model_validate(
        {
            "kind": "dialogue",
            "start": "n0",
            "nodes": node_data,
            "endings": ending_data,
            "meters": draw(st.dictionaries(st.sampled_from(["信任", "情绪"]), st.integers(0, 100), max_size=1)),
        }
    )


def big_dialogue(seed: int, nodes: int = 50, choices: int = 4, acyclic: bool = True) -> DialogueStage:
    """A large level in the style trainers write: trust and agitation change on every choice,
    a fifth of the choices and routes test trust, links go a few nodes ahead (or anywhere)."""
    rng = random.Random(seed)
    endings = {
        f"end{i}": {"title": "结局", "outcome": "其他", "text": "结束", "score": score}
        for i, score in enumerate([100, 70, 40, 0])
    }
    node_data: dict[str, Any] = {}
    for i in range(nodes):
        if acyclic:
            ahead = [f"n{x}" for x in range(i + 1, min(nodes, i + 5))]
        else:
            ahead = [f"n{x}" for x in range(nodes) if x != i]

        def pick(ahead: list[str] = ahead) -> str:  # mostly another node; now and then an ending
            return rng.choice(list(endings)) if not ahead or rng.random() < 0.1 else rng.choice(ahead)

        node_choices = []
        for _ in range(choices):
            choice: dict[str, Any] = {
                "text": "说点什么",
                "feedback": "反馈",
                "quality": rng.choice(QUALITIES),
                "effects": {"信任": rng.choice([-10, -5, 5, 10]), "情绪": rng.choice([-10, -5, 5, 10])},
                "next": pick(),
            }
            if rng.random() < 0.2:
                choice["if"] = "信任 >= 40"
            if rng.random() < 0.2:
                choice["next"] = [{"if": "信任 >= 50", "to": pick()}, {"to": pick()}]
            if rng.random() < 0.05:
                choice["violation"] = "pipl-no-illegal-disclosure"
            node_choices.append(choice)
        node_data[f"n{i}"] = {"say": "对方说话", "choices": node_choices}
    return DialogueStage.model_validate({"kind": "dialogue", "start": "n0", "nodes": node_data, "endings": endings})
