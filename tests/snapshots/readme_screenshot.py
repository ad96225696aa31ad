"""The README's screenshot is today's workstation: the seeded trading screen at 120x40, the
snapshot ``test_main_screen.py::test_trading_screen[120x40]`` (working orders, fills, positions,
PnL, risk, the tape and the log in trader units).

``python -m tests.snapshots.readme_screenshot`` copies that snapshot to ``docs/screenshot.svg``
and writes its text into the README's text block; ``test_readme.py`` fails when either is not
the current snapshot (after an intended UI change and its ``--snapshot-update``, run this)."""

from __future__ import annotations

import html
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = (
    Path(__file__).parent / "__snapshots__" / "test_main_screen" / "test_trading_screen[120x40].svg"
)
SCREENSHOT = ROOT / "docs" / "screenshot.svg"
README = ROOT / "README.md"
BEGIN, END = "<!-- screenshot text: begin -->", "<!-- screenshot text: end -->"
CELL = 12.2  # the SVG's width of one terminal cell (Rich's export)
TEXT = re.compile(r'<text class="terminal-r\d+" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')


def screen_text(svg: str, cols: int = 120) -> str:
    """The terminal's characters in an exported SVG, one line per row."""
    rows: dict[float, list[str]] = {}
    for x, y, text in TEXT.findall(svg):
        row = rows.setdefault(float(y), [" "] * cols)
        col = round(float(x) / CELL)
        for n, ch in enumerate(html.unescape(text).replace("\xa0", " ").rstrip("\n")):
            if col + n < cols:
                row[col + n] = ch
    return "\n".join("".join(rows[y]).rstrip() for y in sorted(rows))


def readme_block(svg: str) -> str:
    return (
        f"{BEGIN}\n<details><summary>The same screen as text</summary>\n\n```\n"
        f"{screen_text(svg)}\n```\n\n</details>\n{END}"
    )


def main() -> None:
    svg = SNAPSHOT.read_text()
    SCREENSHOT.write_text(svg)
    readme = README.read_text()
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    README.write_text(readme[:start] + readme_block(svg) + readme[end:])
    print(f"wrote {SCREENSHOT.relative_to(ROOT)} and the README's text block")


if __name__ == "__main__":
    main()
