"""Audit flags are part of the saved progress: leaving an audit before submitting keeps them."""

from __future__ import annotations

from conftest import TUI_CONTENT, TUI_LEVELS

from game.loader import load_catalog
from game.session import LevelSession


def test_flags_survive_save_and_resume() -> None:
    catalog, _ = load_catalog(TUI_LEVELS, TUI_CONTENT)
    level = catalog.levels["t-audit"]
    session = LevelSession(level, catalog, mode="assessment", seed=3)
    assert session.audit_draft() == {}
    rule = level.stages[0].rule_choices[0]
    session.draft_audit({2: rule})
    saved = session.progress()
    resumed = LevelSession.resume(level, catalog, "assessment", 3, saved)
    assert resumed.audit_draft() == {2: rule}
    assert not resumed.finished  # a draft is not a submission
    resumed.submit_audit(resumed.audit_draft())
    assert resumed.finished and resumed.audit_draft() == {}
