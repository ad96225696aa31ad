import pytest

from tradeterm.ui.themes import load_theme_file, load_themes


def test_the_four_shipped_themes_load():
    themes = load_themes()
    assert {
        "tradeterm-dark",
        "tradeterm-light",
        "tradeterm-high-contrast",
        "tradeterm-colorblind",
    } <= set(themes)
    _, colorblind = themes["tradeterm-colorblind"]
    assert (colorblind.buy, colorblind.sell) == ("#56b4e9", "#e69f00")  # blue / orange
    theme, _ = themes["tradeterm-light"]
    assert theme.dark is False


def test_user_theme_dir_overrides(tmp_path):
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\nprimary = "#123456"\n[trading]\nbuy = "cyan"\n'
    )
    themes = load_themes(tmp_path)
    assert themes["mine"][1].buy == "cyan"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n', "'primary' is required"),
        ('name = "x"\nprimary = "#000"\nbogus = 1\n', "unknown keys bogus"),
        ('name = "x\n', "theme"),
    ],
)
def test_bad_theme_file_is_reported(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_theme_file(path)
    assert "bad" not in load_themes(tmp_path)  # skipped, never fatal


def test_the_palette_offers_only_trading_themes_and_keeps_the_choice(tmp_path):
    """13.18: no Textual theme without buy/sell colours is offered or selectable; the choice
    made in the palette is kept in the data dir (0600) and used by the next session."""
    import stat

    from tests.helpers import run_fast
    from tradeterm.ui.app import create_app

    import asyncio

    kernel = run_fast(seed=7, seconds=2)
    app = create_app(kernel, run_engine=False)
    asyncio.run(_choose_light(app))
    saved = kernel.settings.resolved_data_dir() / "ui.toml"
    assert saved.exists() and stat.S_IMODE(saved.stat().st_mode) == 0o600
    again = create_app(run_fast(seed=7, seconds=1), run_engine=False)
    asyncio.run(_started_theme(again))
    assert again.theme == "tradeterm-light"


async def _started_theme(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()


async def _choose_light(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Theme" not in titles  # Textual's picker of its own 20+ themes
        themes = sorted(t for t in titles if t.startswith("Theme"))
        assert themes == [
            "Theme: colorblind",
            "Theme: dark",
            "Theme: high-contrast",
            "Theme: light",
        ]
        assert set(app.available_themes) == set(app.palettes)
        chosen = next(c for c in app.get_system_commands(app.screen) if c.title == "Theme: light")
        chosen.callback()
        await pilot.pause()
        assert app.theme == "tradeterm-light"
