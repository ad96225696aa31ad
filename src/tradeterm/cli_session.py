"""Shared by the second-shell commands (status, kill, rearm): where the session's data dir is,
without paying for the full configuration when no config file is given."""

from __future__ import annotations

import os
from pathlib import Path

from tradeterm.cli import UsageError


def data_dir_for(config: Path | None) -> Path:
    """The data dir a session started with the same ``--config`` and environment uses."""
    if config is None and "TRADETERM_DATA_DIR" in os.environ:
        text = os.environ["TRADETERM_DATA_DIR"]
        if not text.strip():
            raise UsageError("TRADETERM_DATA_DIR is empty; unset it or name a directory")
        return Path(text).expanduser()
    from tradeterm.config import load_settings

    return load_settings(config).resolved_data_dir()


def database_url_for(config: Path | None) -> str:
    from tradeterm.config import load_settings

    return load_settings(config).database_url()
