"""``tradeterm serve``: the workstation through textual-serve, on loopback by default, closed to
other sites (issue 12.11: a page on http://evil.example got the terminal 3 times out of 3).

The security tests run a real server on a free port and send real HTTP and websocket requests
with good and bad Host, Origin and token."""

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from tradeterm.cli import main
from tradeterm.cli.parser import build_parser
from tradeterm.cli.serve import is_loopback, paper_command


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert not is_loopback("example.org")  # a name may resolve anywhere


def test_a_public_address_needs_public(capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "--public" in capsys.readouterr().err


def test_no_token_is_for_loopback_only(capsys):
    assert main(["serve", "--host", "0.0.0.0", "--public", "--no-token"]) == 2
    assert "--no-token needs a loopback --host" in capsys.readouterr().err


def test_each_tab_runs_paper_with_the_given_options():
    args = build_parser().parse_args(
        ["serve", "--seed", "3", "--rate", "500", "--no-record", "--symbols", "SIM-BTC/USD"]
    )
    argv = paper_command(args)
    assert argv[1:4] == ["-m", "tradeterm", "paper"]
    command = " ".join(argv)
    for part in ("--seed 3", "--rate 500.0", "--no-record", "--symbols SIM-BTC/USD"):
        assert part in command


@dataclass
class Served:
    """A ``tradeterm serve`` process: its printed URL and everything it wrote."""

    proc: subprocess.Popen
    url: str  # as printed: http://127.0.0.1:PORT/?token=...
    output: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.url.split("/?", 1)[0].rstrip("/")

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    @property
    def token(self) -> str | None:
        found = re.search(r"token=([^&\s]+)", self.url)
        return found.group(1) if found else None

    def said(self, *parts: str, timeout: float = 5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = " ".join(" ".join(self.output).split())  # rich wraps long log lines
            if all(p in text for p in parts):
                return True
            time.sleep(0.05)
        return False


def _serve(tmp_path, *extra: str) -> Iterator[Served]:
    env = dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path), COLUMNS="200")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradeterm",
            "serve",
            "--port",
            "0",
            "--seed",
            "1",
            "--no-record",
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(proc, "")
    first = proc.stderr.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", first)
    assert found, first + proc.stderr.read()
    served.url = found.group(1)
    for stream in (proc.stdout, proc.stderr):
        threading.Thread(
            target=lambda s=stream: served.output.extend(iter(s.readline, "")), daemon=True
        ).start()
    deadline = time.monotonic() + 60
    while True:  # until it answers (a 403 is an answer)
        try:
            urllib.request.urlopen(served.base + "/static/js/textual.js", timeout=5).close()
            break
        except OSError:
            assert proc.poll() is None, served.output
            assert time.monotonic() < deadline
            time.sleep(0.2)
    try:
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    yield from _serve(tmp_path_factory.mktemp("serve"))


async def _get(url: str, **headers: str) -> tuple[int, str, aiohttp.ClientResponse]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers=headers, allow_redirects=False) as resp:
            return resp.status, await resp.text(), resp


async def _ws_status(
    url: str,
    headers: dict[str, str],
    cookies: dict[str, str] | None = None,
) -> int:
    """The websocket handshake's answer: 101 when it opened (closed again at once)."""
    async with aiohttp.ClientSession(cookies=cookies) as session:
        try:
            async with session.ws_connect(url, headers=headers) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


def test_the_url_printed_at_start_carries_a_token(served):
    assert served.token and len(served.token) >= 32


def test_the_page_needs_the_token_and_sets_it_as_a_strict_cookie(served):
    status, body, _ = asyncio.run(_get(served.base + "/"))
    assert status == 403 and "token" in body
    status, _, _ = asyncio.run(_get(served.base + "/?token=" + "x" * 43))
    assert status == 403
    status, page, resp = asyncio.run(_get(served.url))
    assert status == 200 and "textual.js" in page
    assert f"ws://127.0.0.1:{served.port}/ws" in page
    cookie = resp.headers["Set-Cookie"]
    assert served.token in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert served.said("refused GET / from 127.0.0.1", "no valid token")


def test_a_page_reached_through_localhost_gets_a_localhost_websocket(served):
    status, page, _ = asyncio.run(_get(f"http://localhost:{served.port}/?token={served.token}"))
    assert status == 200 and f"ws://localhost:{served.port}/ws" in page


