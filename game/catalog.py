"""The Catalog: every loaded level and handbook entry, indexed by id. A plain container, so that
modules can name the type without importing the YAML loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .vocabulary import TIERS

if TYPE_CHECKING:  # only named here: the game's first screen can name a Catalog before pydantic loads
    from .models import BankQuestion, GlossaryTerm, Level, QuestionBank, RuleCard, Script
    from .yamlsource import YamlSource


@dataclass
class Catalog:
    """Everything loaded: levels and the handbook, indexed by id, plus where each came from."""

    levels: dict[str, Level] = field(default_factory=dict)
    level_files: dict[str, Path] = field(default_factory=dict)
    rules: dict[str, RuleCard] = field(default_factory=dict)
    glossary: dict[str, GlossaryTerm] = field(default_factory=dict)
    scripts: dict[str, Script] = field(default_factory=dict)
    banks: dict[str, QuestionBank] = field(default_factory=dict)
    questions: dict[str, BankQuestion] = field(default_factory=dict)
    sources: dict[Path, YamlSource] = field(default_factory=dict)
    id_files: dict[tuple[str, str], tuple[Path, tuple[Any, ...]]] = field(default_factory=dict)
    # Level files that could not be used, with the first reason (the game lists them as unavailable).
    unavailable: dict[Path, str] = field(default_factory=dict)

    def refs(self) -> set[str]:
        """Ids a `ref:` may point at: rule cards and glossary terms."""
        return set(self.rules) | set(self.glossary)

    def levels_in_play_order(self) -> list[Level]:
        tier_rank = {t: i for i, t in enumerate(TIERS)}
        return sorted(self.levels.values(), key=lambda lv: (tier_rank[lv.tier], lv.exam, lv.order, lv.id))
