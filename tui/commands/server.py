"""Subcommands for a team server: serve (browser play), pin (sign-in), store copy."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    return None
