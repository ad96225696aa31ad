"""The quoting model: one pure function from (market state, parameters) to desired quotes.

``compute_quotes`` is the only place where quotes are computed. The live quoter calls it with
plain numbers for one instrument; the study (``quoter/study.py``) calls it with numpy arrays, one
element per simulated path. The arithmetic is written once against a tiny backend (``_Scalar`` or
``_Vector``), so the two callers run the same formulas, the same rounding and the same limits.

Units (the live quoter's; the study uses the same with its own tick):

* prices in **ticks** of the instrument (floats inside the model, integers out);
* time in **seconds**; ``sigma`` in ticks per sqrt(second);
* ``k`` and ``gamma`` in 1/tick; ``A`` in fills per second per side at zero distance;
* inventory in **lots**; inside the formulas ``q`` is the inventory in *clips* (inventory divided
  by the order size), because the models count inventory in units of the quoted size.

Models (``QuoteParams.model``):

``avellaneda_stoikov``
    Avellaneda, M. & Stoikov, S. (2008), "High-frequency trading in a limit order book",
    Quantitative Finance 8(3), 217-224, eqs. (29)-(30): reservation price
    ``r = s - q * gamma * sigma^2 * (T - t)`` and total spread
    ``delta = gamma * sigma^2 * (T - t) + (2 / gamma) * ln(1 + gamma / k)``, quotes
    ``r -/+ delta/2``.
    Needs a horizon: ``MarketState.time_left_s`` is ``T - t``.

``glft``
    Gueant, O., Lehalle, C.-A. & Fernandez-Tapia, J. (2013), "Dealing with the inventory risk: a
    solution to the market making problem", Mathematics and Financial Economics 7(4), 477-507
    (arXiv:1105.3115), the closed-form asymptotic (T -> infinity) approximation of section 4, with
    no market impact (xi = 0)::

        delta_b(q) = (1/gamma) ln(1 + gamma/k) + (2q + 1)/2 * c
        delta_a(q) = (1/gamma) ln(1 + gamma/k) - (2q - 1)/2 * c
        c = sqrt( sigma^2 gamma / (2 k A) * (1 + gamma/k)^(1 + k/gamma) )

    i.e. reservation price ``r = s - q * c`` and total spread ``2/gamma ln(1 + gamma/k) + c``.
    No horizon: it suits markets that never close. The paper solves the problem with an
    inventory bound Q (no bid at q = Q, no ask at q = -Q); here the bound is
    ``max_position_lots``, applied to the sizes as for every model.

``symmetric``
    A fixed total spread ``symmetric_spread_ticks`` centred on the fair price, whatever the
    inventory: the benchmark strategy of the study.

Then, for every model, in this order: the spread is clamped to ``[min_spread_ticks,
max_spread_ticks]`` (never below one tick); the bid is rounded **down** and the ask **up** to the
tick grid (rounding only ever widens); the sizes are cut so that a fill can never take the
position past ``max_position_lots`` (a side with no room is not quoted: size 0); with
``post_only`` and a known opposite best price, a quote that would cross is moved back to one tick
inside it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

MODELS = ("avellaneda_stoikov", "glft", "symmetric")
ROUNDING_EPS = 1e-9  # ticks: 99.9999999999 is 100 on the grid, not 99


@dataclass(frozen=True, slots=True)
class QuoteParams:
    """Everything the model needs besides the market state. Validated on construction."""

    model: str = "glft"
    gamma: float = 0.1  # risk aversion, 1/tick
    sigma: float = 1.0  # fair-price volatility, ticks / sqrt(s)
    k: float = 1.5  # intensity decay, 1/tick
    A: float = 1.0  # arrival intensity at zero distance, 1/s per side
    order_lots: int = 1  # size of one quote (one "clip")
    max_position_lots: float = math.inf  # |position| a fill may never exceed
    min_spread_ticks: float = 1.0
    max_spread_ticks: float = math.inf
    symmetric_spread_ticks: float = 0.0  # model "symmetric" only
    levels: int = 1  # quotes per side (see ``ladder``)
    level_step_ticks: int = 1  # distance between levels
    post_only: bool = True
    lot_step: int = 1  # the venue takes order sizes in multiples of this many lots
    min_notional: int = 0  # ticks x lots: a quote worth less is not sent (the venue's minimum)

    def __post_init__(self) -> None:
        problems = []
        if self.model not in MODELS:
            problems.append(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.model != "symmetric":
            if not self.gamma > 0:
                problems.append(f"gamma must be > 0, got {self.gamma}")
            if not self.k > 0:
                problems.append(f"k must be > 0, got {self.k}")
            if not self.sigma >= 0:
                problems.append(f"sigma must be >= 0, got {self.sigma}")
        if self.model == "glft" and not self.A > 0:
            problems.append(f"A must be > 0, got {self.A}")
        if self.model == "symmetric" and not self.symmetric_spread_ticks > 0:
            problems.append("model 'symmetric' needs symmetric_spread_ticks > 0")
        if self.order_lots < 1:
            problems.append(f"order_lots must be >= 1, got {self.order_lots}")
        if self.lot_step < 1 or self.order_lots % self.lot_step:
            problems.append(
                f"order_lots ({self.order_lots}) must be a multiple of the venue's "
                f"lot step ({self.lot_step})"
            )
        if not self.max_position_lots >= 0:
            problems.append(f"max_position_lots must be >= 0, got {self.max_position_lots}")
        if not 0 <= self.min_spread_ticks <= self.max_spread_ticks:
            problems.append("need 0 <= min_spread_ticks <= max_spread_ticks")
        if self.levels < 1 or self.level_step_ticks < 1:
            problems.append("levels and level_step_ticks must be >= 1")
        if self.min_notional < 0:
            problems.append(f"min_notional must be >= 0, got {self.min_notional}")
        if problems:
            raise ValueError("; ".join(problems))


@dataclass(slots=True)
class MarketState:
    """What the model sees of the market. Scalars for the live quoter, arrays for the study."""

    fair: Any  # fair price in ticks (mid, micro-price or VAMP), float or array
    inventory: Any  # signed position in lots, number or array
    time_left_s: float = 0.0  # T - t, avellaneda_stoikov only
    best_bid: int | None = None  # for post-only: the market's best bid, ticks
    best_ask: int | None = None


@dataclass(slots=True)
class DesiredQuotes:
    """The model's answer. ``bid_lots``/``ask_lots`` of 0 mean: do not quote that side."""

    reservation: Any  # ticks (float): the price the quotes are centred on
    spread: Any  # ticks (float): model spread after the min/max clamp, before rounding
    bid: Any  # ticks (int): best bid to quote
    ask: Any  # ticks (int)
    bid_lots: Any  # lots (int)
    ask_lots: Any


