"""The tiers, as plain constants: progression and storage need them without loading the level
models (pydantic), which the game only needs once it reads levels (re-exported by `game.models`)."""

from __future__ import annotations

TIERS: tuple[str, ...] = ("新手", "中级", "主管")
"""Tiers in play order. A tier opens when the previous tier's promotion exam is passed."""

TIER_SLUGS: dict[str, str] = {"新手": "novice", "中级": "intermediate", "主管": "supervisor"}
