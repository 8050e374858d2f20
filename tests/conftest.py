"""Shared fixtures for the TUI tests: a fixed catalog from test fixtures, a temporary saves folder,
a fake clock and fixed timestamps, so what the screens show is the same on every run."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from game.catalog import Catalog
from game.loader import load_catalog

FIXTURES = Path(__file__).parent / "fixtures"
TUI_LEVELS = [FIXTURES / "levels" / "sample.yaml", FIXTURES / "tui" / "levels"]
TUI_CONTENT = [FIXTURES / "tui" / "content"]

# `validate` keeps dialogue explorations in a cache (game/explore_cache.py): the tests use one of
# their own, fresh each session (so the first validation of each stage explores it), never the
# user's. Set at import so subprocesses inherit it too.
os.environ["COLLECTQUEST_CACHE"] = tempfile.mkdtemp(prefix="cq-test-cache-")
atexit.register(shutil.rmtree, os.environ["COLLECTQUEST_CACHE"], True)


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


@pytest.fixture
def make_app(tmp_path: Path, tui_catalog: Catalog, clock: FakeClock):
    """Build a game app on a temporary saves folder with the fixture catalog and fake time."""
    from game.store import EmbeddedStore
    from tui.app import CollectQuestApp

    def build(
        saves: Path | None = None, *, preload: bool = True, seed: int = 7, require_pin: bool = False
    ) -> CollectQuestApp:
        store = EmbeddedStore(saves or tmp_path / "saves")
        app = CollectQuestApp(
            store,
            TUI_LEVELS,
            TUI_CONTENT,
            catalog=tui_catalog if preload else None,
            clock=clock,
            now=FakeNow(),
            seeds=lambda: seed,
            require_pin=require_pin,
        )
        app.animation_level = "none"
        return app

    return build


def screen_text(app) -> str:
    """The text on the terminal right now, row by row, read from an SVG screenshot (so this is
    what a player sees, not what a widget holds). Cells are 12.2 px wide in Textual's SVG."""
    import html
    import re

    from rich.cells import cell_len

    rows: dict[float, list[tuple[int, str]]] = {}
    for match in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', app.export_screenshot()
    ):
        column, y = round(float(match.group(1)) / 12.2), float(match.group(2))
        rows.setdefault(y, []).append((column, html.unescape(match.group(3)).replace("\xa0", " ")))
    lines = []
    for _, parts in sorted(rows.items()):
        line = ""
        for column, text in sorted(parts):
            line += " " * max(0, column - cell_len(line)) + text
        lines.append(line.rstrip())
    return "\n".join(lines)


async def type_text(pilot, text: str) -> None:
    """Type text key by key (Chinese characters arrive as single key events, as from an IME)."""
    for char in text:
        await pilot.press("space" if char == " " else char)


async def login(pilot, name: str = "王小明", team: str = "一组") -> None:
    """Create a player on the start screen with the keyboard and enter the map."""
    from textual.widgets import Input

    await pilot.pause()
    if not isinstance(pilot.app.focused, Input):
        await pilot.press("n")
    await type_text(pilot, name)
    await pilot.press("enter")
    await type_text(pilot, team)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # the map reads the player's standing in a worker
    await pilot.pause()


async def highlight_level(pilot, level_id: str) -> None:
    """Move the map's highlight to a level with the arrow keys."""
    levels = pilot.app.screen.query_one("#levels")
    for _ in range(40):
        option = levels.highlighted_option
        if option is not None and option.id == level_id:
            return
        await pilot.press("down")
    raise AssertionError(f"level {level_id} not reachable on the map")


async def open_level(pilot, level_id: str) -> None:
    """From the map: highlight a level, open its briefing and start it."""
    await highlight_level(pilot, level_id)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def choose(pilot, index: int) -> None:
    """Press the number key of the dialogue choice that is `index` in the level file: choices
    are shown in a shuffled order, so its key depends on the run."""
    shown = [i for i, _ in pilot.app.screen.shown_choices]
    await pilot.press(str(shown.index(index) + 1))
    await pilot.pause()


def key_of(pilot, letter: str) -> str:
    """The key that picks option `letter` (as written in the level file) of the current question."""
    order = pilot.app.screen.run.session.option_order()
    return "abcdefgh"[order.index(letter)]


async def pick(pilot, *letters: str) -> None:
    """Press the keys of quiz options by their letters in the level file."""
    for letter in letters:
        await pilot.press(key_of(pilot, letter))
    await pilot.pause()


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for the session (see tests/pgserver.py); skipped, with the reason
    printed, where the binaries are missing."""
    from pgserver import PgServer, missing_reason

    reason = missing_reason()
    if reason:
        print(f"\nSKIP PostgreSQL tests: {reason}")
        pytest.skip(reason)
    server = PgServer().init()
    server.start()
    yield server
    server.destroy()
