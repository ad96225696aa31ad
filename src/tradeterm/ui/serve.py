"""The workstation in a browser tab: textual-serve runs one app process per tab.

``GuardedServer`` is textual-serve's ``Server`` with the access policy of ``serve_access`` in
front of every request (an aiohttp middleware added to the app textual-serve builds): a refused
request gets HTTP 403 with the reason and a log line, and never reaches textual-serve (no app
process is started for it). The page's websocket address is the one the browser used (after
the Host check), so the token cookie set on it comes back with the websocket.

Each tab's websocket gets its own paper session (``serve_tabs.py``: its account, its process,
how it ends). The server ends every session when it stops: SIGHUP (its terminal went away) is a
hangup for each tab, SIGINT / SIGTERM a quit; a server killed outright closes their pipes, which
the sessions take as a hangup.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
from pathlib import Path
from typing import Any

from tradeterm.ui.serve_access import TOKEN_PARAM, Access, cookie_name
from tradeterm.ui.serve_tabs import Ending, TabRefused, TabSession, TabSlots

log = logging.getLogger("tradeterm.serve")
TOKEN_IN_URL = re.compile(TOKEN_PARAM + r"=[^\s&\"']+")


class RedactToken(logging.Filter):
    """aiohttp's access log writes each request line: never with the token in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and TOKEN_PARAM + "=" in record.msg:
            record.msg = TOKEN_IN_URL.sub(TOKEN_PARAM + "=***", record.msg)
        return True


def browser_server(
    argv: list[str],
    host: str,
    port: int,
    public_url: str,
    access: Access,
    data_dir: Path,
    max_tabs: int,
) -> Any:
    """A guarded textual-serve Server whose tabs each run ``argv`` (a paper session) in their
    own data dir. Raises ImportError without textual-serve."""
    from aiohttp import web
    from textual_serve.server import Server, to_int

    slots = TabSlots(data_dir, max_tabs)
    sessions: set[TabSession] = set()
    pages: set[web.WebSocketResponse] = set()  # tabs open only to say why they have no session

    class GuardedServer(Server):  # type: ignore[misc]
        ending: Ending = "quit"

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(guard)
            app.on_shutdown.append(self.end_tabs)
            return app

        def serve(self, debug: bool = False) -> None:
            """textual-serve's ``serve``, plus SIGHUP: the terminal went away."""
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            for sig, how in (
                (signal.SIGINT, "quit"),
                (signal.SIGTERM, "quit"),
                (signal.SIGHUP, "hangup"),
            ):
                loop.add_signal_handler(sig, self.stop_serving, how)
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=lambda *args: None,
            )

        def stop_serving(self, how: Ending) -> None:
            self.ending = how
            raise web.GracefulExit()

        async def end_tabs(self, _app: web.Application) -> None:
            if sessions:
                log.info("stopping: ending %d tab session(s) (%s)", len(sessions), self.ending)
            await asyncio.gather(*(tab.end(self.ending) for tab in list(sessions)))
            await asyncio.gather(*(page.close() for page in list(pages)))

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """One tab: a paper session of its own, or its page says why there is none."""
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await websocket.prepare(request)
            try:
                slot = slots.take()
            except TabRefused as exc:
                log.warning("tab refused: %s", exc)
                await _say(websocket, f"tradeterm serve: no session for this tab: {exc}", pages)
                return websocket
            tab = TabSession(
                argv,
                slots.path(slot),
                slots.note(slot),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            sessions.add(tab)
            try:
                await tab.start(width, height)
                log.info(
                    "tab %d opened: paper session pid %s in %s", slot, tab.pid, slots.path(slot)
                )
                reader = asyncio.create_task(self._process_messages(websocket, tab))
                assert tab._task is not None
                await asyncio.wait({reader, tab._task}, return_when=asyncio.FIRST_COMPLETED)
                reader.cancel()
                failure = tab.failure() if tab._task.done() else None
                if failure is not None:
                    log.warning(
                        "tab %d: the session could not start or failed: %s",
                        slot,
                        failure.splitlines()[-1],
                    )
                    await _say(
                        websocket,
                        "tradeterm serve: this tab's session could not start "
                        f"or failed:\n{failure}",
                        pages,
                    )
            except Exception:
                log.exception("tab %d failed", slot)
            finally:
                await tab.end("hangup")  # a closed tab is a hung-up terminal for its session
                sessions.discard(tab)
                slots.give_back(slot)
                log.info("tab %d closed", slot)
                if not websocket.closed:
                    await websocket.close()
            return websocket

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
        reason = access.check(
            request.headers.get("Host"),
            request.headers.get("Origin"),
            offered,
            needs_token=not static,
        )
        if reason is not None:
            peer = request.remote or "?"
            log.warning("refused %s %s from %s: %s", request.method, request.path, peer, reason)
            return web.Response(status=403, text=f"tradeterm serve: refused: {reason}\n")
        response = await handler(request)
        if (
            access.token is not None
            and request.path == "/"
            and request.query.get(TOKEN_PARAM)
            and hasattr(response, "set_cookie")
        ):
            response.set_cookie(cookie, access.token, httponly=True, samesite="Strict", path="/")
        return response

    access_log = logging.getLogger("aiohttp.access")
    if not any(isinstance(f, RedactToken) for f in access_log.filters):
        access_log.addFilter(RedactToken())
    return GuardedServer(
        " ".join(argv), host=host, port=port, title="tradeterm", public_url=public_url
    )


async def _say(websocket: Any, text: str, pages: set[Any]) -> None:
    """Show ``text`` on the tab's page (a terminal) and keep the page open until the browser
    closes it: the page says why, instead of staying on the logo or a bare "Session ended"."""
    from aiohttp import WSMsgType

    pages.add(websocket)
    screen = "\x1b[2J\x1b[H\x1b[1;31m" + text.replace("\n", "\r\n") + "\x1b[0m\r\n"
    try:
        await websocket.send_bytes(screen.encode())
        async for message in websocket:  # answer pings until the tab is closed
            if message.type != WSMsgType.TEXT:
                continue
            envelope = json.loads(message.data)
            if isinstance(envelope, list) and envelope[:1] == ["ping"]:
                await websocket.send_json(["pong", envelope[1] if len(envelope) > 1 else None])
    except (ConnectionError, RuntimeError, ValueError):
        pass
    finally:
        pages.discard(websocket)
