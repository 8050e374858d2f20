"""Shared fixtures for the TUI tests: a fixed catalog from test fixtures, a temporary saves folder,
a fake clock and fixed timestamps, so what the screens show is the same on every run."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from game.loader import Catalog, load_catalog

FIXTURES = Path(__file__).parent / "fixtures"
TUI_LEVELS = [FIXTURES / "levels" / "sample.yaml", FIXTURES / "tui" / "levels"]
TUI_CONTENT = [FIXTURES / "tui" / "content"]


class FakeClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeNow:
    """Wall-clock timestamps one minute apart, starting at a fixed date."""

    def __init__(self) -> None:
        self.current = datetime(2026, 3, 2, 9, 0, 0)

    def __call__(self) -> datetime:
        self.current += timedelta(minutes=1)
        return self.current


@pytest.fixture(scope="session")
def tui_catalog() -> Catalog:
    catalog, diagnostics = load_catalog(TUI_LEVELS, TUI_CONTENT)
    assert not diagnostics, diagnostics
    return catalog


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