def test_dns_rebinding_is_refused(served):
    """evil.example re-pointed at 127.0.0.1: the browser sends Host: evil.example."""
    host = f"evil.example:{served.port}"
    status, body, _ = asyncio.run(_get(served.url, Host=host))
    assert status == 403 and "is not this server" in body
    ws = f"ws://127.0.0.1:{served.port}/ws?token={served.token}"
    assert asyncio.run(_ws_status(ws, {"Host": host})) == 403
    assert served.said("refused GET /ws", "Host 'evil.example")


def test_another_sites_page_cannot_open_the_websocket(served):
    """Cross-site websocket hijacking: the browser sends the victim's cookie along, and the
    page's own Origin; three tries, three refusals."""
    cookies = {f"tradeterm-serve-{served.port}": served.token}
    ws = f"ws://127.0.0.1:{served.port}/ws?width=120&height=40"
    for _ in range(3):
        assert asyncio.run(_ws_status(ws, {"Origin": "http://evil.example"}, cookies)) == 403
    assert asyncio.run(_ws_status(ws, {"Origin": "null"}, cookies)) == 403
    assert served.said("refused GET /ws", "Origin 'http://evil.example' is not this server")


def test_the_websocket_needs_the_token_even_from_this_origin(served):
    ws = f"ws://127.0.0.1:{served.port}/ws"
    origin = {"Origin": f"http://127.0.0.1:{served.port}"}
    assert asyncio.run(_ws_status(ws, origin)) == 403
    assert asyncio.run(_ws_status(ws + "?token=wrong", origin)) == 403
    bad_cookie = {f"tradeterm-serve-{served.port}": "wrong"}
    assert asyncio.run(_ws_status(ws, origin, bad_cookie)) == 403


def test_static_files_need_no_token_but_the_right_host(served):
    status, _, _ = asyncio.run(_get(served.base + "/static/js/textual.js"))
    assert status == 200
    status, _, _ = asyncio.run(
        _get(served.base + "/static/js/textual.js", Host=f"evil.example:{served.port}")
    )
    assert status == 403
    status, _, _ = asyncio.run(_get(served.base + "/download/abc"))
    assert status == 403  # downloads carry the session's data: token required


def test_the_token_never_reaches_the_log(served):
    asyncio.run(_get(served.url))
    assert served.said("GET /?token=***")
    assert served.token not in "".join(served.output)


async def _first_screen(url: str, wanted: bytes, timeout: float, **kwargs) -> bytes:
    """What the app sends a browser tab until ``wanted`` shows up."""
    received = b""
    async with aiohttp.ClientSession(cookies=kwargs.pop("cookies", None)) as session:
        async with session.ws_connect(f"{url}?width=120&height=40", **kwargs) as ws:
            deadline = time.monotonic() + timeout
            while wanted not in received and time.monotonic() < deadline:
                try:
                    msg = await asyncio.wait_for(ws.receive(), 1)
                except TimeoutError:
                    continue
                if msg.type == aiohttp.WSMsgType.BINARY:
                    received += msg.data
                elif msg.type != aiohttp.WSMsgType.TEXT:
                    break
    return received


def test_the_browser_with_the_token_cookie_gets_the_workstation(served, tmp_path_factory):
    status, page, _ = asyncio.run(_get(served.url))
    assert status == 200
    ws = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
    cookies = {f"tradeterm-serve-{served.port}": served.token}
    screen = asyncio.run(
        _first_screen(ws, b"Ladder", 60, cookies=cookies, origin=f"http://127.0.0.1:{served.port}")
    )
    assert b"Ladder" in screen and b"SIM-BTC/USD" in screen
    data = tmp_path_factory.getbasetemp()
    assert not list(data.glob("serve*/recordings/*"))  # --no-record reached the tab's session


def test_without_a_token_host_and_origin_are_still_checked(tmp_path):
    for served in _serve(tmp_path, "--no-token"):
        assert served.token is None and served.url.endswith("/")
        assert asyncio.run(_get(served.base + "/"))[0] == 200
        ws = f"ws://127.0.0.1:{served.port}/ws"
        assert asyncio.run(_ws_status(ws, {"Origin": "http://evil.example"})) == 403
        assert asyncio.run(_get(served.base + "/", Host=f"evil.example:{served.port}"))[0] == 403
