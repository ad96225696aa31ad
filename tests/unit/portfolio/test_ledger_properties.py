"""Property test of the ledger: any stream of fills with fees in the quote currency, the base
asset, a third currency or unnamed, checked against a reference computed separately with exact
fractions. After every fill: the lots position is the signed sum; the base balance is that less
the base-asset fees; the quote flow is the cash flow less quote fees; fees per currency are the
sums charged; the valued fees are quote fees plus base fees at their fills' prices; PnL at any
mark is cash + position x mark - fees (a third currency at its rate, or listed unpriced); what
flatten may close never exceeds the balance nor leaves the order step; and the store gives back
the same position."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.oms.store import Store
from tradeterm.portfolio.fees import Fees
from tradeterm.portfolio.position import Position, apply_fill
from tradeterm.portfolio.valuation import figures

INSTS = [
    Instrument("t", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001")),
    Instrument("t", "ETH/USDT", "ETH", "USDT", Decimal("0.5"), Decimal("0.001"), qty_step_lots=10),
]

fee_amount = st.builds(
    lambda n, e: Decimal(n).scaleb(-e), st.integers(-50, 10**6), st.integers(0, 12)
)
a_fill = st.tuples(
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(1, 10**6),
    st.integers(1, 500),
    st.sampled_from(["quote", "base", "BNB", ""]),
    fee_amount,
)


def D(x: Fraction) -> Decimal:
    return Decimal(x.numerator) / Decimal(x.denominator)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(INSTS),
    st.lists(a_fill, min_size=1, max_size=40),
    st.integers(1, 10**6),
    st.one_of(st.none(), st.integers(1, 10**5)),
)
def test_fills_with_any_fee_currency_reconcile_exactly(inst, fills, mark_ticks, bnb_cents):
    pos = Position(inst.id)
    lots = 0
    cash = Fraction(0)  # quote, from prices alone
    paid: dict[str, Fraction] = {}
    valued = Fraction(0)
    tick, lot = Fraction(inst.tick_size), Fraction(inst.lot_size)
    for i, (side, price, qty, which, fee) in enumerate(fills):
        currency = {"quote": inst.quote, "base": inst.base}.get(which, which)
        pos = apply_fill(
            pos,
            inst,
            OrderFilled(
                i, i, "c", inst.id, "v", str(i), side, price, qty, Liquidity.TAKER, fee, currency, 0
            ),
        )
        named = currency or inst.quote
        lots += int(side) * qty
        cash -= int(side) * price * qty * tick * lot
        paid[named] = paid.get(named, Fraction(0)) + Fraction(fee)
        if named == inst.quote:
            valued += Fraction(fee)
        elif named == inst.base:
            valued += Fraction(fee) * price * tick
        assert pos.qty == lots
        assert Fraction(pos.balance(inst)) == lots * lot - paid.get(inst.base, 0)
        assert Fraction(pos.quote_flow(inst)) == cash - paid.get(inst.quote, 0)
        assert Fraction(pos.fees) == valued
        assert pos.paid == Fees({c: D(a) for c, a in paid.items()})
    rate = None if bnb_cents is None else Decimal(bnb_cents).scaleb(-2)
    f = figures(pos, inst, 2 * mark_ticks, lambda c, q: rate if c == "BNB" else None)
    bnb = paid.get("BNB", Fraction(0))
    expected = cash + lots * lot * mark_ticks * tick - valued
    if rate is not None:
        expected -= bnb * Fraction(rate)
        assert not f.unpriced
    else:
        assert f.unpriced == (Fees({"BNB": D(bnb)}) if bnb else Fees())
    assert Fraction(f.pnl) == expected
    assert f.pnl == f.realized + f.unrealized - f.fees
    closable = pos.closable_lots(inst)
    assert closable % inst.qty_step_lots == 0
    if pos.qty > 0:
        assert 0 <= closable <= pos.qty and closable * inst.lot_size <= max(pos.balance(inst), 0)
        assert (
            pos.balance(inst) - closable * inst.lot_size < inst.qty_step_lots * inst.lot_size
            or closable == pos.qty - pos.qty % inst.qty_step_lots
        )
    else:
        assert pos.qty <= closable <= 0 and pos.qty - closable > -inst.qty_step_lots
    assert Fees.from_text(pos.paid.to_text()) == pos.paid
    store = Store("sqlite://")
    assert store.record_fill(
        "t",
        OrderFilled(
            0, 0, "c", inst.id, "v", "x", Side.BUY, 1, 1, Liquidity.TAKER, Decimal(0), "", 0
        ),
        None,
        pos,
    )
    assert store.load_positions() == [pos]
    store.close()
