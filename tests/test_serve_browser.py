"""`collectquest serve` in a real browser: Playwright driving Debian's Chromium (headless).

The page must load with no outside host (no web font service), a trainee creates a player with a
PIN and plays a dialogue choice, and two tabs at once are two game processes recording two
players. The terminal is drawn on a canvas, so the test follows the game through its saves folder
and keeps a screenshot (its path is printed) for a person to look at. Skipped, with the reason
printed, where Chromium or Playwright is missing (.ci/run installs Chromium)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from game.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("COLLECTQUEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run"]  # fmt: skip


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM}: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        print(f"\nSKIP browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`collectquest serve` on a free port of 127.0.0.1 with a fresh saves folder: (url, saves)."""
    saves, port = tmp_path / "saves", _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("COLLECTQUEST_STORE", None)
    log = open(tmp_path / "serve.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "tui", "--saves", str(saves), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait(lambda: _port_open(port), 30, "the server to listen")
        yield f"http://127.0.0.1:{port}/", saves
    finally:
        # The server and the game processes of its tabs share a process group (start_new_session).
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait(condition: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _open_tab(browser, url: str, requests: list[str]):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.goto(url)
    page.wait_for_selector("body.-first-byte", timeout=30_000)  # the game process is drawing
    page.wait_for_selector("canvas", timeout=30_000)
    return page


def _type(page, text: str) -> None:
    """Type text; Chinese arrives as an input event that xterm passes on a little later than a key
    press, so wait before the next key (else Enter overtakes the text)."""
    page.keyboard.type(text)
    time.sleep(0.5)


def _player(saves: Path, name: str):
    if not (saves / "profiles.json").exists():
        return None
    return EmbeddedStore(saves).find_player(name)


def _create_player(page, saves: Path, name: str, team: str, pin: str):
    """On the start screen (name field focused when nobody exists yet): name, team, then the PIN
    a served game asks for, twice."""
    _wait(lambda: (saves / "profiles.json").exists(), 30, "the game to open the saves")
    time.sleep(3)  # the start screen is mounted and drawn
    page.mouse.click(900, 220)  # the name field (1280×800 page: 142×38 cells)
    time.sleep(0.5)
    _type(page, name)
    page.keyboard.press("Enter")
    time.sleep(0.5)
    _type(page, team)
    page.keyboard.press("Enter")
    try:
        player = _wait(lambda: _player(saves, name), 30, f"player {name} to be created")
    except AssertionError:
        page.screenshot(path=str(saves.parent / "failed.png"))
        raise
    time.sleep(1)  # the PIN dialog is up
    for _ in range(2):  # the PIN, then again
        _type(page, pin)
        page.keyboard.press("Enter")
        time.sleep(0.5)  # the focus moves to the second field
    try:
        _wait(lambda: EmbeddedStore(saves).has_pin(player.id), 30, f"{name}'s PIN to be set")
    except AssertionError:
        page.screenshot(path=str(saves.parent / "failed.png"))
        raise
    return player


def _outside(requests: list[str], url: str) -> list[str]:
    ours = urlsplit(url).netloc
    return [r for r in requests if urlsplit(r).netloc != ours]


def test_a_trainee_plays_in_the_browser_with_nothing_from_outside(browser, served) -> None:
    url, saves = served
    requests: list[str] = []
    page = _open_tab(browser, url, requests)
    player = _create_player(page, saves, "王小明", "一组", "4821")
    store = EmbeddedStore(saves)
    assert store.check_pin(player.id, "4821") and not store.check_pin(player.id, "0000")
    time.sleep(1.5)  # the map
    page.keyboard.press("Enter")  # the first level's briefing
    time.sleep(1.5)
    page.keyboard.press("Enter")  # begin: its first stage is a dialogue
    time.sleep(2)
    page.keyboard.press("1")  # the first choice shown
    progress = _wait(lambda: EmbeddedStore(saves).load_progress(player.id), 30, "the choice to be saved")
    assert progress, progress
    time.sleep(1)
    shot = Path(tempfile.gettempdir()) / "collectquest-serve-browser.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot of the served game: {shot}")
    assert shot.stat().st_size > 10_000
    assert any(r.endswith("/static/fonts/RobotoMono-VariableFont_wght.ttf") for r in requests), requests
    assert _outside(requests, url) == [], "the page asked an outside host"
    page.close()


def test_two_tabs_at_once_record_two_players(browser, served) -> None:
    url, saves = served
    requests: list[str] = []
    first, second = _open_tab(browser, url, requests), _open_tab(browser, url, requests)
    a = _create_player(first, saves, "李华", "一组", "1111")
    # The second tab's game started before the first player existed: it sees nobody, so its name
    # field is focused just as in the first tab.
    b = _create_player(second, saves, "张三", "二组", "2222")
    store = EmbeddedStore(saves)
    assert {p.id for p in store.players()} == {a.id, b.id}
    assert store.check_pin(a.id, "1111") and store.check_pin(b.id, "2222") and not store.check_pin(a.id, "2222")
    assert _outside(requests, url) == []
    first.close()
    second.close()
