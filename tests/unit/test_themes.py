import pytest

from tradeterm.ui.themes import load_theme_file, load_themes


def test_the_four_shipped_themes_load():
    themes = load_themes()
    assert {"tradeterm-dark", "tradeterm-light", "tradeterm-high-contrast",
            "tradeterm-colorblind"} <= set(themes)
    _, colorblind = themes["tradeterm-colorblind"]
    assert (colorblind.buy, colorblind.sell) == ("#56b4e9", "#e69f00")  # blue / orange
    theme, _ = themes["tradeterm-light"]
    assert theme.dark is False


def test_user_theme_dir_overrides(tmp_path):
    (tmp_path / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n[trading]\nbuy = "cyan"\n')
    themes = load_themes(tmp_path)
    assert themes["mine"][1].buy == "cyan"


@pytest.mark.parametrize(("text", "message"), [
    ('name = "x"\n', "'primary' is required"),
    ('name = "x"\nprimary = "#000"\nbogus = 1\n', "unknown keys bogus"),
    ('name = "x\n', "theme"),
])
def test_bad_theme_file_is_reported(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_theme_file(path)
    assert "bad" not in load_themes(tmp_path)  # skipped, never fatal
