"""Who may open the workstation served by ``tradeterm serve``: the access policy, free of any web
framework (``ui/serve.py`` applies it to every request).

A browser tab that gets the websocket can trade, so three checks guard it:

- **Host**: the ``Host`` header must name this server (the address it listens on, ``localhost``
  for a loopback address, and any ``--allow-host``). A page on ``evil.example`` whose name was
  re-pointed at 127.0.0.1 (DNS rebinding) sends ``Host: evil.example`` and is refused.
- **Origin**: a browser names the page that opens a websocket or sends a request; it must be
  this server. Another site's page (cross-site websocket hijacking) is refused; a client that
  sends no Origin (a script) still needs the token.
- **Token** (the default; ``--no-token`` on a loopback address turns it off): a random secret in
  the URL printed at start (``?token=...``, as Jupyter does), kept by the browser in an
  HttpOnly, SameSite=Strict cookie for the websocket. Compared in constant time.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from hmac import compare_digest

TOKEN_PARAM = "token"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def cookie_name(port: int) -> str:
    """Cookies are per host, not per port: one name per served port."""
    return f"tradeterm-serve-{port}"


def _host_port(host: str, port: int) -> list[str]:
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host
    out = [f"{name}:{port}".lower()]
    if port == 80:
        out.append(name.lower())
    return out


def allowed_hosts(bind: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` values that name this server: the address it listens on; for a loopback
    address also ``localhost`` (and the other loopback family's literal); for a wildcard
    address the machine's names and addresses; and every ``--allow-host`` name."""
    bind = bind.strip("[]")
    names: set[str] = {bind}
    try:
        ip = ipaddress.ip_address(bind)
    except ValueError:
        ip = None
    if bind.lower() in ("localhost", "localhost.localdomain") or (ip and ip.is_loopback):
        names |= (
            {"localhost", "127.0.0.1", "::1"}
            if bind.lower().startswith("localhost")
            else {"localhost"}
        )
    elif ip is not None and ip.is_unspecified:
        names |= {"localhost", "127.0.0.1", "::1", socket.gethostname(), socket.getfqdn()}
        try:
            for info in socket.getaddrinfo(socket.gethostname(), None):
                names.add(str(info[4][0]))
        except OSError:
            pass
    names |= {e.strip() for e in extra if e.strip()}
    return frozenset(hp for n in names for hp in _host_port(n, port))


@dataclass(frozen=True)
class Access:
    """The policy of one server: ``check`` says why a request is refused (None: allowed)."""

    hosts: frozenset[str]
    token: str | None  # None: no token (loopback only)
    scheme: str = "http"

    def origins(self) -> frozenset[str]:
        return frozenset(f"{self.scheme}://{h}" for h in self.hosts)

    def check(
        self, host: str | None, origin: str | None, offered: Iterable[str], needs_token: bool
    ) -> str | None:
        if not host:
            return "no Host header"
        if host.lower() not in self.hosts:
            return f"Host {host!r} is not this server (DNS rebinding?)"
        if origin is not None and origin.lower() not in self.origins():
            return f"Origin {origin!r} is not this server (another site's page)"
        if needs_token and self.token is not None and not self.token_matches(offered):
            return "no valid token: open the URL printed when tradeterm serve started"
        return None

    def token_matches(self, offered: Iterable[str]) -> bool:
        """Every offered token is compared in constant time (no early exit on a match)."""
        assert self.token is not None
        want = self.token.encode()
        matches = [compare_digest(want, o.encode("utf-8", "replace")) for o in offered if o]
        return any(matches)
