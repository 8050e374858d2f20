"""The saved progress of a level left unfinished: one per player, so it can be resumed later.

Storage keeps it as a plain JSON object (`SaveStore.save_progress` / `load_progress`):

    {"level": "n01-...", "mode": "practice", "seed": 123, "record": [...], "started": "2026-03-02T09:00:00"}

`record` is `LevelSession.progress()`: every input so far, stage by stage, including the flags of
an audit not yet submitted. Saves are a public interface: `from_dict` reads every save written so
far (missing mode, seed or start time take their old defaults) and `to_dict` writes the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .catalog import Catalog
from .models import Level
from .quiz import Clock
from .session import MODE_NAMES, MODES, LevelSession


class ProgressError(ValueError):
    """Saved progress that cannot be read at all (not an object, no level, a broken record)."""


@dataclass(frozen=True)
class SavedProgress:
    level: str
    mode: str = "practice"
    seed: int = 0
    record: list[dict[str, Any]] = field(default_factory=list)
    started: datetime | None = None
    """When the run began; None if the save has no readable time (the resume time is used)."""

    @classmethod
    def of(cls, session: LevelSession, started: datetime) -> SavedProgress:
        """The progress of a session being played, to save now."""
        return cls(session.level.id, session.mode, session.seed, session.progress(), started)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SavedProgress:
        """Read a stored save; raises ProgressError if it cannot be one."""
        if not isinstance(data, Mapping):
            raise ProgressError("saved progress is not an object")
        level = data.get("level")
        if not isinstance(level, str) or not level:
            raise ProgressError("saved progress names no level")
        mode = data.get("mode", "practice")
        if mode not in MODES:
            raise ProgressError(f"saved progress has an unknown mode {mode!r}")
        try:
            seed = int(data.get("seed", 0))
        except (TypeError, ValueError):
            raise ProgressError("saved progress has no usable seed") from None
        record = data.get("record") or []
        if not isinstance(record, list) or not all(isinstance(entry, dict) for entry in record):
            raise ProgressError("saved progress has a broken record")
        started: datetime | None
        try:
            started = datetime.fromisoformat(str(data.get("started")))
        except ValueError:
            started = None
        return cls(level, str(mode), seed, [dict(entry) for entry in record], started)

    @classmethod
    def from_stored(cls, data: Mapping[str, Any] | None) -> SavedProgress | None:
        """`from_dict` for what storage returned: None when nothing (or nothing readable) is saved."""
        if data is None:
            return None
        try:
            return cls.from_dict(data)
        except ProgressError:
            return None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"level": self.level, "mode": self.mode, "seed": self.seed, "record": self.record}
        if self.started is not None:
            data["started"] = self.started.isoformat(timespec="seconds")
        return data

    @property
    def mode_name(self) -> str:
        return MODE_NAMES[self.mode]

    def stage_number(self) -> int:
        """The 1-based stage the run stopped in (each stage begun has a record entry)."""
        return max(1, len(self.record))

    def resume(self, level: Level, catalog: Catalog, clock: Clock) -> LevelSession:
        """Rebuild the session; raises RecordError if the record no longer fits the level."""
        return LevelSession.resume(level, catalog, self.mode, self.seed, self.record, clock=clock)
