"""From the ``[quoter]`` config to what the quoter of one instrument runs with.

``build_setup`` resolves the per-symbol overrides, converts sizes to lots (exactly: a size off
the lot grid is refused with the reason), builds the model parameters and the estimators, and
keeps the estimators of the previous setup when their own settings did not change (a parameter
change while running does not throw away what was learnt). ``QuoterSetup.refresh_estimates``
(on the quoter's timer) turns the estimators' output into the model's sigma, k and A.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from tradeterm.config import QuoterConfig
from tradeterm.config.base import INT64_MAX
from tradeterm.domain.instruments import Instrument, PrecisionError
from tradeterm.quoter.intensity import ArrivalIntensity
from tradeterm.quoter.model import QuoteParams
from tradeterm.quoter.volatility import BarBuilder, VolatilityEstimators

NS = 1_000_000_000
DEFAULT_MAX_POSITION_CLIPS = 10
# the [quoter] keys a trader changes while running (the UI's parameter form); order matters
EDITABLE = (
    "gamma",
    "order_size",
    "max_position",
    "levels",
    "level_step_ticks",
    "min_spread_ticks",
    "max_spread_ticks",
    "requote_ticks",
    "max_quote_age_s",
    "sigma",
    "k",
    "A",
)
_ESTIMATOR_KEYS = (
    "vol_source",
    "bar_seconds",
    "vol_window_bars",
    "ewma_halflife_bars",
    "intensity_halflife_s",
)
# (sigma, k, A estimated?) -> their names, as the quoter's view shows them
_ESTIMATED = {
    (s, k, a): ",".join(n for n, est in (("sigma", s), ("k", k), ("A", a)) if est)
    for s in (False, True)
    for k in (False, True)
    for a in (False, True)
}


@dataclass
class QuoterSetup:
    config: QuoterConfig
    instrument: Instrument
    base: dict[str, Any]  # QuoteParams fields that do not come from estimates
    fixed_sigma: float | None
    fixed_k: float | None
    fixed_A: float | None
    order_lots: int | None  # None: sized from 2x min notional at the first mid
    max_position_lots: int | None
    vol: VolatilityEstimators
    bars: BarBuilder
    intensity: ArrivalIntensity
    sigma: float | None = None
    k: float | None = None
    A: float | None = None
    params: QuoteParams = field(default_factory=QuoteParams)
    _live: QuoteParams | None = None
    _built: tuple[Any, ...] | None = None  # what params and _live were built from
    _sized: tuple[int, int | None] | None = None  # the (lots, limit) params were built from
    _fields: dict[str, Any] = field(default_factory=dict)  # params' fields, for _live

    @property
    def estimated(self) -> str:
        """Which of sigma, k and A are estimated ("sigma,k,A"), the rest configured."""
        return _ESTIMATED[(self.fixed_sigma is None, self.fixed_k is None, self.fixed_A is None)]

    def refresh_estimates(self, now_ns: int, mid_ticks: float | None) -> None:
        cfg = self.config
        if self.order_lots is None and mid_ticks:
            self._size_from_min_notional(mid_ticks)
        self.sigma = self.fixed_sigma
        if self.sigma is None and mid_ticks and self.vol.window_bars >= cfg.warmup_bars:
            rel = self.vol.sigma(cfg.vol_estimator)
            self.sigma = None if rel is None else rel * mid_ticks
        self.k, self.A = self.fixed_k, self.fixed_A
        if self.k is None or self.A is None:
            fit = self.intensity.estimate(now_ns)
            if fit is not None and self.intensity.n >= cfg.warmup_sweeps:
                self.k = self.fixed_k if self.fixed_k is not None else fit[0]
                self.A = self.fixed_A if self.fixed_A is not None else fit[1]
        self._rebuild()

    def _size_from_min_notional(self, mid_ticks: float) -> None:
        """Smallest size worth at least twice the venue's minimum notional (at least one lot)."""
        inst = self.instrument
        price = Decimal(str(mid_ticks)) * inst.tick_size
        step = inst.qty_step_lots
        lots = step
        if inst.min_notional > 0 and price > 0:
            lots = max(
                1,
                int(
                    (2 * inst.min_notional / (price * inst.lot_size)).to_integral_value(
                        ROUND_CEILING
                    )
                ),
            )
            lots = -(-lots // step) * step  # up to the venue's order grid
        self.order_lots = lots
        if self.max_position_lots is None:
            self.max_position_lots = DEFAULT_MAX_POSITION_CLIPS * lots

    def _rebuild(self) -> None:
        lots = self.order_lots or self.instrument.qty_step_lots  # placeholder until sized
        limit = self.max_position_lots
        built = (lots, limit, self.order_lots, self.sigma, self.k, self.A)
        if built == self._built:  # a timer tick that moved no estimate: the same parameters
            return
        sized = (lots, limit)
        if sized != self._sized:  # only the size and the limit change the base parameters
            inst = self.instrument
            self._fields = dict(
                self.base,
                order_lots=lots,
                lot_step=inst.qty_step_lots,
                max_position_lots=float(limit) if limit is not None else 0.0,
                min_notional=math.ceil(inst.min_notional / (inst.tick_size * inst.lot_size)),
            )
            self.params = QuoteParams(**self._fields)
            self._sized = sized
        sigma, k, A = self.sigma, self.k, self.A
        live = None
        if sigma is not None and k is not None and A is not None and self.order_lots is not None:
            if sigma > 0:  # ready: the estimates in force
                live = QuoteParams(**self._fields, sigma=sigma, k=k, A=A)
        self._live = live
        self._built = built

    def live_params(self) -> QuoteParams | None:
        """The model parameters with current estimates, or None while warming up."""
        return self._live

    def warming_reason(self) -> str:
        cfg, missing = self.config, []
        if self.order_lots is None:
            missing.append("a mid price to size the quotes")
        if self.sigma is None:
            missing.append(f"sigma ({self.vol.window_bars}/{cfg.warmup_bars} bars)")
        if self.k is None or self.A is None:
            missing.append(f"k and A ({int(self.intensity.n)}/{cfg.warmup_sweeps} sweeps)")
        return "warming up: " + ", ".join(missing) if missing else "warming up"

    def time_left_s(self, now_ns: int) -> float:
        """T - t for avellaneda_stoikov; the horizon restarts every ``horizon_s`` from 00:00 UTC."""
        if self.config.model != "avellaneda_stoikov":
            return 0.0
        horizon = self.config.horizon_s
        return horizon - math.fmod(now_ns / NS, horizon)


def in_force(config: QuoterConfig, symbol: str) -> dict[str, Any]:
    """The value of each ``EDITABLE`` key for one symbol, its per-symbol override applied
    (None: automatic, i.e. estimated or sized from the minimum notional)."""
    over = config.per_symbol.get(symbol)
    return {
        key: getattr(over, key)
        if over is not None and getattr(over, key, None) is not None
        else getattr(config, key)
        for key in EDITABLE
    }


def build_setup(
    config: QuoterConfig, instrument: Instrument, previous: QuoterSetup | None = None
) -> QuoterSetup:
    """Raises ValueError naming the key when a size is off the lot grid or a value is invalid."""
    over = config.per_symbol.get(instrument.symbol)

    def pick(key: str) -> Any:
        return (
            getattr(over, key)
            if over is not None and getattr(over, key) is not None
            else getattr(config, key)
        )

    where = f"quoter (for {instrument.symbol})"
    order_lots = _lots(instrument, pick("order_size"), f"{where}.order_size")
    max_lots = _lots(instrument, pick("max_position"), f"{where}.max_position")
    if max_lots is None and order_lots is not None:
        max_lots = DEFAULT_MAX_POSITION_CLIPS * order_lots
    max_spread = pick("max_spread_ticks")
    base = {
        "model": config.model,
        "gamma": pick("gamma"),
        "min_spread_ticks": float(pick("min_spread_ticks")),
        "max_spread_ticks": float(max_spread) if max_spread is not None else math.inf,
        "levels": config.levels,
        "level_step_ticks": config.level_step_ticks,
        "post_only": config.post_only,
    }
    reuse = previous is not None and all(
        getattr(previous.config, key) == getattr(config, key) for key in _ESTIMATOR_KEYS
    )
    if reuse:
        assert previous is not None
        vol, bars, intensity = previous.vol, previous.bars, previous.intensity
    else:
        vol = VolatilityEstimators(
            config.bar_seconds, config.vol_window_bars, config.ewma_halflife_bars
        )
        bars = BarBuilder(config.bar_seconds, vol.on_bar)
        intensity = ArrivalIntensity(config.intensity_halflife_s)
        if previous is not None and previous.intensity._t_last is not None:
            intensity.start(previous.intensity._t_last)
    setup = QuoterSetup(
        config,
        instrument,
        base,
        pick("sigma"),
        pick("k"),
        pick("A"),
        order_lots,
        max_lots,
        vol,
        bars,
        intensity,
    )
    if previous is not None and order_lots is None and previous.order_lots is not None:
        setup.order_lots = previous.order_lots  # keep the size found from the min notional
        if max_lots is None:
            setup.max_position_lots = DEFAULT_MAX_POSITION_CLIPS * previous.order_lots
    setup.refresh_estimates(0, None)  # the caller refreshes again once it knows the mid
    return setup


def _lots(instrument: Instrument, qty: Decimal | None, key: str) -> int | None:
    if qty is None:
        return None
    try:
        lots = instrument.qty_to_lots(qty)
    except PrecisionError:
        raise ValueError(
            f"{key}: {qty} is not a multiple of the lot size {instrument.lot_size}"
        ) from None
    if lots > INT64_MAX:
        raise ValueError(
            f"{key}: {qty} is too large for {instrument.symbol} ({lots:,} lots of "
            f"{instrument.lot_size}; at most {INT64_MAX:,})"
        )
    step = instrument.qty_step_lots
    if lots % step:
        raise ValueError(
            f"{key}: {qty} is not a multiple of the venue's order step "
            f"{instrument.lot_size * step:f}"
        ) from None
    return lots
