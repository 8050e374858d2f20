"""The game's screens: one module (and one .tcss) per screen; modal dialogs in dialogs.py."""
