"""CollectQuest's terminal interface (Textual) and command line."""

from tui import textual_fixes

textual_fixes.install()
