"""The workstation in a browser tab: textual-serve runs one app process per tab.

``GuardedServer`` is textual-serve's ``Server`` with the access policy of ``serve_access`` in
front of every request (an aiohttp middleware added to the app textual-serve builds): a refused
request gets HTTP 403 with the reason and a log line, and never reaches textual-serve (no app
process is started for it). The page's websocket address is the one the browser used (after
the Host check), so the token cookie set on it comes back with the websocket.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from tradeterm.ui.serve_access import TOKEN_PARAM, Access, cookie_name

log = logging.getLogger("tradeterm.serve")
TOKEN_IN_URL = re.compile(TOKEN_PARAM + r"=[^\s&\"']+")


class RedactToken(logging.Filter):
    """aiohttp's access log writes each request line: never with the token in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and TOKEN_PARAM + "=" in record.msg:
            record.msg = TOKEN_IN_URL.sub(TOKEN_PARAM + "=***", record.msg)
        return True


def browser_server(command: str, host: str, port: int, public_url: str, access: Access) -> Any:
    """A guarded textual-serve Server for ``command``. Raises ImportError without
    textual-serve."""
    from aiohttp import web
    from textual_serve.server import Server

    class GuardedServer(Server):  # type: ignore[misc]
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            # the page's websocket goes where the page came from (its Host was checked): the
            # cookie with the token is sent back only to that host
            self.public_url = f"{access.scheme}://{request.headers['Host']}"
            return await super().handle_index(request)

    cookie = cookie_name(port)

    @web.middleware
    async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
        static = request.path.startswith("/static/")
        offered = [request.query.get(TOKEN_PARAM, ""), request.cookies.get(cookie, "")]
        reason = access.check(request.headers.get("Host"), request.headers.get("Origin"),
                              offered, needs_token=not static)
        if reason is not None:
            peer = request.remote or "?"
            log.warning("refused %s %s from %s: %s", request.method, request.path, peer, reason)
            return web.Response(status=403, text=f"tradeterm serve: refused: {reason}\n")
        response = await handler(request)
        if access.token is not None and request.path == "/" and \
                request.query.get(TOKEN_PARAM) and hasattr(response, "set_cookie"):
            response.set_cookie(cookie, access.token, httponly=True, samesite="Strict",
                                path="/")
        return response

    access_log = logging.getLogger("aiohttp.access")
    if not any(isinstance(f, RedactToken) for f in access_log.filters):
        access_log.addFilter(RedactToken())
    return GuardedServer(command, host=host, port=port, title="tradeterm",
                         public_url=public_url)
