"""``tradeterm serve``: the workstation in a browser tab (``ui/serve.py`` runs textual-serve).

The server is a small web page plus a websocket; each browser tab that opens it starts its own
``tradeterm paper`` process with the options given here (the same app as in the terminal).
It listens on 127.0.0.1 by default; a non-loopback address is refused unless ``--public`` says
the trader means it (and a warning is printed). Every request must name this server in its
Host and Origin headers, and carry the token of the URL printed at start (``?token=...``, kept
in a cookie by the browser); ``ui/serve_access.py`` has the policy. ``--no-token`` turns the
token off, on a loopback address only.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys

from tradeterm.cli.errors import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve anywhere, so it counts as public


def free_port(host: str) -> int:
    """A port the OS says is free on ``host`` (for ``--port 0``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host.strip("[]"), 0))
        port: int = sock.getsockname()[1]
        return port


def paper_command(args: argparse.Namespace) -> list[str]:
    """The command each browser tab runs (no shell): ``tradeterm paper`` with the given
    options (the tab's data dir comes in its environment, ``ui/serve_tabs.py``)."""
    argv = [sys.executable, "-m", "tradeterm", "paper"]
    for flag, value in (
        ("--venue", args.venue),
        ("--symbols", args.symbols),
        ("--activity", args.activity),
        ("--rate", args.rate),
        ("--quoter", args.quoter),
        ("--seed", args.seed),
        ("--config", args.config),
    ):
        if value is not None:
            argv += [flag, str(value)]
    if args.no_record:
        argv.append("--no-record")
    return argv


def check_host(host: str, public: bool) -> None:
    if is_loopback(host):
        return
    if not public:
        raise UsageError(
            f"--host {host} is not a loopback address: anyone who can reach it and "
            "has the URL could trade in this session. Add --public if you mean it, "
            "or use --host 127.0.0.1 with an SSH tunnel"
        )
    print(
        f"tradeterm: WARNING: serving on {host}, which is not loopback: anyone who can reach "
        "this address and has the URL (its token) can see and trade this session; there is "
        "no TLS, so the token crosses the network in the clear",
        file=sys.stderr,
    )


def run_serve(args: argparse.Namespace) -> int:
    from tradeterm.cli.run import settings_for
    from tradeterm.ui.serve_access import Access, allowed_hosts, new_token

    host = args.host or DEFAULT_HOST
    check_host(host, args.public)
    if args.no_token and not is_loopback(host):
        raise UsageError(
            f"--no-token needs a loopback --host: on {host} the token is all that "
            "keeps other people out of this session"
        )
    settings = settings_for(args)  # a bad config or symbol fails here, not in the first tab
    try:
        port = args.port if args.port else free_port(host) if args.port == 0 else DEFAULT_PORT
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    token = None if args.no_token else new_token()
    access = Access(allowed_hosts(host, port, args.allow_host or ()), token)
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    try:
        from tradeterm.ui.serve import browser_server

        server = browser_server(
            paper_command(args),
            host.strip("[]"),
            port,
            f"http://{shown}:{port}",
            access,
            settings.resolved_data_dir(),
            args.max_tabs,
        )
    except ImportError:
        raise UsageError("tradeterm serve needs textual-serve: pip install textual-serve") from None
    print(
        f"tradeterm: serving the workstation on {url} (Ctrl-C to stop); each browser tab runs "
        f"its own paper session (at most {args.max_tabs}); only this URL opens it"
        + ("" if token else " (no token)"),
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve()
    except OSError as exc:
        raise UsageError(f"cannot listen on {shown}:{port}: {exc.strerror or exc}") from None
    return 0
