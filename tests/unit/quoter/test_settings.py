"""The [quoter] config section and what the quoter of one instrument makes of it."""

import math

import pytest

from tradeterm.config import ConfigError, QuoterConfig, load_settings
from tradeterm.quoter.settings import build_setup

from tests.helpers import BTC  # tick 0.5, lot 0.0001, min notional 5

NS = 1_000_000_000


def test_defaults_validate_and_bad_values_name_the_key(tmp_path):
    settings = load_settings()
    assert settings.quoter.model == "glft" and settings.quoter.enabled is False
    bad = tmp_path / "q.toml"
    bad.write_text(
        '[quoter]\ngamma = 0\nvol_estimator = "garch"\nmin_spread_ticks = 4\n'
        'max_spread_ticks = 2\n[quoter.per_symbol."SIM-BTC/USD"]\nordr_size = "1"\n'
    )
    with pytest.raises(ConfigError) as err:
        load_settings(bad)
    text = str(err.value)
    for key in (
        "quoter.gamma",
        "quoter.vol_estimator",
        "quoter.max_spread_ticks",
        "quoter.per_symbol.SIM-BTC/USD.ordr_size: unknown key",
    ):
        assert key in text, text


def test_environment_overrides_the_quoter_section(monkeypatch):
    monkeypatch.setenv("TRADETERM_QUOTER__GAMMA", "0.3")
    monkeypatch.setenv("TRADETERM_QUOTER__MODEL", "avellaneda_stoikov")
    settings = load_settings()
    assert settings.quoter.gamma == 0.3 and settings.quoter.model == "avellaneda_stoikov"


def test_per_symbol_overrides_and_sizes_in_lots():
    config = QuoterConfig(
        gamma=0.2,
        order_size="0.01",
        per_symbol={BTC.symbol: {"gamma": 0.7, "max_position": "0.03", "k": 1.1}},
    )
    setup = build_setup(config, BTC)
    assert setup.params.gamma == 0.7
    assert setup.params.order_lots == 100 and setup.params.max_position_lots == 300
    assert (setup.fixed_k, setup.fixed_sigma) == (1.1, None)
    assert setup.estimated == "sigma,A"
    other = build_setup(QuoterConfig(gamma=0.2, order_size="0.01"), BTC)
    assert other.params.gamma == 0.2 and other.params.max_position_lots == 1000  # 10 sizes


def test_sizes_off_the_lot_grid_are_refused_with_the_key():
    with pytest.raises(
        ValueError,
        match=r"quoter \(for BTC/USD\)\.order_size: 0\.00015 is not "
        r"a multiple of the lot size 0\.0001",
    ):
        build_setup(QuoterConfig(order_size="0.00015"), BTC)


def test_unset_size_is_twice_the_min_notional_at_the_first_mid():
    setup = build_setup(QuoterConfig(sigma=1.0, k=1.0, A=1.0), BTC)
    assert setup.live_params() is None and "a mid price" in setup.warming_reason()
    setup.refresh_estimates(0, 120_000.0)  # 60000.0 USD: 2 x 5 USD -> 0.000166.. -> 2 lots
    assert setup.params.order_lots == 2 and setup.params.max_position_lots == 20
    assert setup.live_params() is not None


def test_avellaneda_stoikov_horizon_restarts_every_horizon_from_midnight_utc():
    setup = build_setup(QuoterConfig(model="avellaneda_stoikov", horizon_s=3600.0), BTC)
    midnight = 1_767_225_600 * NS
    assert setup.time_left_s(midnight) == pytest.approx(3600.0)
    assert setup.time_left_s(midnight + 900 * NS) == pytest.approx(2700.0)
    assert setup.time_left_s(midnight + 3599 * NS) == pytest.approx(1.0)
    assert build_setup(QuoterConfig(), BTC).time_left_s(midnight) == 0.0  # glft: no horizon


def test_configured_values_win_over_estimates_and_estimates_fill_the_rest():
    setup = build_setup(
        QuoterConfig(sigma=3.0, warmup_sweeps=1, order_size="0.01", intensity_halflife_s=None), BTC
    )
    setup.intensity.start(0)
    setup.intensity.on_trade(NS, 120_004, 1, 120_000, 120_002)  # two ticks past the ask
    setup.refresh_estimates(2 * NS, 120_001.0)
    assert setup.sigma == 3.0
    assert setup.k == pytest.approx(math.log1p(1 / 2))
    assert setup.A > 0 and setup.live_params().k == setup.k


def test_parameters_are_rebuilt_only_when_an_estimate_or_the_size_moved():
    setup = build_setup(QuoterConfig(sigma=3.0, k=0.5, A=2.0), BTC)
    setup.refresh_estimates(NS, 120_001.0)  # the first mid sizes the quotes
    params, live = setup.params, setup.live_params()
    assert live is not None and live.sigma == 3.0
    setup.refresh_estimates(2 * NS, 120_001.0)  # nothing moved: the same objects
    assert setup.params is params and setup.live_params() is live
    setup.fixed_sigma = 4.0  # an estimate that moves
    setup.refresh_estimates(3 * NS, 120_001.0)
    assert setup.live_params() is not live and setup.live_params().sigma == 4.0
    assert setup.params == params  # the rest as it was


def test_sizes_follow_the_venues_order_step_when_the_book_is_finer():
    """Binance spot: the book's lot is 1e-8, orders go in steps of 0.00001 (1000 lots)."""
    from decimal import Decimal

    from tradeterm.quoter.model import DesiredQuotes, ladder
    from tradeterm.venues.binance_messages import binance_instrument

    spot = binance_instrument(
        "BTC/USDT", "BTC", "USDT", "0.01", "0.00000001", "5", qty_step_lots=1000
    )
    setup = build_setup(QuoterConfig(sigma=1.0, k=1.0, A=1.0), spot)
    setup.refresh_estimates(0, 6_180_000.0)  # 61800.00: 2 x 5 USDT -> 0.00016181 -> 0.00017
    assert setup.params.order_lots == 17_000 and setup.params.lot_step == 1000
    with pytest.raises(ValueError, match="order step 0.00001"):
        build_setup(QuoterConfig(order_size="0.000015"), spot)
    # 25,500 lots of room under the limit: two whole clips of 10,000, then 5,000, never 5,500
    params = setup.params.__class__(
        order_lots=10_000, max_position_lots=25_500.0, levels=4, lot_step=1000
    )
    quotes = DesiredQuotes(0.0, 2.0, 100, 102, 10_000, 10_000)
    bids, _ = ladder(quotes, params, inventory=0)
    assert [lots for _, lots in bids] == [10_000, 10_000, 5_000]
    assert Decimal(0) == sum(Decimal(lots) for _, lots in bids) % 1000


def test_a_size_beyond_what_an_int64_of_lots_holds_is_refused_with_the_key():
    """The config allows a billion base units; on a 1e-12 lot that is 1e21 lots, more than the
    engine's integer quantities hold (issue 12.9)."""
    from decimal import Decimal

    from tradeterm.domain.instruments import Instrument

    fine = Instrument("sim", "FINE/USD", "FINE", "USD", Decimal("0.01"), Decimal("1e-12"))
    with pytest.raises(ValueError, match=r"order_size: .* too large"):
        build_setup(QuoterConfig(order_size=Decimal(10) ** 9), fine)
    with pytest.raises(ValueError, match=r"max_position: .* too large"):
        build_setup(QuoterConfig(order_size="1", max_position=Decimal(10) ** 9), fine)
