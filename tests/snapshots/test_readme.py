"""The README shows today's workstation (issue 13: its screenshot showed the first three-pane
screen long after the screen changed)."""

from tests.snapshots.readme_screenshot import README, SCREENSHOT, SNAPSHOT, readme_block

FIX = "after an intended UI change: python -m tests.snapshots.readme_screenshot"


def test_the_readme_screenshot_is_the_current_trading_screen():
    svg = SNAPSHOT.read_text()
    assert SCREENSHOT.read_text() == svg, FIX
    assert readme_block(svg) in README.read_text(), FIX
