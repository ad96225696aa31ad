"""Going back in a `replay --paper` with held (engine-emulated) orders (issue 16): the emulator
holds after the seek exactly what it held at the target: a held stop placed after the target is
gone (the market crossing its trigger sends nothing), one placed before that triggered after
is HELD again with its original trigger, and the question counts the held orders it discards."""

import asyncio

from tests.integration.test_replay_paper_rewind import S, paper_kernel, settle
from tradeterm.core import topics
from tradeterm.domain.commands import HoldOrder, SubmitOrder
from tradeterm.domain.held import HeldKind, HeldLeg, HeldState
from tradeterm.domain.market import Side

# the shipped recording's BTC/USDT last trade, in ticks: 6185536 at 30 s, at least as low as
# 6182537 before 60 s and 6180965 at 90 s; as low as 6174132 before 150 s
BEFORE_TRIGGER = 6_183_000  # a sell stop held at 30 s: triggers before 90 s
AFTER_TRIGGER = 6_177_000  # a sell stop held at 90 s: triggers before 150 s


def hold_stop(kernel, inst, trigger: int) -> str:
    held_id = kernel.next_order_id()
    leg = HeldLeg(Side.SELL, 10_000, HeldKind.STOP, trigger_price=trigger)
    result = kernel.desk.execute(HoldOrder(kernel.clock.timestamp_ns(), held_id, inst.id, leg))
    assert type(result).__name__ == "HeldPlaced", result
    return held_id


def test_seek_back_holds_exactly_the_held_orders_of_the_target():
    kernel = paper_kernel(None)
    replay = kernel.replay
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    emulator = kernel.desk.held.emulator
    start = replay.state.start_ns
    replay.pause()
    sent: list[str] = []
    kernel.bus.subscribe(
        topics.COMMAND,
        lambda c: sent.append(c.client_order_id) if type(c) is SubmitOrder else None,
    )

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 30 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        before = hold_stop(kernel, inst, BEFORE_TRIGGER)
        await asyncio.sleep(0.05)
        at_target = {h: (o.state, o.trigger_price) for h, o in emulator.book.records.items()}
        assert at_target == {before: (HeldState.HELD, BEFORE_TRIGGER)}

        assert replay.seek(start + 90 * S)  # forward, on the bus: the stop triggers
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert before in sent and before not in emulator.book  # sent, filled, done
        after = hold_stop(kernel, inst, AFTER_TRIGGER)
        await asyncio.sleep(0.05)

        assert not replay.seek(start + 30 * S)  # asks, counting the held order placed after
        assert " discards 1 order(s), 1 held order(s) and " in replay.state.message
        assert replay.seek(start + 30 * S, discard=True)
        held = {h: (o.state, o.trigger_price) for h, o in emulator.book.records.items()}
        assert held == at_target  # the one placed after is gone; the other HELD again
        assert set(kernel.views.held.orders) == {before}

        sent.clear()
        assert replay.seek(start + 150 * S)  # the market goes through both triggers
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert after not in sent  # discarded: nothing is sent for it
        assert sent == [before]  # held again: it triggers again, as the first time
        kernel.request_stop()
        await task

    asyncio.run(drive())
