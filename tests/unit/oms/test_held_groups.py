"""OCO and brackets: one cancels the other (Binance's rule: any fill of one leg cancels the
other), a triggered leg waits for the other's cancel and is sized to what it left; a bracket's
exits follow the entry's fills and never exceed them."""

from __future__ import annotations

from tests.held_harness import MID, bracket, held, legs, oco, place
from tests.trading_harness import BTC, Harness
from tradeterm.domain.commands import CancelOrder
from tradeterm.domain.held import HeldKind, HeldLeg, HeldState
from tradeterm.domain.market import Side

S = HeldState


async def started(**kw) -> Harness:
    h = Harness(**kw)
    await h.start()
    h.trade(BTC, MID)
    return h


def tp_sl(qty: int = 100) -> tuple[HeldLeg, HeldLeg]:
    return (
        HeldLeg(Side.SELL, qty, HeldKind.LIMIT, MID + 20),
        HeldLeg(Side.SELL, qty, HeldKind.STOP, None, MID - 20),
    )


async def test_an_oco_limit_leg_goes_out_at_once_and_a_partial_fill_cancels_the_stop():
    h = await started()
    parent = place(h, oco(h, *tp_sl()))
    leg = legs(h, parent)
    assert leg["first"].state is S.WORKING and leg["second"].state is S.HELD
    assert h.venue.sent[-1].client_order_id == leg["first"].held_id
    h.venue.fill(leg["first"].held_id, 30)
    assert leg["second"].state is S.CANCELED and leg["second"].reason.startswith("OCO")
    h.trade(BTC, MID - 30)
    assert len(h.venue.sent) == 1
    h.venue.fill(leg["first"].held_id, 70)
    assert parent.state is S.DONE


async def test_a_trigger_waits_for_the_other_legs_cancel_and_is_sized_to_what_it_left():
    h = await started()
    h.venue.ioc_fill = 1.0
    parent = place(h, oco(h, *tp_sl()))
    leg = legs(h, parent)
    h.venue.auto_ack = False
    h.trade(BTC, MID - 20)
    assert leg["second"].state is S.TRIGGERED
    assert h.venue.cancels == [leg["first"].held_id]
    h.venue.fill(leg["first"].held_id, 40)  # traded before the cancel took effect
    assert leg["second"].state is S.TRIGGERED and len(h.venue.sent) == 1
    h.venue.auto_ack = True
    h.venue.cancel_at_venue(leg["first"].held_id)
    sent = h.venue.sent[-1]
    assert sent.client_order_id == leg["second"].held_id and sent.qty == 60
    assert leg["first"].filled + leg["second"].filled == 100
    assert parent.state is S.DONE


async def test_cancelling_an_oco_leg_or_its_parent_cancels_both():
    h = await started()
    parent = place(h, oco(h, *tp_sl()))
    leg = legs(h, parent)
    h.desk.execute(CancelOrder(h.clock.timestamp_ns(), leg["second"].held_id, BTC.id))
    assert leg["second"].state is S.CANCELED and leg["first"].state is S.DONE
    assert parent.state is S.CANCELED and not h.views.held.orders


async def test_a_bracket_sizes_its_stop_to_the_entry_fills_and_sends_the_tp_when_it_ends():
    h = await started()
    parent = place(h, bracket(h, Side.BUY, 100, MID - 2, MID + 40, MID - 20))
    leg = legs(h, parent)
    entry, tp, sl = leg["entry"], leg["tp"], leg["sl"]
    assert entry.state is S.WORKING and tp.state is S.HELD and sl.qty == 0
    h.trade(BTC, MID - 25)  # an unarmed stop-loss: nothing filled yet
    assert sl.state is S.HELD and len(h.venue.sent) == 1
    h.venue.fill(entry.held_id, 40)
    assert sl.qty == 40 and tp.state is S.HELD
    h.venue.fill(entry.held_id, 60)
    assert entry.state is S.DONE and tp.state is S.WORKING and tp.qty == 100 and sl.qty == 100
    assert h.venue.sent[-1].price == MID + 40 and h.venue.sent[-1].side is Side.SELL
    h.venue.fill(tp.held_id, 10)
    assert sl.state is S.CANCELED
    h.venue.fill(tp.held_id, 90)
    assert parent.state is S.DONE


async def test_a_bracket_stop_loss_cancels_the_rest_of_the_entry_and_sells_what_filled():
    h = await started()
    h.venue.ioc_fill = 1.0
    parent = place(h, bracket(h, Side.BUY, 100, MID - 2, MID + 40, MID - 20))
    entry, tp, sl = (legs(h, parent)[r] for r in ("entry", "tp", "sl"))
    h.venue.fill(entry.held_id, 30)
    h.trade(BTC, MID - 20)
    assert entry.state is S.DONE and entry.filled == 30 and tp.state is S.CANCELED
    assert h.venue.sent[-1].client_order_id == sl.held_id and h.venue.sent[-1].qty == 30
    assert sl.filled == 30 and parent.state is S.DONE
    assert h.desk.portfolio.qty(BTC.id) == 0


async def test_a_bracket_whose_entry_ends_unfilled_cancels_its_exits():
    h = await started()
    parent = place(h, bracket(h, Side.SELL, 100, MID + 2, MID - 40, MID + 20))
    entry, tp, sl = (legs(h, parent)[r] for r in ("entry", "tp", "sl"))
    h.desk.execute(CancelOrder(h.clock.timestamp_ns(), entry.held_id, BTC.id))
    assert entry.state is S.DONE and entry.filled == 0
    assert tp.state is sl.state is S.CANCELED and tp.reason == sl.reason == "ENTRY_UNFILLED"
    assert held(h, parent.held_id).state is S.CANCELED


async def test_a_denied_entry_cancels_the_bracket():
    h = await started(risk={"instruments": {"BTC/USD": {"max_position": "0.005"}}})
    cmd = bracket(h, Side.BUY, 100, MID - 2, MID + 40, MID - 20)
    parent = place(h, cmd)
    assert held(h, cmd.entry_id).state is S.DENIED
    assert parent.state is S.CANCELED and not h.views.held.orders and not h.venue.sent
