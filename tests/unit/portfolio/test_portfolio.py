"""The account: marks (mid / last), equity, today's PnL, drawdown, the equity curve."""

from decimal import Decimal

from tests.trading_harness import BTC, ETH, MID, T0, Harness
from tradeterm.core.clock import NS
from tradeterm.domain.events import Liquidity, OrderFilled, PositionChanged
from tradeterm.domain.market import Side


def fill(inst, side, price, lots, fee="0.5", trade="t1"):
    return OrderFilled(
        0, 0, "c", inst.id, "v", trade, side, price, lots, Liquidity.TAKER, Decimal(fee), "USD", 0
    )


async def test_mid_mark_equity_and_position_events():
    h = Harness(portfolio={"starting_cash": "1000"})
    await h.start()
    pf = h.desk.portfolio
    pf.commit(pf.with_fill(fill(BTC, Side.BUY, MID, 1_000)), h.clock.timestamp_ns())
    row = h.views.portfolio.positions[BTC.id]
    assert row.qty == 1_000 and row.avg_price == Decimal("60000.000")
    assert row.unrealized == 0 and row.mark == Decimal("60000")
    h.book(BTC, MID + 198, MID + 202)  # mid + 100 USD
    pf.revalue(h.clock.timestamp_ns())
    row = h.views.portfolio.positions[BTC.id]
    assert row.unrealized == Decimal("10.00000")  # 0.1 BTC * 100 USD
    assert h.views.portfolio.equity == Decimal(1000) + Decimal(10) - Decimal("0.5")
    changed = h.of(PositionChanged)
    assert changed[-1].qty == 1_000 and changed[-1].avg_price == Decimal("60000.000")


async def test_mid_between_ticks_is_exact():
    h = Harness()
    await h.start()
    pf = h.desk.portfolio
    pf.commit(pf.with_fill(fill(ETH, Side.SELL, 60_000, 3, fee="0")), 0)
    h.book(ETH, 60_000, 60_001)  # mid at 3000.025
    assert pf.unrealized(ETH.id) == Decimal("-0.000075")


async def test_last_trade_mark():
    h = Harness(portfolio={"mark": "last"})
    await h.start()
    pf = h.desk.portfolio
    pf.commit(pf.with_fill(fill(BTC, Side.BUY, MID, 10_000, fee="0")), 0)
    h.trade(BTC, MID - 20)  # last trade 10 USD lower; the mid has not moved
    assert pf.unrealized(BTC.id) == Decimal("-10.00000")


async def test_day_pnl_drawdown_curve_and_a_new_day():
    h = Harness(portfolio={"starting_cash": "5000"}, start_ns=T0 + 86_390 * NS)
    await h.start()
    pf, view = h.desk.portfolio, h.views.portfolio
    pf.commit(pf.with_fill(fill(BTC, Side.BUY, MID, 10_000, fee="0")), h.clock.timestamp_ns())
    h.book(BTC, MID + 398, MID + 402)  # +1 BTC * 200 USD
    h.advance(1)
    assert view.day_pnl == Decimal(200) and view.peak_equity == Decimal(5200)
    h.book(BTC, MID - 2, MID + 2)
    h.advance(1)
    assert view.drawdown == Decimal(200) and view.day_pnl == 0
    assert len(view.equity_curve) >= 2
    h.advance(10)  # midnight UTC: the next day starts from the current equity
    assert view.day_pnl == 0 and view.drawdown == 0 and pf.day.start_equity == Decimal(5000)


async def test_day_reference_survives_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = Harness(url, portfolio={"starting_cash": "5000"})
    await h.start()
    pf = h.desk.portfolio
    pf.commit(pf.with_fill(fill(BTC, Side.BUY, MID, 10_000, fee="0")), h.clock.timestamp_ns())
    h.book(BTC, MID + 398, MID + 402)
    h.advance(6)
    h.desk.stop()
    h.store.close()
    again = Harness(url, portfolio={"starting_cash": "5000"})
    again.clock.advance_to(h.clock.timestamp_ns() + NS)
    await again.start()
    again.advance(1)  # book at the old mid: the day is 200 up from its start, then back
    assert again.desk.portfolio.day.peak_equity == Decimal(5200)
    assert again.views.portfolio.day_pnl == 0 and again.views.portfolio.drawdown == 200
