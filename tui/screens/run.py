"""A level being played: the engine session plus who plays it and since when, and the messages the
stage screens send up to the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message

from game.catalog import Catalog
from game.models import STAGE_KIND_NAMES, Level
from game.progress import SavedProgress
from game.session import MODE_NAMES, LevelSession
from game.store.records import Player


@dataclass
class LevelRun:
    """One play of one level by one player. The session owns the game state; this only adds
    what the UI needs to save and label it."""

    session: LevelSession
    player: Player
    started: datetime
    catalog: Catalog
    replay_stage: int | None = None
    """A replay from a decision point (game.replay): the dialogue stage it plays; it ends with that
    stage and is never saved or recorded."""

    @property
    def level(self) -> Level:
        return self.session.level

    @property
    def mode(self) -> str:
        return self.session.mode

    @property
    def practice(self) -> bool:
        return self.session.mode == "practice"

    @property
    def mode_name(self) -> str:
        return MODE_NAMES[self.session.mode]

    def stage_label(self) -> str:
        """`1/3 对话 · 家庭电话` for the current stage."""
        stage = self.session.stage
        if stage is None:
            return "已完成"
        count = len(self.level.stages)
        label = f"{self.session.stage_index + 1}/{count} {STAGE_KIND_NAMES[stage.kind]}"
        # A stage named like its kind or its level (a one-stage test) is not named twice.
        same = stage.title in (STAGE_KIND_NAMES[stage.kind], self.level.title)
        return f"{label} · {stage.title}" if stage.title and not same else label

    def progress(self) -> SavedProgress:
        """What `SaveStore.save_progress` keeps so the level can be resumed."""
        return SavedProgress.of(self.session, self.started)

    def screen_title(self) -> str:
        """The header line of a stage screen: mode first, so it survives truncation."""
        replay = "回放 · " if self.replay_stage is not None else ""
        return f"{self.mode_name} · {replay}{self.level.title} · {self.stage_label()}"


class RunProgressed(Message):
    """A stage screen changed the session (a choice, an answer, a submission): save it."""


class StageDone(Message):
    """A stage screen has shown its stage to the end: go on to the next stage or the results."""
