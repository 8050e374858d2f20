"""The small condition language used by `if:` in dialogue choices, routes and text variants.

    信任 >= 40                      a meter compared with a number
    verified                        a flag is set
    not angry                       a flag is not set
    信任 >= 40 and not angry        clauses joined by `and` (or 且)

Kept deliberately tiny so trainers can read it aloud; anything richer belongs in more nodes.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from functools import lru_cache

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
_COMPARE = re.compile(r"^\s*(?P<name>[^\s<>=!]+)\s*(?P<op>>=|<=|==|!=|>|<)\s*(?P<value>[+-]?\d+(?:\.\d+)?)\s*$")
_FLAG = re.compile(r"^\s*(?P<neg>not\s+|!|非\s*)?(?P<name>[\w\-\u4e00-\u9fff]+)\s*$")
_SPLIT = re.compile(r"\s+and\s+|\s*且\s*|\s*&&\s*")


class ConditionError(ValueError):
    """A condition that does not parse; the message says what is expected."""


@dataclass(frozen=True)
class Clause:
    name: str
    op: str | None = None  # None: a flag test
    value: float = 0.0
    negated: bool = False

    @property
    def is_meter(self) -> bool:
        return self.op is not None

    def holds(self, meters: Mapping[str, int], flags: Set[str]) -> bool:
        if self.op is None:
            return (self.name in flags) != self.negated
        return _OPS[self.op](meters.get(self.name, 0), self.value)


@lru_cache(maxsize=4096)
def parse(text: str) -> tuple[Clause, ...]:
    clauses = []
    for part in _SPLIT.split(text.strip()):
        if not part.strip():
            raise ConditionError(f"empty clause in condition '{text}'")
        if match := _COMPARE.match(part):
            clauses.append(Clause(match["name"], match["op"], float(match["value"])))
        elif (match := _FLAG.match(part)) and match["name"] not in ("and", "or", "not"):
            clauses.append(Clause(match["name"], negated=bool(match["neg"])))
        else:
            raise ConditionError(
                f"cannot read '{part.strip()}' in condition '{text}': write '信任 >= 40', 'flag' or 'not flag', "
                "joined by 'and'"
            )
    return tuple(clauses)


def holds(text: str | None, meters: Mapping[str, int], flags: Set[str]) -> bool:
    """True when there is no condition or every clause holds."""
    if text is None:
        return True
    return all(clause.holds(meters, flags) for clause in parse(text))
