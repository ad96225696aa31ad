"""Theme files (``themes/*.toml``) -> Textual themes plus the trading palette.

A theme file holds Textual's theme colours at the top level and a ``[trading]`` table with the
colours that mean buy, sell and last trade everywhere in the workstation. Files are looked up in
the repository's ``themes/`` (editable installs), the package's bundled copy (wheels), and the
user's ``<data_dir>/themes`` (their own themes, loaded last so they can override).
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from textual.theme import Theme

from tradeterm.ui.format import Palette

log = logging.getLogger(__name__)

DEFAULT_THEME = "tradeterm-dark"
CHOICE_FILE = "ui.toml"  # in the data dir: the theme last chosen in the command palette
THEME_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
    "boost",
)


def theme_dirs(user_dir: Path | None = None) -> list[Path]:
    here = Path(__file__).resolve()
    dirs = [here.parents[3] / "themes", here.parents[1] / "themes"]
    if user_dir is not None:
        dirs.append(user_dir)
    return [d for d in dirs if d.is_dir()]


def load_theme_file(path: Path) -> tuple[Theme, Palette]:
    """Raises ValueError with the file and the reason if the file is not a valid theme."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"theme {path}: {exc}") from None
    trading = data.pop("trading", {})
    name = data.pop("name", path.stem)
    dark = bool(data.pop("dark", True))
    unknown = set(data) - set(THEME_FIELDS)
    if unknown:
        raise ValueError(f"theme {path}: unknown keys {', '.join(sorted(unknown))}")
    if "primary" not in data:
        raise ValueError(f"theme {path}: 'primary' is required")
    palette = Palette(
        buy=trading.get("buy", "green"),
        sell=trading.get("sell", "red"),
        last=trading.get("last", "yellow"),
    )
    variables = {
        "trading-buy": palette.buy,
        "trading-sell": palette.sell,
        "trading-last": palette.last,
    }
    try:
        theme = Theme(name=name, dark=dark, variables=variables, **data)
    except Exception as exc:  # textual validates colours lazily; surface it with the file name
        raise ValueError(f"theme {path}: {exc}") from None
    return theme, palette


def load_themes(user_dir: Path | None = None) -> dict[str, tuple[Theme, Palette]]:
    themes: dict[str, tuple[Theme, Palette]] = {}
    for directory in theme_dirs(user_dir):
        for path in sorted(directory.glob("*.toml")):
            try:
                theme, palette = load_theme_file(path)
            except ValueError as exc:
                log.warning("%s (skipped)", exc)
                continue
            themes[theme.name] = (theme, palette)
    return themes


def saved_theme(data_dir: Path) -> str | None:
    """The theme the trader last chose in the palette (``<data_dir>/ui.toml``), if any."""
    try:
        data = tomllib.loads((data_dir / CHOICE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("%s: %s (ignored)", data_dir / CHOICE_FILE, exc)
        return None
    theme = data.get("theme")
    return theme if isinstance(theme, str) else None


def save_theme(data_dir: Path, name: str) -> None:
    """Keep the palette's choice for the next session: written whole (a temporary file renamed
    over the old one) and readable by the owner only (0600)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CHOICE_FILE
    tmp = path.with_name(f".{CHOICE_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, f'theme = "{name}"\n'.encode())
    finally:
        os.close(fd)
    os.replace(tmp, path)


def starting_theme(data_dir: Path, palettes: Mapping[str, Palette], configured: str | None) -> str:
    """The theme a session starts with: the palette's last choice (kept in the data dir), else
    ``ui.theme``, else the default; a named theme that is not a theme file is said."""
    for wanted, where in (
        (saved_theme(data_dir), "the palette's last choice"),
        (configured, "ui.theme"),
    ):
        if wanted is None:
            continue
        if wanted in palettes:
            return wanted
        log.warning("theme %r (%s) not found; see themes/", wanted, where)
    return DEFAULT_THEME
