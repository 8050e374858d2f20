"""Sign-in with a PIN: asked for a player who has one (and, on a served game, set by one who has none)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from game.store.pins import PIN_MAX, clean_pin

MAX_TRIES = 5
"""Wrong PINs allowed before the dialog closes (the trainee picks the player again)."""


class PinDialog(ModalScreen[str | None]):
    """Ask for a player's PIN (`check` says if it is right) or, with `check=None`, let a player set
    one (typed twice). Dismisses with the PIN, or None when cancelled or after too many tries."""

    CSS_PATH = "pin.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消", key_display="Esc", id="pin.cancel")]

    def __init__(self, player_name: str, check: Callable[[str], bool] | None) -> None:
        super().__init__()
        self.player_name = player_name
        self.check = check
        self.tries = 0

    @property
    def setting(self) -> bool:
        return self.check is None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "设置 PIN" if self.setting else "输入 PIN"
            if self.setting:
                message = f"请为「{self.player_name}」设置 PIN（4 位以上），以后进入时需要输入，防止他人冒用。"
            else:
                message = f"请输入「{self.player_name}」的 PIN。忘记了请找训练师重置。"
            yield Static(Content(message), classes="question")
            yield Input(password=True, max_length=PIN_MAX, placeholder="PIN", id="pin")
            if self.setting:
                yield Input(password=True, max_length=PIN_MAX, placeholder="再输入一次", id="pin-again")
            yield Static("", id="pin-error")
            with Horizontal(classes="buttons"):
                yield Button("确定", variant="primary", id="ok")
                yield Button("取消", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _first_done(self) -> None:
        if self.setting:
            self.query_one("#pin-again", Input).focus()
        else:
            self._confirm()

    @on(Input.Submitted, "#pin-again")
    @on(Button.Pressed, "#ok")
    def _confirm(self) -> None:
        pin = self.query_one("#pin", Input).value
        error = self.query_one("#pin-error", Static)
        if self.check is None:
            again = self.query_one("#pin-again", Input).value
            try:
                clean_pin(pin)
            except ValueError as exc:
                error.update(Content.styled(f"✗ {exc}", "$text-error"))
                return
            if pin != again:
                error.update(Content.styled("✗ 两次输入的 PIN 不一致", "$text-error"))
                self.query_one("#pin-again", Input).value = ""
                self.query_one("#pin-again", Input).focus()
                return
            self.dismiss(pin)
            return
        if self.check(pin):
            self.dismiss(pin)
            return
        self.tries += 1
        if self.tries >= MAX_TRIES:
            self.app.notify("PIN 错误次数过多，请稍后再试或找训练师重置。", severity="error", markup=False)
            self.dismiss(None)
            return
        error.update(Content.styled(f"✗ PIN 不对（还可再试 {MAX_TRIES - self.tries} 次）", "$text-error"))
        self.query_one("#pin", Input).value = ""

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
