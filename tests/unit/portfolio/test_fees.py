"""Fees in the currency the venue charged them: a base-asset fee moves the base balance, a fee in
a third currency is kept and priced only when a rate is known, and all of it survives a
restart through the store."""

import logging
from decimal import Decimal

import pytest

from tradeterm.core.bus import MessageBus
from tradeterm.core.views import PortfolioView
from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.oms.store import Store
from tradeterm.portfolio.fees import Fees
from tradeterm.portfolio.portfolio import Portfolio
from tradeterm.portfolio.position import Position, apply_fill

# Binance spot's BTCUSDT order grid: a base-asset fee is a fraction of a lot
BTCUSDT = Instrument("fake", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"))
BNBUSDT = Instrument("fake", "BNB/USDT", "BNB", "USDT", Decimal("0.1"), Decimal("0.001"))
RATE = Decimal("0.001")


def fill(
    side: Side,
    qty: str,
    price: str,
    fee: str,
    currency: str,
    trade: str = "t",
    inst: Instrument = BTCUSDT,
) -> OrderFilled:
    return OrderFilled(
        0,
        0,
        "c",
        inst.id,
        "v",
        trade,
        side,
        inst.price_to_ticks(price),
        inst.qty_to_lots(qty),
        Liquidity.TAKER,
        Decimal(fee),
        currency,
        0,
    )


def binance_spot_fills() -> list[OrderFilled]:
    """15 fills as Binance spot charges them: a buy pays 0.1% of the BTC it receives, a sell
    0.1% of the USDT. The buys' BTC fees add up to 0.00000051."""
    out = []
    buys = ["0.00005", "0.00007", "0.00009", "0.00006", "0.00008", "0.00010", "0.00006"]
    sells = ["0.00020", "0.00025", "0.00015", "0.00030", "0.00020", "0.00025", "0.00015", "0.00020"]
    for i, qty in enumerate(buys):
        out.append(fill(Side.BUY, qty, "60000.10", f"{Decimal(qty) * RATE:f}", "BTC", f"b{i}"))
    for i, qty in enumerate(sells):
        value = Decimal(qty) * Decimal("60010.00")
        out.append(fill(Side.SELL, qty, "60010.00", f"{value * RATE:f}", "USDT", f"s{i}"))
    return out


def exchange_balance_changes(fills: list[OrderFilled]) -> tuple[Decimal, Decimal]:
    """What the exchange's BTC and USDT balances did, fill by fill."""
    btc = usdt = Decimal(0)
    for f in fills:
        qty, price = BTCUSDT.lots_to_qty(f.qty), BTCUSDT.ticks_to_price(f.price)
        btc += int(f.side) * qty - (f.fee if f.fee_currency == "BTC" else 0)
        usdt += -int(f.side) * qty * price - (f.fee if f.fee_currency == "USDT" else 0)
    return btc, usdt


def portfolio(*instruments: Instrument, **kw) -> Portfolio:
    return Portfolio(MessageBus(), {i.id: i for i in instruments}, PortfolioView(), {}, {}, **kw)


def test_base_asset_fees_move_the_base_balance_to_the_exchanges_figure():
    pf = portfolio(BTCUSDT)
    fills = binance_spot_fills()
    for f in fills:
        pf.commit(pf.with_fill(f), 0)
    pos = pf.position(BTCUSDT.id)
    btc, usdt = exchange_balance_changes(fills)
    assert btc == Decimal("-0.00119051")
    assert BTCUSDT.lots_to_qty(pos.qty) == Decimal("-0.00119")  # the lots position
    assert pos.balance(BTCUSDT) == btc  # the base balance, fees included
    assert pos.quote_flow(BTCUSDT) == usdt
    assert pos.paid == Fees(
        {"BTC": Decimal("0.00000051"), "USDT": sum((f.fee for f in fills[7:]), Decimal(0))}
    )
    # each BTC fee is valued at its own fill's price
    assert pos.fees == Decimal("0.00000051") * Decimal("60000.10") + pos.paid["USDT"]
    row = pf.view.positions[BTCUSDT.id]
    assert (row.balance, row.fees, dict(row.paid)) == (btc, pos.fees, dict(pos.paid))


def test_a_fee_in_a_third_currency_is_kept_and_left_out_of_equity_until_priced(caplog):
    pf = portfolio(BTCUSDT, starting_cash=Decimal(1000))
    with caplog.at_level(logging.WARNING, "tradeterm.portfolio"):
        pf.commit(pf.with_fill(fill(Side.BUY, "0.001", "60000", "0.0002", "BNB")), 0)
        pf.revalue(1)
    pos = pf.position(BTCUSDT.id)
    assert pos.paid == Fees({"BNB": Decimal("0.0002")}) and pos.fees == 0
    assert pos.balance(BTCUSDT) == Decimal("0.001")  # BNB is not taken from the BTC
    assert dict(pf.view.unpriced_fees) == {"BNB": Decimal("0.0002")}
    assert dict(pf.view.positions[BTCUSDT.id].unpriced) == {"BNB": Decimal("0.0002")}
    assert pf.view.fees == 0 and pf.view.equity == 1000
    warnings = [r.getMessage() for r in caplog.records if "BNB" in r.getMessage()]
    assert len(warnings) == 1 and "left out of equity" in warnings[0]


def test_a_third_currency_fee_is_priced_at_the_mark_of_its_instrument():
    books: dict = {}
    view = PortfolioView()
    pf = Portfolio(
        MessageBus(),
        {i.id: i for i in (BTCUSDT, BNBUSDT)},
        view,
        books,
        {},
        starting_cash=Decimal(1000),
    )
    pf.commit(pf.with_fill(fill(Side.BUY, "0.001", "60000", "0.0002", "BNB")), 0)
    assert dict(view.unpriced_fees) == {"BNB": Decimal("0.0002")}  # no BNB market yet

    class Book:
        best_bid, best_ask = 6000, 6002  # BNB/USDT 600.0 / 600.2: mid 600.1

    books[BNBUSDT.id] = Book()
    pf.revalue(1)
    assert dict(view.unpriced_fees) == {}
    assert view.fees == Decimal("0.0002") * Decimal("600.1")
    assert view.equity == Decimal(1000) - Decimal("0.0002") * Decimal("600.1")


def test_closable_lots_leave_the_dust_a_base_fee_made():
    pos = Position(BTCUSDT.id)
    for f in [
        fill(Side.BUY, "0.0001", "60000", "0.0000001", "BTC", "a"),
        fill(Side.BUY, "0.0001", "60000", "0.0000001", "BTC", "b"),
    ]:
        pos = apply_fill(pos, BTCUSDT, f)
    assert pos.qty == 20 and pos.balance(BTCUSDT) == Decimal("0.0001998")
    assert pos.closable_lots(BTCUSDT) == 19  # 0.00019 BTC can be sold, 0.0000098 is dust
    short = apply_fill(
        Position(BTCUSDT.id), BTCUSDT, fill(Side.SELL, "0.0002", "60000", "0.012", "USDT")
    )
    assert short.closable_lots(BTCUSDT) == -20
    rebated = apply_fill(
        Position(BTCUSDT.id), BTCUSDT, fill(Side.BUY, "0.0002", "60000", "-0.0000001", "BTC")
    )
    assert rebated.closable_lots(BTCUSDT) == 20  # never more than the position
    stepped = Instrument(
        "fake",
        "BTC/USDT",
        "BTC",
        "USDT",
        Decimal("0.01"),
        Decimal("0.00000001"),
        qty_step_lots=1000,
    )  # Binance: lot 1e-8, order step 0.00001
    long_ = apply_fill(
        Position(stepped.id),
        stepped,
        fill(Side.BUY, "0.00012", "60000", "0.00000012", "BTC", inst=stepped),
    )
    assert long_.closable_lots(stepped) == 11_000  # 0.00011988 held: 0.00011 on the step
    short = apply_fill(
        Position(stepped.id),
        stepped,
        fill(Side.SELL, "0.00012", "60000", "0.0072", "USDT", inst=stepped),
    )
    assert short.closable_lots(stepped) == -12_000
    dust = apply_fill(
        long_, stepped, fill(Side.SELL, "0.00011", "60000", "0", "USDT", inst=stepped)
    )
    assert dust.qty == 1_000 and dust.closable_lots(stepped) == 0  # 0.00000988 BTC: dust


def test_an_unnamed_fee_currency_is_the_quote_currency():
    pos = apply_fill(Position(BTCUSDT.id), BTCUSDT, fill(Side.BUY, "0.001", "60000", "0.06", ""))
    assert pos.paid == Fees({"USDT": Decimal("0.06")}) and pos.fees == Decimal("0.06")


def test_fees_per_currency_survive_the_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store(url)
    pos = Position(BTCUSDT.id)
    for i, f in enumerate(
        [*binance_spot_fills(), fill(Side.BUY, "0.001", "60000", "0.0002", "BNB", "n")]
    ):
        pos = apply_fill(pos, BTCUSDT, f)
        assert store.record_fill(
            "fake",
            OrderFilled(
                i,
                i,
                f.client_order_id,
                f.instrument,
                f.venue_order_id,
                f"{f.trade_id}{i}",
                f.side,
                f.price,
                f.qty,
                f.liquidity,
                f.fee,
                f.fee_currency,
                0,
            ),
            None,
            pos,
        )
    store.close()
    again = Store(url)
    assert again.load_positions() == [pos]
    assert again.load_positions()[0].paid == pos.paid and len(pos.paid) == 3
    again.close()


@pytest.mark.parametrize("text", ["[]", '{"BTC": 1}', '{"BTC": "x"}', '{"BTC": "NaN"}', "{"])
def test_unreadable_fees_text_is_a_clear_error(text):
    with pytest.raises(ValueError, match="fees per currency .* are not readable"):
        Fees.from_text(text)


def test_fees_are_exact_and_drop_currencies_that_net_to_zero():
    fees = Fees().plus("BTC", Decimal("0.00000001")).plus("USDT", Decimal("0.5"))
    fees = fees.plus("BTC", Decimal("-0.00000001"))
    assert fees == Fees({"USDT": Decimal("0.50")})
    assert hash(fees) == hash(Fees({"USDT": Decimal("0.5")}))
    assert Fees.from_text(fees.to_text()) == fees and fees.to_text() == '{"USDT":"0.5"}'


async def test_flatten_sells_the_base_balance_not_the_lots_a_base_fee_took():
    from tests.trading_harness import BTC, MID, Harness

    h = Harness(risk={"duplicate_window_ms": 0})
    await h.start()
    order = h.submit(Side.BUY, 300, MID - 2)  # 0.03 BTC; the venue keeps 0.00003 BTC as fee
    h.venue.fill(order.client_order_id, 300, fee="0.00003", fee_currency="BTC")
    pos = h.desk.portfolio.position(BTC.id)
    assert pos.qty == 300 and pos.balance(BTC) == Decimal("0.02997")  # 299.7 lots held
    h.venue.ioc_fill = 1.0
    h.desk.kill.trip("flatten everything", "cli", flatten=True)
    assert [(o.side, o.qty) for o in h.venue.sent if o.source == "flatten"] == [(Side.SELL, 299)]
    h.advance(0.6)
    assert h.desk.flattener.result == "flat"  # 0.7 lot of dust is no order
    assert h.desk.portfolio.position(BTC.id).balance(BTC) == Decimal("0.00007")
