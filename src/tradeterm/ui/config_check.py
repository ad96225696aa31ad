"""The ``[ui]`` settings only the workstation can judge: the key remaps (``keymap``) and the
theme (the theme files). ``tradeterm config check`` and every start of the TUI refuse what
cannot be meant, with the key and the reason (exit 2), before anything starts."""

from __future__ import annotations

from tradeterm.config import ConfigError, Settings
from tradeterm.ui import keymap
from tradeterm.ui.themes import load_themes


def problems(settings: Settings) -> list[str]:
    out = keymap.problems(settings.ui.keys)
    user_dir = settings.resolved_data_dir() / "themes"
    themes = sorted(load_themes(user_dir))
    if settings.ui.theme not in themes:
        out.append(
            f"ui.theme: no theme {settings.ui.theme!r}; choose one of "
            f"{', '.join(themes)}, or put a theme file of your own in {user_dir}"
        )
    return out


def require_valid(settings: Settings) -> None:
    """Raises ConfigError naming every ``[ui]`` problem."""
    found = problems(settings)
    if found:
        raise ConfigError("invalid configuration:\n" + "\n".join("  " + p for p in found))
