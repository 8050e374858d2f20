"""Start-up stays cheap: the game's first screen and `collectquest --help` do not import what they
do not need (the level models and pydantic, exploration, the subcommand modules). Checked in a
fresh interpreter, so nothing a test imported earlier hides a regression. The timings themselves
are benchmarks (tests/perf/run.py), never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

from tui import cli as cli_module
from tui.commands import content, learning, records, server, trainer, training

ROOT = Path(__file__).resolve().parent.parent
SUBCOMMAND_MODULES = ("tui.commands.content", "tui.commands.records", "tui.commands.trainer")
NOT_BEFORE_FIRST_SCREEN = (
    "pydantic",
    "game.models",
    "game.loader",
    "game.explore",
    "game.validate",
    "game.session",
    "tui.screens.map",
    "tui.screens.quiz",
    *SUBCOMMAND_MODULES,
)

FIRST_SCREEN = """
import json, sys, tempfile
from pathlib import Path
import tui.cli  # what the console script imports
from game.paths import content_dir, levels_dir
from game.store.savestore import SaveStore
from tui.app import CollectQuestApp

class FirstScreen(CollectQuestApp):
    CSS_PATH = str(Path(sys.modules[CollectQuestApp.__module__].__file__).with_name("app.tcss"))

    def load_catalog(self):  # the catalog loads after the first screen; not what is checked here
        pass

    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(lambda: self.screen.call_after_refresh(self.shown))

    def shown(self):
        self.seen = (type(self.screen).__name__, sorted(sys.modules))
        self.exit()

app = FirstScreen(SaveStore(Path(tempfile.mkdtemp())), [levels_dir()], [content_dir()])
app.run(headless=True, size=(100, 30))
print(json.dumps(app.seen))
"""

HELP = """
import contextlib, io, json, sys
from tui.cli import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    cli(["--help"], prog_name="collectquest", standalone_mode=False)
print(json.dumps([out.getvalue(), sorted(sys.modules)]))
"""


def run_python(code: str) -> object:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_first_screen_imports_neither_the_level_models_nor_exploration_nor_commands() -> None:
    screen, modules = run_python(FIRST_SCREEN)  # type: ignore[misc]
    assert screen == "StartScreen"
    assert "tui.app" in modules and "textual" in modules  # the check really ran the game
    leaked = [m for m in NOT_BEFORE_FIRST_SCREEN if m in modules]
    assert not leaked, f"imported before the first screen: {leaked}"


def test_help_lists_every_command_without_importing_any_subcommand_module() -> None:
    text, modules = run_python(HELP)  # type: ignore[misc]
    assert not [m for m in SUBCOMMAND_MODULES if m in modules]
    assert "pydantic" not in modules
    for name in cli_module.SUBCOMMANDS:
        assert f"  {name} " in text


def eager_group() -> click.Group:
    group = click.Group("eager")
    for module in (content, records, trainer, learning, training, server):
        module.register(group)
    return group


def test_lazy_table_names_every_registered_command_with_its_own_short_help() -> None:
    """SUBCOMMANDS repeats each command's short help so --help need not import it: they must agree,
    and a command added to a module's register() must be added there too."""
    eager = eager_group()
    assert set(cli_module.SUBCOMMANDS) == set(eager.commands)
    for name, (target, short_help) in cli_module.SUBCOMMANDS.items():
        command = eager.commands[name]
        module_name, attribute = target.split(":")
        assert getattr(sys.modules[module_name], attribute) is command
        assert click.Command(name, help=short_help).get_short_help_str(500) == command.get_short_help_str(500)


def test_lazy_help_reads_as_the_eager_help() -> None:
    from click.testing import CliRunner

    lazy = CliRunner().invoke(cli_module.cli, ["--help"], prog_name="collectquest")
    group = eager_group()
    eager = click.Group("collectquest", commands=group.commands, context_settings=cli_module.CONTEXT)
    listed = CliRunner().invoke(eager, ["--help"], prog_name="collectquest")
    assert lazy.exit_code == 0
    commands_section = lambda text: text[text.index("Commands:") :]  # noqa: E731
    assert commands_section(lazy.output) == commands_section(listed.output)
