"""Serving the game in a browser with textual-serve: each browser tab gets its own game process.

Two changes to textual-serve's page, in `tui/web_templates/app_index.html`:
- the web font comes from this server (textual-serve ships Roboto Mono in its static folder) and
  not from a foreign font service, so the page loads on offline networks and from mainland China;
- the intro and "session ended" texts are Chinese.
The page's own links (scripts, websocket) use the address the browser asked for, so trainees can
open `http://<trainer PC>:8000/` even when the server listens on 0.0.0.0.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.server import Server

TEMPLATES = Path(__file__).resolve().parent / "web_templates"


def textual_serve_static() -> Path:
    """textual-serve's own static folder (its JavaScript, CSS, fonts and background image)."""
    spec = importlib.util.find_spec("textual_serve")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "static"


class GameServer(Server):
    """textual-serve's server with our page template and per-request public URLs."""

    def __init__(self, command: str, host: str, port: int, title: str, public_url: str | None = None) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=title,
            public_url=public_url,
            statics_path=textual_serve_static(),
            templates_path=TEMPLATES,
        )
        self.fixed_public_url = public_url

    async def handle_index(self, request: web.Request) -> Any:
        # No await before the parent renders, so setting the URL here cannot race another request.
        if self.fixed_public_url is None:
            self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)
