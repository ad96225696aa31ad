"""The engine runs headless: no module outside ui/ pulls in Textual (checked in a clean
interpreter, since this test process may already have imported it)."""

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
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True)
    count, leaked, heavy = out.stdout.strip().split(" ", 2)
    assert int(count) >= 20
    assert leaked == "[]"
    assert heavy == "[]"


def test_ui_modules_exist_and_are_the_only_textual_users():
    names = [m.name for m in pkgutil.walk_packages(tradeterm.__path__, "tradeterm.")]
    assert any(n.startswith("tradeterm.ui.") for n in names)
