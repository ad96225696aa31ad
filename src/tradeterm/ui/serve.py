"""The workstation in a browser tab: textual-serve runs one app process per tab."""

from __future__ import annotations

from typing import Any


def browser_server(command: str, host: str, port: int, public_url: str) -> Any:
    """A textual-serve Server for ``command``. Raises ImportError without textual-serve."""
    from textual_serve.server import Server

    return Server(command, host=host, port=port, title="tradeterm", public_url=public_url)
