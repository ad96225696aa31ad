"""The quoter's wiring for the kernel: one ``Quoter`` per quoted instrument, its gateway bound
to the trading desk (``QuoterGateway``, the desk's side of ``quoter/gateway.py``), its view in
``views.quoters``; switching and re-parametrising them while running; their lines in the
headless summary. A composition helper like ``desk.py``: components never import it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tradeterm.config import ConfigError, QuoterConfig, QuoterOverrides, Settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import EngineViews
from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import OrderStatus
from tradeterm.quoter.component import Quoter
from tradeterm.quoter.settings import build_setup
from tradeterm.risk import codes
from tradeterm.trading.desk import TradingDesk
from tradeterm.trading.results import RequestRefused, RequestSent

MODELS = ("glft", "avellaneda_stoikov")

# denials the quoter can know beforehand: it holds the order back instead (quoter/sender.py)
AVOIDABLE = frozenset(
    {codes.DUPLICATE_ORDER, codes.MIN_NOTIONAL, codes.QTY_STEP, codes.PRICE_BAND, codes.SELF_CROSS}
)


class QuoterGateway:
    """The quoter's ``OrderGateway`` bound to the desk: every request goes through ``execute``
    (risk for submits and modifies, the OMS, the ``command`` topic for the record). A denial
    comes back to the quoter as the ``OrderDenied`` the desk publishes on the risk topic;
    ``screen`` lets the quoter hold back what would be denied for a reason it can know.

    A modify on a venue without native modify would be a cancel-replace whose replacement the
    quoter does not know; here it is a plain cancel instead (the quoter sees ``OrderCanceled``
    and quotes that level afresh). ``cancel``/``modify`` return False when the OMS has no such
    working order any more, so the quoter forgets it.
    """

    def __init__(self, desk: TradingDesk) -> None:
        self.desk = desk

    def screen(self, command: SubmitOrder | ModifyOrder) -> tuple[str, str] | None:
        """Risk's verdict now, with its own clock and state, when it is one the quoter should
        avoid rather than earn (``AVOIDABLE``); changes nothing."""
        risk = self.desk.risk
        if isinstance(command, ModifyOrder):
            order = self.desk.oms.working.get(command.client_order_id)
            if order is None:
                return None
            command = risk.modify_probe(order, command)
        verdict = risk.check(command, commit=False)
        return verdict if verdict is not None and verdict[0] in AVOIDABLE else None

    def submit(self, command: SubmitOrder) -> None:
        self.desk.execute(command)

    def cancel(self, command: CancelOrder) -> bool:
        match self.desk.execute(command):
            case RequestSent():
                return True
            case RequestRefused():
                return command.client_order_id in self.desk.oms.working

    def modify(self, command: ModifyOrder) -> bool:
        oms = self.desk.oms
        result = self.desk.execute(command)
        order = oms.working.get(command.client_order_id)
        match result:
            case RequestSent() if (
                order is not None and order.status is OrderStatus.PENDING_CANCEL
            ):  # cancel-replace: a cancel
                oms.drop_replacement(command.client_order_id)
                return True
            case RequestRefused():
                return order is not None
            case _:  # sent, or denied (the quoter hears of the denial on the risk topic)
                return True


def build_quoters(
    settings: Settings,
    choice: str | None,
    bus: MessageBus,
    clock: Clock,
    instruments: dict[str, Instrument],
    views: EngineViews,
    desk: TradingDesk,
) -> dict[str, Quoter]:
    """``--quoter [MODEL]`` (choice "on" or a model) or ``[quoter] enabled``: quoters for
    ``[quoter] symbols`` (all if empty), quoting from the start. Raises ConfigError."""
    cfg = settings.quoter
    if choice is None and not cfg.enabled:
        return {}
    if choice not in (None, "on", *MODELS):
        raise ConfigError(f"unknown quoter {choice!r}: use glft, avellaneda_stoikov or placeholder")
    update: dict[str, Any] = {"enabled": True}
    if choice in MODELS:
        update["model"] = choice
    cfg = cfg.model_copy(update=update)
    by_symbol = {inst.symbol.upper(): inst for inst in instruments.values()}
    wanted = [s.upper() for s in cfg.symbols] or list(by_symbol)
    unknown = [s for s in wanted if s not in by_symbol]
    if unknown:
        raise ConfigError(
            f"quoter.symbols: {', '.join(unknown)} not traded in this session "
            f"(available: {', '.join(i.symbol for i in by_symbol.values())})"
        )
    gateway = QuoterGateway(desk)
    quoters: dict[str, Quoter] = {}
    for symbol in wanted:
        inst = by_symbol[symbol]
        try:
            quoter = Quoter(
                bus,
                clock,
                inst,
                views.books[inst.id],
                views.status,
                gateway,
                cfg,
                position=desk.portfolio.qty,
            )
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        quoters[inst.id] = quoter
        views.quoters[inst.id] = quoter.view
    return quoters


def pick(quoters: dict[str, Quoter], instrument: str | None) -> list[Quoter]:
    """All quoters, or the one of an instrument id or symbol (ValueError if none)."""
    if instrument is None:
        return list(quoters.values())
    for iid, quoter in quoters.items():
        if instrument in (iid, quoter.instrument.symbol):
            return [quoter]
    quoting = ", ".join(q.instrument.symbol for q in quoters.values()) or "none"
    raise ValueError(f"no quoter for {instrument!r}; quoting: {quoting}")


def switch(quoters: dict[str, Quoter], on: bool, instrument: str | None) -> int:
    chosen = pick(quoters, instrument)
    for quoter in chosen:
        quoter.enable() if on else quoter.disable()
    return len(chosen)


def update(quoters: dict[str, Quoter], instrument: str | None, **changes: Any) -> None:
    """All or nothing: every chosen quoter's new config is validated before any changes.

    A key the symbol overrides (``[quoter.per_symbol."X"]``) is changed in its override, else
    the change would be silently shadowed. Raises ValueError naming each bad key and why."""
    chosen = pick(quoters, instrument)
    planned = []
    for quoter in chosen:
        mine = for_symbol(quoter.setup.config, quoter.instrument.symbol, changes)
        try:
            config = QuoterConfig.model_validate(quoter.setup.config.model_dump() | mine)
        except ValidationError as exc:
            raise ValueError(readable(exc)) from None
        build_setup(config, quoter.instrument)  # sizes on the lot grid (ValueError if not)
        planned.append((quoter, mine))
    for quoter, mine in planned:
        quoter.update_config(**mine)


def for_symbol(config: QuoterConfig, symbol: str, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes``, with the keys ``symbol`` overrides moved into its per-symbol table."""
    over = config.per_symbol.get(symbol)
    if over is None:
        return changes
    shadowed = {
        k: v
        for k, v in changes.items()
        if k in QuoterOverrides.model_fields and getattr(over, k) is not None
    }
    if not shadowed:
        return changes
    per_symbol = {s: o.model_dump() for s, o in config.per_symbol.items()}
    per_symbol[symbol] |= shadowed
    return {k: v for k, v in changes.items() if k not in shadowed} | {"per_symbol": per_symbol}


def readable(exc: ValidationError) -> str:
    """One line per bad key: ``gamma: Input should be greater than 0``."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()
    )


def summary(quoters: dict[str, Quoter]) -> dict[str, Any]:
    """Per symbol: state, model, inventory, limit, counters and estimates (deterministic)."""
    out = {}
    for quoter in quoters.values():
        v, inst = quoter.view, quoter.instrument
        out[inst.symbol] = {
            "state": v.state,
            "reason": v.reason,
            "model": v.model,
            "gamma": v.gamma,
            "inventory": str(inst.lots_to_qty(v.inventory)),
            "max_position": str(inst.lots_to_qty(v.max_position_lots)),
            "submits": v.submits,
            "modifies": v.modifies,
            "cancels": v.cancels,
            "fills": v.fills,
            "rejects": v.rejects,
            "sigma": v.sigma,
            "k": v.k,
            "A": v.A,
        }
    return out
