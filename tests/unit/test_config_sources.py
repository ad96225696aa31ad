"""Which source wins: a command-line flag over the environment over the config file over the
default, for every flag that names a setting (issue 11.7: ``TRADETERM_SIM__SEED=1 tradeterm
--seed 42`` ran with seed 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tradeterm.cli.parser import build_parser
from tradeterm.config import ConfigError, Settings, load_settings


def settings_from(argv: list[str]) -> Settings:
    """What the command builds its session from (nothing is started)."""
    from tradeterm.cli.main import _normalise

    args = build_parser().parse_args(_normalise(argv))
    if args.command == "exchange":
        from tradeterm.cli.exchange import exchange_settings

        return exchange_settings(args)
    if args.command == "live" or (args.command == "record" and args.venue == "binance"):
        from tradeterm.cli.live import live_settings
        from tradeterm.cli.venue_args import binance_settings

        return live_settings(args) if args.command == "live" else binance_settings(args)
    from tradeterm.cli.run import settings_for

    return settings_for(args)


def value(settings: Settings, key: str) -> Any:
    node: Any = settings
    for part in key.split("."):
        node = getattr(node, part)
    return node


def toml(v: Any) -> str:
    return json.dumps(v)  # a JSON string, number, bool or list of strings is TOML too


def env(v: Any) -> str:
    return (
        json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)
    )


# (command, flag arguments, setting, flag value, env value, file value): all three differ
# from each other and from the default, so every pair of sources is told apart
FLAGS = [
    (["paper"], ["--seed", "42"], "sim.seed", 42, 1, 3),
    (["paper"], ["--activity", "busy"], "sim.activity", "busy", "calm", "storm"),
    (["paper"], ["--rate", "700"], "sim.events_per_second", 700.0, 300.0, 400.0),
    ([], ["--seed", "42"], "sim.seed", 42, 1, 3),  # `tradeterm --seed 42` (paper)
    (["record"], ["--seed", "42"], "sim.seed", 42, 1, 3),
    (["record"], ["--rate", "700"], "sim.events_per_second", 700.0, 300.0, 400.0),
    (["replay", "x.ttj"], ["--seed", "42"], "sim.seed", 42, 1, 3),
    (["serve"], ["--seed", "42"], "sim.seed", 42, 1, 3),
    (["serve"], ["--activity", "busy"], "sim.activity", "busy", "calm", "storm"),
    (["exchange", "serve"], ["--port", "9001"], "exchange.port", 9001, 9002, 9003),
    (
        ["exchange", "serve"],
        ["--host", "127.0.0.2"],
        "exchange.host",
        "127.0.0.2",
        "127.0.0.3",
        "127.0.0.4",
    ),
    (
        ["exchange", "serve"],
        ["--faults", "drop=30"],
        "exchange.faults",
        "drop=30",
        "gap=45",
        "5xx=0.05",
    ),
    (["exchange", "serve"], ["--seed", "42"], "exchange.seed", 42, 1, 3),
    (["exchange", "serve"], ["--rate", "700"], "exchange.events_per_second", 700.0, 300.0, 400.0),
    (
        ["live", "--venue", "binance"],
        ["--api-url", "http://127.0.0.1:1"],
        "binance.rest_url",
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
        "http://127.0.0.1:3",
    ),
    (
        ["live", "--venue", "binance"],
        ["--ws-url", "ws://127.0.0.1:1"],
        "binance.ws_url",
        "ws://127.0.0.1:1",
        "ws://127.0.0.1:2",
        "ws://127.0.0.1:3",
    ),
    (
        ["live", "--venue", "binance"],
        ["--ws-api-url", "ws://127.0.0.1:1/a"],
        "binance.ws_api_url",
        "ws://127.0.0.1:1/a",
        "ws://127.0.0.1:2/a",
        "ws://127.0.0.1:3/a",
    ),
    (
        ["live", "--venue", "binance", "--testnet"],
        ["--api-url", "http://127.0.0.1:1"],
        "binance.testnet_rest_url",
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
        "http://127.0.0.1:3",
    ),
    (
        ["live", "--venue", "binance"],
        ["--symbols", "SOL/USDT"],
        "binance.symbols",
        ["SOL/USDT"],
        ["ETH/USDT"],
        ["XRP/USDT"],
    ),
    (
        ["record", "--venue", "binance"],
        ["--api-url", "http://127.0.0.1:1"],
        "binance.rest_url",
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
        "http://127.0.0.1:3",
    ),
    (
        ["live", "--venue", "ccxt:kraken"],
        ["--symbols", "SOL/USD"],
        "ccxt.symbols",
        ["SOL/USD"],
        ["ETH/USD"],
        ["XRP/USD"],
    ),
]
IDS = [" ".join(c + f[:1]) for c, f, *_ in FLAGS]


def _sources(monkeypatch, tmp_path, key: str, env_value: Any, file_value: Any) -> list[str]:
    section, field = key.split(".")
    if env_value is not None:
        monkeypatch.setenv(f"TRADETERM_{section.upper()}__{field.upper()}", env(env_value))
    if file_value is None:
        return []
    path = tmp_path / "c.toml"
    path.write_text(f"[{section}]\n{field} = {toml(file_value)}\n")
    return ["--config", str(path)]


@pytest.mark.parametrize(("command", "flag", "key", "flag_v", "env_v", "file_v"), FLAGS, ids=IDS)
@pytest.mark.parametrize(
    "pair",
    [
        "flag>env",
        "flag>file",
        "flag>env>file",
        "env>file",
        "file>default",
        "flag>default",
        "env>default",
    ],
)
def test_each_flag_beats_the_environment_which_beats_the_file(
    monkeypatch, tmp_path, pair, command, flag, key, flag_v, env_v, file_v
):
    with_flag = pair.startswith("flag")
    default = value(load_settings(), key)
    config = _sources(
        monkeypatch,
        tmp_path,
        key,
        env_v if "env" in pair else None,
        file_v if "file" in pair else None,
    )
    settings = settings_from([*command, *(flag if with_flag else []), *config])
    expected = flag_v if with_flag else env_v if pair.startswith("env") else file_v
    assert value(settings, key) == expected
    assert value(settings, key) != default  # not the default by chance


def test_activity_flag_beats_a_rate_from_the_environment_or_the_file(monkeypatch, tmp_path):
    """``--activity busy`` picks the preset even where a weaker source set a rate (the rate
    would otherwise override the preset); ``--rate`` beats both."""
    monkeypatch.setenv("TRADETERM_SIM__EVENTS_PER_SECOND", "300")
    assert settings_from(["--activity", "busy"]).sim.rate == 20_000
    monkeypatch.delenv("TRADETERM_SIM__EVENTS_PER_SECOND")
    path = tmp_path / "c.toml"
    path.write_text("[sim]\nevents_per_second = 400\n")
    assert settings_from(["--activity", "busy", "--config", str(path)]).sim.rate == 20_000
    assert settings_from(["--config", str(path)]).sim.rate == 400
    assert settings_from(["--activity", "busy", "--rate", "700"]).sim.rate == 700


def test_no_record_beats_the_environment_and_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("TRADETERM_RECORD__ENABLED", "true")
    path = tmp_path / "c.toml"
    path.write_text("[record]\nenabled = true\n")
    assert settings_from(["--no-record", "--config", str(path)]).record.enabled is False
    assert settings_from(["--config", str(path)]).record.enabled is True
    monkeypatch.setenv("TRADETERM_RECORD__ENABLED", "false")
    assert settings_from(["--config", str(path)]).record.enabled is False  # env > file


def test_quoter_flag_beats_the_model_from_the_environment(monkeypatch):
    from tradeterm.runtime.kernel import Kernel, RunOptions

    monkeypatch.setenv("TRADETERM_QUOTER__MODEL", "avellaneda_stoikov")
    settings = settings_from(["--seed", "1"])
    assert settings.quoter.model == "avellaneda_stoikov"
    kernel = Kernel(settings, RunOptions(fast=True, quoter="glft", record=False))
    assert {q.setup.config.model for q in kernel.quoters.values()} == {"glft"}


def test_programmatic_overrides_beat_the_environment(monkeypatch, tmp_path):
    """Benchmarks and tests pass settings as arguments: a TRADETERM_DATA_DIR of the user's must
    not redirect them."""
    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path / "env"))
    assert load_settings(data_dir=str(tmp_path / "arg")).data_dir == tmp_path / "arg"


def test_a_bad_value_names_its_source(monkeypatch, tmp_path):
    monkeypatch.setenv("TRADETERM_SIM__SEED", "-1")
    with pytest.raises(ConfigError, match=r"sim\.seed: .*from TRADETERM_SIM__SEED"):
        load_settings()
    path = tmp_path / "c.toml"
    path.write_text("[ui]\nrefresh_hz = 100\n")
    monkeypatch.delenv("TRADETERM_SIM__SEED")
    with pytest.raises(ConfigError, match=r"ui\.refresh_hz: .*from .*c\.toml"):
        load_settings(path)
    with pytest.raises(ConfigError, match=r"sim\.seed: .*from the command line"):
        load_settings(path, sim={"seed": -5})


def test_an_environment_table_that_is_not_json_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("TRADETERM_SIM__INSTRUMENTS", "[")
    with pytest.raises(ConfigError, match="TRADETERM_SIM__INSTRUMENTS: .* must be JSON"):
        load_settings()
