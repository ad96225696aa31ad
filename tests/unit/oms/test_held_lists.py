"""Which held OCOs a venue's order list can take (``held_lists.fits_a_list``): a limit leg and a
stop (or stop-limit) leg of one side and one quantity; anything else stays the emulator's."""

import pytest

from tradeterm.domain.held import HeldKind, HeldOrder
from tradeterm.domain.market import Side
from tradeterm.oms.held_lists import fits_a_list


def group(*legs: tuple[HeldKind, Side, int], parent=HeldKind.OCO, reduce_only=False):
    records = [HeldOrder("P", "binance:BTC/USDT", parent, Side.SELL, 100)]
    for i, (kind, side, qty) in enumerate(legs):
        records.append(
            HeldOrder(f"L{i}", "binance:BTC/USDT", kind, side, qty, 10, 9, parent_id="P")
        )
    records[-1].reduce_only = reduce_only
    return records


def test_a_limit_and_a_stop_of_one_side_and_size_fit():
    sell = Side.SELL
    assert fits_a_list(group((HeldKind.LIMIT, sell, 100), (HeldKind.STOP, sell, 100)))
    assert fits_a_list(group((HeldKind.STOP_LIMIT, sell, 100), (HeldKind.LIMIT, sell, 100)))


@pytest.mark.parametrize(
    "legs",
    [
        ((HeldKind.LIMIT, Side.SELL, 100), (HeldKind.TRAIL, Side.SELL, 100)),
        ((HeldKind.STOP, Side.SELL, 100), (HeldKind.STOP, Side.SELL, 100)),
        ((HeldKind.LIMIT, Side.SELL, 100), (HeldKind.LIMIT, Side.SELL, 100)),
        ((HeldKind.LIMIT, Side.SELL, 100), (HeldKind.STOP, Side.BUY, 100)),
        ((HeldKind.LIMIT, Side.SELL, 100), (HeldKind.STOP, Side.SELL, 200)),
    ],
)
def test_anything_else_stays_emulated(legs):
    assert not fits_a_list(group(*legs))


def test_a_reduce_only_leg_or_a_bracket_stays_emulated():
    sell = Side.SELL
    legs = ((HeldKind.LIMIT, sell, 100), (HeldKind.STOP, sell, 100))
    assert not fits_a_list(group(*legs, reduce_only=True))
    assert not fits_a_list(group(*legs, parent=HeldKind.BRACKET))
