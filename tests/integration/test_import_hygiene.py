"""The engine runs headless: no module outside ui/ pulls in Textual (checked in a clean
interpreter, since this test process may already have imported it)."""

import os
import pkgutil
import subprocess
import sys

import tradeterm

SCRIPT = """
import importlib, pkgutil, sys
import tradeterm
names = [m.name for m in pkgutil.walk_packages(tradeterm.__path__, "tradeterm.")
         if not m.name.startswith("tradeterm.ui") and m.name != "tradeterm.__main__"]
for name in names:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
heavy = sorted(m for m in ("pandas", "ccxt") if m in sys.modules)
print(len(names), leaked, heavy)
"""


def test_engine_modules_do_not_import_textual():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    count, leaked, heavy = out.stdout.strip().split(" ", 2)
    assert int(count) >= 20
    assert leaked == "[]"
    assert heavy == "[]"


def test_ui_modules_exist_and_are_the_only_textual_users():
    names = [m.name for m in pkgutil.walk_packages(tradeterm.__path__, "tradeterm.")]
    assert any(n.startswith("tradeterm.ui.") for n in names)


PAPER_START = """
import sys
from tradeterm.cli import main
try:
    main(["paper", "--headless", "--seconds", "0.2", "--no-record", "--seed", "1"])
except SystemExit as exc:
    assert not exc.code, exc.code
import tradeterm.ui.app  # the TUI's modules too (the session above ran headless)
print([m for m in sys.argv[1:] if m in sys.modules])
"""
# what a paper session does not need at start: recording/replay (numpy, zstd), the store's old
# ORM, exports and charts, live venues' transports, the quoter (unless asked for), the browser view
LAZY = (
    "numpy",
    "zstandard",
    "sqlalchemy",
    "sqlmodel",
    "pandas",
    "pyarrow",
    "plotext",
    "ccxt",
    "websockets",
    "aiohttp",
    "textual_serve",
    "tradeterm.record.codec",
    "tradeterm.record.journal",
    "tradeterm.record.replayer",
    "tradeterm.record.recorder",
    "tradeterm.quoter.study",
    "tradeterm.trading.quoter_wiring",
    "tradeterm.quoter.component",
)


def test_a_paper_session_starts_without_the_heavy_modules(tmp_path):
    env = {**os.environ, "TRADETERM_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", PAPER_START, *LAZY],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_recording_still_loads_the_recorder(tmp_path):
    """The lazy import is taken when it is needed (the check above is not vacuous)."""
    env = {**os.environ, "TRADETERM_DATA_DIR": str(tmp_path)}
    script = PAPER_START.replace('"--no-record", ', "")
    out = subprocess.run(
        [sys.executable, "-c", script, "tradeterm.record.recorder", "numpy"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "['tradeterm.record.recorder', 'numpy']"
    assert list((tmp_path / "recordings").glob("*"))
