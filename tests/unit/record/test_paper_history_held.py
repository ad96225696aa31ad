"""A ``--paper`` replay's history of its held orders (``PaperHistory.note_held``): what a seek
back discards of them and what the emulator holds again (``held_at``)."""

from dataclasses import replace

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import SimClock
from tradeterm.domain.held import HeldKind, HeldOrder, HeldState
from tradeterm.domain.market import Side
from tradeterm.record.paper_branch import PaperHistory, held_at

X = "sim:X"


def history() -> tuple[PaperHistory, list[int], SimClock]:
    standing = [0]
    clock = SimClock(1_000)
    return PaperHistory(MessageBus(), clock, ["sim"], lambda: standing[0]), standing, clock


def stop(held_id: str, trigger: int, **kw) -> HeldOrder:
    return HeldOrder(held_id, X, HeldKind.STOP, Side.SELL, 5, trigger_price=trigger, **kw)


def test_the_target_keeps_its_held_orders_as_they_were_and_discards_the_later_ones():
    h, standing, _clock = history()
    a = stop("a", 100, ts_created=1)
    h.note_held(a, False)
    trail = HeldOrder("t", X, HeldKind.TRAIL, Side.SELL, 5, trigger_price=90, trail=10)
    h.note_held(trail, False)
    trail.trigger_price, trail.extreme = 95, 105
    h.note_held(trail, True)  # its ratchet before the target
    oco = HeldOrder("o", X, HeldKind.OCO, Side.SELL, 5, ts_created=2)
    legs = [stop("o1", 80, parent_id="o", role="first"), stop("o2", 70, parent_id="o")]
    h.note_held(oco, False)
    for leg in legs:
        h.note_held(leg, False)
    standing[0] = 11  # record 10 played: after the target (before record 10)
    a.state = HeldState.TRIGGERED  # after it: a triggers, o1 is cancelled, b is placed
    h.note_held(a, False)
    legs[0].state = HeldState.CANCELED
    h.note_held(legs[0], False)
    h.note_held(stop("b", 60), False)
    h.note_held(replace(trail, trigger_price=99, extreme=109), True)

    gone = h.discards(10, 1_000)
    assert gone is not None and (gone.held, gone.orders, gone.fills) == (1, 0, 0)
    assert " 1 held order(s) " in gone.question(2_000, 0)
    held = {x.held_id: x for x in held_at(h.cut(10, 1_000))}
    assert set(held) == {"a", "t", "o", "o1", "o2"}  # b is gone
    assert held["a"].state is HeldState.HELD and held["a"].trigger_price == 100
    assert held["o1"].state is HeldState.HELD  # held again, as at the target
    assert (held["t"].trigger_price, held["t"].extreme) == (95, 105)  # the ratchet of then


def test_a_ratchet_alone_after_the_target_asks_nothing_and_a_finished_group_is_not_held():
    h, standing, _clock = history()
    done = stop("d", 100)
    h.note_held(done, False)
    done.state = HeldState.DONE
    h.note_held(done, False)
    standing[0] = 11
    h.note_held(HeldOrder("t", X, HeldKind.TRAIL, Side.SELL, 5, trail=10), True)
    assert h.discards(10, 1_000) is None
    assert held_at(h.cut(10, 1_000)) == []
