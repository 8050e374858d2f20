"""The saved progress of an unfinished level: old saves still load, and a save round-trips."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import TUI_CONTENT, TUI_LEVELS

from game.loader import load_catalog
from game.progress import ProgressError, SavedProgress
from game.session import LevelSession

# A save as the game wrote it before SavedProgress existed (see tests/snapshots resume_dialog).
OLD_SAVE = {
    "level": "sample-spouse",
    "mode": "practice",
    "seed": 7,
    "record": [
        {"kind": "dialogue", "choices": [0, 0]},
        {"kind": "quiz", "questions": ["inline-0", "inline-1"], "answers": []},
    ],
    "started": "2026-03-02T09:00:00",
}


def test_an_old_save_loads_and_writes_back_the_same() -> None:
    saved = SavedProgress.from_dict(OLD_SAVE)
    assert saved.level == "sample-spouse" and saved.mode == "practice" and saved.seed == 7
    assert saved.started == datetime(2026, 3, 2, 9, 0, 0)
    assert saved.stage_number() == 2 and saved.mode_name == "练习"
    assert saved.to_dict() == OLD_SAVE


def test_missing_fields_take_the_old_defaults() -> None:
    saved = SavedProgress.from_dict({"level": "t-audit", "seed": "5", "started": "not a time"})
    assert (saved.mode, saved.seed, saved.record, saved.started) == ("practice", 5, [], None)
    assert saved.stage_number() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"level": ""},
        {"level": 3},
        {"level": "x", "mode": "speedrun"},
        {"level": "x", "seed": "abc"},
        {"level": "x", "record": {"kind": "dialogue"}},
        {"level": "x", "record": ["dialogue"]},
    ],
)
def test_unreadable_saves_are_refused(data) -> None:
    with pytest.raises(ProgressError):
        SavedProgress.from_dict(data)
    assert SavedProgress.from_stored(data) is None


def test_nothing_stored_is_no_progress() -> None:
    assert SavedProgress.from_stored(None) is None


def test_a_session_saved_mid_audit_resumes_with_its_flags() -> None:
    catalog, _ = load_catalog(TUI_LEVELS, TUI_CONTENT)
    level = catalog.levels["t-audit"]
    session = LevelSession(level, catalog, mode="assessment", seed=3)
    session.draft_audit({2: "card-recording"})
    started = datetime(2026, 3, 2, 9, 30, 0)
    stored = SavedProgress.of(session, started).to_dict()
    back = SavedProgress.from_dict(stored)
    assert back.started == started and back.mode == "assessment" and back.seed == 3
    resumed = back.resume(level, catalog, clock=lambda: 0.0)
    assert resumed.audit_draft() == {2: "card-recording"}