def reservation_and_spread(
    q: Any, sigma: float, time_left_s: float, params: QuoteParams, fair: Any
) -> tuple[Any, Any]:
    """(reservation price, total spread) in ticks for inventory ``q`` in clips. Pure formulas."""
    model = params.model
    if model == "symmetric":
        return fair, params.symmetric_spread_ticks + 0.0 * fair
    gamma, k = params.gamma, params.k
    arrival_term = math.log1p(gamma / k) / gamma  # (1/gamma) ln(1 + gamma/k)
    if model == "avellaneda_stoikov":
        risk = gamma * sigma * sigma * max(time_left_s, 0.0)
        return fair - q * risk, risk + 2.0 * arrival_term + 0.0 * q
    skew = glft_skew(gamma, sigma, k, params.A)
    return fair - q * skew, 2.0 * arrival_term + skew + 0.0 * q


def glft_skew(gamma: float, sigma: float, k: float, A: float) -> float:
    """The GLFT inventory term c = sqrt(sigma^2 gamma / (2kA) * (1 + gamma/k)^(1 + k/gamma))."""
    log_power = (1.0 + k / gamma) * math.log1p(gamma / k)  # stable for tiny gamma/k
    return math.sqrt(sigma * sigma * gamma / (2.0 * k * A) * math.exp(log_power))


