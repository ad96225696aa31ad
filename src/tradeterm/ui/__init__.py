"""The Textual workstation. Knows the engine only through ``Kernel`` views and methods."""

import os

# Textual paints a changed screen on its next update tick (1 / TEXTUAL_FPS, default 60 Hz). At
# 120 a key's effect reaches the terminal ~5 ms sooner; frames still come only when something
# changed (panes redraw at ui.refresh_hz). Read once, when textual is first imported; a value
# the user set wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
