"""Shared by the second-shell commands (status, kill, rearm): where the session's data dir is,
without paying for the full configuration when no config file is given."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tradeterm.cli.errors import UsageError


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


def open_store(config: Path | None) -> Any:
    """The session's store, checked whole (``store_check``), or a UsageError saying why it
    cannot be used: a damaged store is never written to."""
    from tradeterm.oms.store import CorruptStore, Store, StoreError

    try:
        return Store(database_url_for(config), verify=True)
    except CorruptStore as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise UsageError(f"{exc}; set TRADETERM_DATA_DIR or oms.database_url") from None


def halt_marker_for(config: Path | None) -> Any:
    """The halt marker beside the session's store (None for an in-memory store)."""
    from tradeterm.oms.halt_marker import HaltMarker
    from tradeterm.oms.store import StoreError

    try:
        return HaltMarker.for_url(database_url_for(config))
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def ask_session(
    data_dir: Path, request: dict[str, Any], timeout: float = 2.0
) -> dict[str, Any] | None:
    """The running session's answer; None if no session listens. Raises TimeoutError if one
    listens but does not answer."""
    from tradeterm.runtime.control import control_socket_path, send_control

    try:
        return send_control(control_socket_path(data_dir), request, timeout)
    except (OSError, ValueError) as exc:  # socket.timeout is an OSError; bad JSON a ValueError
        raise TimeoutError(f"the session did not answer ({type(exc).__name__}: {exc})") from None