def compute_quotes(
    state: MarketState,
    params: QuoteParams,
    sigma: float | None = None,
) -> DesiredQuotes:
    """Desired best bid/ask (ticks) and sizes (lots) for ``state`` under ``params``.

    ``sigma`` overrides ``params.sigma`` (the live quoter passes its current estimate without
    rebuilding the parameters). Works element-wise when ``state.fair``/``state.inventory`` are
    numpy arrays.
    """
    xp = _backend(state.fair, state.inventory)
    q = state.inventory / params.order_lots
    r, spread = reservation_and_spread(
        q, params.sigma if sigma is None else sigma, state.time_left_s, params, state.fair
    )
    spread = xp.clip(spread, max(params.min_spread_ticks, 1.0), params.max_spread_ticks)
    half = spread / 2.0
    bid = xp.floor(r - half + ROUNDING_EPS)
    ask = xp.ceil(r + half - ROUNDING_EPS)
    if params.post_only:
        if state.best_ask is not None:
            bid = xp.minimum(bid, state.best_ask - 1)
        if state.best_bid is not None:
            ask = xp.maximum(ask, state.best_bid + 1)
    room_long = params.max_position_lots - state.inventory  # what a bid fill may add
    room_short = params.max_position_lots + state.inventory  # what an ask fill may add short
    bid_lots = xp.to_int(xp.clip(room_long, 0, params.order_lots))
    ask_lots = xp.to_int(xp.clip(room_short, 0, params.order_lots))
    if params.lot_step > 1:  # room under the limit may be off the venue's grid: round down
        bid_lots = bid_lots - bid_lots % params.lot_step
        ask_lots = ask_lots - ask_lots % params.lot_step
    return DesiredQuotes(r, spread, bid, ask, bid_lots, ask_lots)


def ladder(
    quotes: DesiredQuotes,
    params: QuoteParams,
    inventory: int,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """One instrument's quotes as ``params.levels`` per side: (price ticks, lots), best first.

    Level i sits ``i * level_step_ticks`` behind the best quote. The room left under
    ``max_position_lots`` is shared out level by level, so even if every level of a side filled,
    the position would not pass the limit; levels with no room are dropped, and so are levels
    worth less than ``min_notional`` (the venue's minimum order value: risk would deny them).
    """
    step = params.level_step_ticks
    bids: list[tuple[int, int]] = []
    asks: list[tuple[int, int]] = []
    room_long = params.max_position_lots - inventory
    room_short = params.max_position_lots + inventory
    grid, least = params.lot_step, params.min_notional
    for i in range(params.levels):
        lots = int(min(params.order_lots, max(room_long, 0)))
        lots -= lots % grid
        price = int(quotes.bid) - i * step
        if lots > 0 and lots * price >= least:
            bids.append((price, lots))
            room_long -= lots
        lots = int(min(params.order_lots, max(room_short, 0)))
        lots -= lots % grid
        price = int(quotes.ask) + i * step
        if lots > 0 and lots * price >= least:
            asks.append((price, lots))
            room_short -= lots
    return bids, asks


# --- the two backends: plain floats, or numpy arrays for many paths at once -----------------
class _Scalar:
    @staticmethod
    def floor(x: float) -> int:
        return math.floor(x)

    @staticmethod
    def ceil(x: float) -> int:
        return math.ceil(x)

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return a if a < b else b

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return a if a > b else b

    @staticmethod
    def clip(x: Any, lo: float, hi: float) -> Any:
        return lo if x < lo else hi if x > hi else x

    @staticmethod
    def to_int(x: Any) -> int:
        return int(x)


class _Vector:
    def __init__(self, np: Any) -> None:
        self.np = np

    def floor(self, x: Any) -> Any:
        return self.np.floor(x).astype(self.np.int64)

    def ceil(self, x: Any) -> Any:
        return self.np.ceil(x).astype(self.np.int64)

    def minimum(self, a: Any, b: Any) -> Any:
        return self.np.minimum(a, b)

    def maximum(self, a: Any, b: Any) -> Any:
        return self.np.maximum(a, b)

    def clip(self, x: Any, lo: float, hi: float) -> Any:
        return self.np.clip(x, lo, hi)

    def to_int(self, x: Any) -> Any:
        return self.np.asarray(x).astype(self.np.int64)


_SCALAR = _Scalar()


def _backend(*values: Any) -> Any:
    """numpy only when the caller already passes arrays (the engine never imports numpy here)."""
    np = sys.modules.get("numpy")
    if np is not None:
        array = np.ndarray
        for value in values:
            if isinstance(value, array):
                return _Vector(np)
    return _SCALAR
