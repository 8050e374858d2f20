"""Driver for the first-paint benchmark (run by tests/perf/run.py as a subprocess, never by pytest).

    python tests/perf/first_paint.py game|bare

Prints `time.time()` at the moment the first screen has been painted, then exits. The parent
takes its own `time.time()` just before starting the process, so the difference is launch to
first paint, whatever shutdown costs afterwards. Both apps run headless at the same size and exit
the same way: `call_after_refresh` on the first screen's mount.

- `game`: the real start path — `tui.cli` (what the `collectquest` script imports), then the app
  as `run_app` builds it, with the shipped levels and content and a saves folder from
  $COLLECTQUEST_SAVES.
- `bare`: a Textual app with one Static, the floor.
"""

from __future__ import annotations

import sys
import time

SIZE = (120, 40)


def painted() -> None:
    print(f"{time.time():.6f}", flush=True)


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("催收闯关")

        def on_mount(self) -> None:
            self.call_after_refresh(lambda: self.screen.call_after_refresh(self._painted))

        def _painted(self) -> None:
            painted()
            self.exit()

    Bare().run(headless=True, size=SIZE)


def game() -> None:
    import os
    from pathlib import Path

    import tui.cli  # noqa: F401 - the console script imports it first; its cost counts

    try:
        from game.paths import content_dir, levels_dir
    except ImportError:  # before the folders moved out of game.loader
        from game.loader import content_dir, levels_dir
    from game.store.savestore import SaveStore
    from tui.app import CollectQuestApp

    class Measured(CollectQuestApp):
        CSS_PATH = str(Path(sys.modules[CollectQuestApp.__module__].__file__ or "").with_name("app.tcss"))

        def on_mount(self) -> None:
            super().on_mount()
            # The start screen is pushed in on_mount; it is painted by the refresh after that.
            self.call_after_refresh(lambda: self.screen.call_after_refresh(self._painted))

        def _painted(self) -> None:
            painted()
            self.exit()

    store = SaveStore(Path(os.environ["COLLECTQUEST_SAVES"]))
    Measured(store, [levels_dir()], [content_dir()]).run(headless=True, size=SIZE)


if __name__ == "__main__":
    {"game": game, "bare": bare}[sys.argv[1]]()
