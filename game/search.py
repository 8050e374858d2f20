"""Fuzzy, ranked search for the handbook: a query matches an entry when most of its character
bigrams occur in the entry, so "暴力催收" finds a card that says "使用暴力……催收" without the
exact phrase. Fields carry weights (a hit in a title counts more than one in an example), and an
exact phrase earns a bonus, so the closest entries come first."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Share of the query's bigrams an entry must contain to match.
MIN_COVERAGE = 0.6
PHRASE_BONUS = 2.0
TOKEN = re.compile(r"[^\W_]+")


def grams(text: str) -> set[str]:
    """Single characters and character bigrams of each word or run of Chinese in `text`,
    lower-cased; punctuation and spaces separate runs."""
    found: set[str] = set()
    for token in TOKEN.findall(text.lower()):
        found.update(token)
        found.update(token[i : i + 2] for i in range(len(token) - 1))
    return found


def query_grams(query: str) -> set[str]:
    """The bigrams of a query (single characters for one-character words)."""
    found: set[str] = set()
    for token in TOKEN.findall(query.lower()):
        if len(token) == 1:
            found.add(token)
        else:
            found.update(token[i : i + 2] for i in range(len(token) - 1))
    return found


@dataclass(frozen=True)
class Field:
    text: str
    weight: float


class SearchIndex:
    """Documents made of weighted fields, searched by `rank`."""

    def __init__(self, documents: Sequence[Sequence[Field]]) -> None:
        self._fields = [[(grams(f.text), f.text.lower(), f.weight) for f in doc] for doc in documents]

    def score(self, index: int, query: str) -> float:
        """How well document `index` matches `query` (0 when it does not match)."""
        wanted = query_grams(query)
        if not wanted:
            return 0.0
        fields = self._fields[index]
        total = 0.0
        found = 0
        for gram in wanted:
            weight = max((w for gs, _, w in fields if gram in gs), default=0.0)
            if weight:
                found += 1
                total += weight
        if found / len(wanted) < MIN_COVERAGE:
            return 0.0
        phrase = query.strip().lower()
        bonus = max((w for _, text, w in fields if phrase and phrase in text), default=0.0)
        return total / len(wanted) + PHRASE_BONUS * bonus

    def rank(self, query: str) -> list[int]:
        """Indexes of the matching documents, best first (ties keep document order). An empty
        query matches everything in order."""
        if not query_grams(query):
            return list(range(len(self._fields)))
        scored = [(self.score(i, query), i) for i in range(len(self._fields))]
        return [i for score, i in sorted(scored, key=lambda item: (-item[0], item[1])) if score > 0]
