"""``tradeterm serve``: the workstation through textual-serve, on loopback by default."""

import asyncio
import os
import re
import subprocess
import sys
import time
import urllib.request

import aiohttp
import pytest

from tradeterm.cli import main
from tradeterm.cli_serve import is_loopback, paper_command
from tradeterm.cli import build_parser


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert not is_loopback("example.org")  # a name may resolve anywhere


def test_a_public_address_needs_public(capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "--public" in capsys.readouterr().err


def test_each_tab_runs_paper_with_the_given_options():
    args = build_parser().parse_args(["serve", "--seed", "3", "--rate", "500", "--no-record",
                                      "--symbols", "SIM-BTC/USD"])
    command = paper_command(args)
    assert command.split()[1:4] == ["-m", "tradeterm", "paper"]
    for part in ("--seed 3", "--rate 500.0", "--no-record", "--symbols SIM-BTC/USD"):
        assert part in command


async def _first_screen(url: str, wanted: bytes, timeout: float) -> bytes:
    """What the app sends a browser tab until ``wanted`` shows up."""
    received = b""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url}/ws?width=120&height=40") as ws:
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


def test_serve_gives_the_page_and_runs_the_app_in_it(tmp_path):
    env = dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "tradeterm", "serve", "--port", "0",
                             "--seed", "1", "--no-record"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert found, line
        url = found.group(0)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=5) as resp:
                    page = resp.read().decode()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert resp.status == 200
        assert "textual.js" in page and f'ws://127.0.0.1:{found.group(1)}/ws' in page
        screen = asyncio.run(_first_screen(url, b"Ladder", 60))
        assert b"Ladder" in screen and b"SIM-BTC/USD" in screen
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert not list(tmp_path.glob("recordings/*"))  # --no-record reached the tab's session
