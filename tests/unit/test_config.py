import pytest

from tradeterm.config import ConfigError, load_settings


def write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


def test_defaults_are_valid():
    settings = load_settings()
    assert settings.sim.rate == 2000 and len(settings.sim.instruments) == 2


def test_toml_file_and_env_override(tmp_path, monkeypatch):
    path = write(tmp_path, '[sim]\nactivity = "calm"\nseed = 3\n[ui]\nrefresh_hz = 10\n')
    settings = load_settings(path)
    assert settings.sim.rate == 200 and settings.sim.seed == 3 and settings.ui.refresh_hz == 10
    monkeypatch.setenv("TRADETERM_SIM__ACTIVITY", "busy")
    assert load_settings(path).sim.rate == 20_000


def test_data_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path / "x"))
    assert load_settings().resolved_data_dir() == tmp_path / "x"


def test_xdg_default(tmp_path, monkeypatch):
    monkeypatch.delenv("TRADETERM_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert load_settings().resolved_data_dir() == tmp_path / "tradeterm"


@pytest.mark.parametrize(("text", "expected"), [
    ("[sim]\nactivty = 'calm'\n", "sim.activty: unknown key"),
    ("[sim]\nevents_per_second = -5\n", "sim.events_per_second: Input should be greater than 0"),
    ("[ui]\nrefresh_hz = 120\n", "ui.refresh_hz: Input should be less than or equal to 30"),
    ("[sim]\nactivity = 'wild'\n", "sim.activity: Input should be 'calm', 'normal'"),
    ("[[sim.instruments]]\nsymbol='X'\n", "sim.instruments.0.base: Field required"),
    ("[sim\n", "is not valid TOML"),
])
def test_bad_config_names_the_key_and_the_reason(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace("[", r"\[")):
        load_settings(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")
