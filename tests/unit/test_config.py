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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[sim]\nactivty = 'calm'\n", "sim.activty: unknown key"),
        (
            "[sim]\nevents_per_second = -5\n",
            "sim.events_per_second: Input should be greater than 0",
        ),
        ("[ui]\nrefresh_hz = 120\n", "ui.refresh_hz: Input should be less than or equal to 30"),
        ("[sim]\nactivity = 'wild'\n", "sim.activity: Input should be 'calm', 'normal'"),
        ("[[sim.instruments]]\nsymbol='X'\n", "sim.instruments.0.base: Field required"),
        ("[sim\n", "is not valid TOML"),
    ],
)
def test_bad_config_names_the_key_and_the_reason(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace("[", r"\[")):
        load_settings(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_paper_fill_model_section(tmp_path):
    from tradeterm.runtime.venue_registry import fill_model

    path = write(tmp_path, '[paper]\nfill_model = "touch"\nlatency_ms = 2.5\ncancels_ahead = 0.5\n')
    model = fill_model(load_settings(path))
    assert (model.model, model.latency_ns, model.cancels_ahead) == ("touch", 2_500_000, 0.5)
    with pytest.raises(ConfigError, match="paper.fill_model"):
        load_settings(write(tmp_path, '[paper]\nfill_model = "magic"\n'))
    with pytest.raises(ConfigError, match="paper.cancels_ahead"):
        load_settings(write(tmp_path, "[paper]\ncancels_ahead = 2\n"))


def test_sim_instrument_matching_options(tmp_path):
    from tradeterm.runtime.kernel import Kernel, RunOptions

    settings = load_settings(
        sim={
            "seed": 1,
            "instruments": [
                {
                    "symbol": "X/USD",
                    "base": "X",
                    "quote": "USD",
                    "tick_size": "1",
                    "lot_size": "1",
                    "start_price": "100",
                    "post_only": "slide",
                    "pro_rata": True,
                    "self_trade_prevention": "cancel_both",
                }
            ],
        }
    )
    rules = Kernel(settings, RunOptions(fast=True)).data.books[0].rules
    assert rules.post_only_slide and rules.pro_rata and rules.stp == 3


def test_the_store_url_must_be_sqlite():
    assert load_settings(oms={"database_url": "sqlite:////tmp/x.db"}).oms.database_url
    assert load_settings(oms={"database_url": "sqlite://"}).oms.database_url == "sqlite://"
    with pytest.raises(ConfigError, match=r"oms.database_url: .*SQLite file: sqlite:///"):
        load_settings(oms={"database_url": "postgresql+psycopg://trader@db/tradeterm"})
