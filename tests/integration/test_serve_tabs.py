"""`tradeterm serve` with several browser tabs (issue 13.15): every tab gets a working
workstation or a clear message, never a page stuck on the logo; a closed tab ends its session;
and when the server dies or its terminal goes away, no tradeterm process stays behind.

Real server on a free port, real websocket clients (one per tab), real signals."""

import asyncio
import os
import re
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from tests.integration.test_cli_serve import Served, _serve

SCREEN = 60  # seconds a tab may take to draw on a busy machine


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive(pids)


class Tab:
    """One browser tab: the page, then its websocket, read all the time (as a browser does, so
    the server's heartbeat is answered) into what the app drew."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.screen = b""
        self.closed = False

    async def open(self, session: aiohttp.ClientSession) -> None:
        async with session.get(self.served.url) as resp:
            page = await resp.text()
        url = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
        self.ws = await session.ws_connect(f"{url}?width=120&height=40", origin=self.served.base)
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.screen += msg.data
        self.closed = True

    async def close(self) -> None:
        await self.ws.close()
        await self.reader

    async def read_until(self, wanted: bytes | str, seconds: float = SCREEN) -> bool:
        """Until ``wanted`` was drawn (bytes: as sent; str: on the screen as shown)."""

        def seen() -> bool:
            return wanted in (self.screen if isinstance(wanted, bytes) else self.text)

        deadline = time.monotonic() + seconds
        while not seen() and not self.closed and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        return seen()

    @property
    def text(self) -> str:
        """The page as the browser's terminal shows it now, its lines joined by spaces."""
        import pyte

        screen = pyte.Screen(120, 40)
        pyte.ByteStream(screen).feed(self.screen)
        return " ".join(" ".join(line.split()) for line in screen.display)


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def test_two_tabs_each_get_a_working_workstation_of_their_own(tmp_path):
    for served in _serve(tmp_path):

        async def run():
            async with client() as session:
                tabs = [Tab(served), Tab(served)]
                for tab in tabs:
                    await tab.open(session)
                drawn = await asyncio.gather(*(t.read_until(b"Ladder") for t in tabs))
                assert drawn == [True, True], [t.text[-300:] for t in tabs]
                for note in (
                    "This tab trades its own paper account in",
                    "tab-2: another session has",
                ):
                    assert await tabs[1].read_until(note, 20), tabs[1].text
                assert "tab-2" not in tabs[0].text
                await asyncio.gather(*(t.close() for t in tabs))

        asyncio.run(run())
        # the first tab trades the served data dir, the second its own beside it
        assert (tmp_path / "tradeterm.db").exists()
        assert (tmp_path / "tab-2" / "tradeterm.db").exists()


def test_a_tab_that_cannot_start_says_why_instead_of_hanging(tmp_path):
    (tmp_path / "tradeterm.db").write_bytes(b"not a database" * 100)  # a damaged store
    for served in _serve(tmp_path):

        async def run():
            async with client() as session:
                tab = Tab(served)
                await tab.open(session)
                assert await tab.read_until(b"tradeterm.db", 30), tab.text
                assert "could not start" in tab.text and "tradeterm.db" in tab.text

        asyncio.run(run())


def test_tabs_beyond_the_limit_are_told_so(tmp_path):
    for served in _serve(tmp_path, "--max-tabs", "1"):

        async def run():
            async with client() as session:
                first, second = Tab(served), Tab(served)
                await first.open(session)
                assert await first.read_until(b"Ladder")
                await second.open(session)
                assert await second.read_until(b"--max-tabs", 20), second.text
                assert "1 tab is open" in second.text

        asyncio.run(run())


def test_a_closed_tab_ends_its_session(tmp_path):
    for served in _serve(tmp_path):

        async def run():
            async with client() as session:
                tab = Tab(served)
                await tab.open(session)
                assert await tab.read_until(b"Ladder")
                sessions = descendants(served.proc.pid)
                assert sessions
                await tab.close()
                assert not await asyncio.to_thread(gone_within, sessions, 15)

        asyncio.run(run())
        assert served.proc.poll() is None  # the server goes on


def _two_tabs_then(served: Served, end) -> tuple[set[int], set[int]]:
    """Two tabs open (at least one drawn), then ``end`` the server: (the process tree before,
    what of it is still alive 15 s after)."""

    async def run():
        async with client() as session:
            tabs = [Tab(served), Tab(served)]
            for tab in tabs:
                await tab.open(session)
            drawn = await asyncio.gather(*(t.read_until(b"Ladder", 30) for t in tabs))
            assert any(drawn)
            tree = descendants(served.proc.pid) | {served.proc.pid}
            end()
            left = await asyncio.to_thread(gone_within, tree, 15)
            for tab in tabs:
                tab.reader.cancel()
            return tree, left

    return asyncio.run(run())


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_serve_ended_by_a_signal_ends_the_whole_process_tree(tmp_path, sig):
    """SIGHUP: the terminal of `tradeterm serve` was closed (tmux kill, SSH drop); SIGTERM: it
    was stopped."""
    for served in _serve(tmp_path):
        tree, left = _two_tabs_then(served, lambda: os.kill(served.proc.pid, sig))
        assert len(tree) >= 2 and not left, f"still alive: {left} of {tree}"


def test_serve_killed_outright_leaves_no_tab_session(tmp_path):
    for served in _serve(tmp_path):
        tree, left = _two_tabs_then(served, lambda: os.kill(served.proc.pid, signal.SIGKILL))
        assert len(tree) >= 2 and not left, f"still alive: {left} of {tree}"
