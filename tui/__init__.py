"""CollectQuest's terminal interface (Textual) and command line."""

from tui import localize, textual_fixes

localize.install()
textual_fixes.install()
