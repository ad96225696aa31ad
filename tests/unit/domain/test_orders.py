import itertools

import pytest

from tradeterm.domain.market import Side
from tradeterm.domain.orders import (
    TERMINAL, TRANSITIONS, IllegalTransition, Order, OrderStatus, can_transition,
)

S = OrderStatus
LEGAL = [(a, b) for a in S for b in sorted(TRANSITIONS[a], key=list(S).index)]
ILLEGAL = [(a, b) for a, b in itertools.product(S, S) if b not in TRANSITIONS[a]]


def order_in(status: OrderStatus) -> Order:
    order = Order("c1", "test:BTC/USD", Side.BUY, qty=10, price=100)
    order.status = status
    return order


def test_every_status_has_a_transition_entry():
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(("current", "new"), LEGAL, ids=lambda s: s.value)
def test_legal_transition(current, new):
    order = order_in(current)
    order.transition(new, ts=5)
    assert order.status is new
    assert order.ts_last == 5
    assert can_transition(current, new)


@pytest.mark.parametrize(("current", "new"), ILLEGAL, ids=lambda s: s.value)
def test_illegal_transition_raises(current, new):
    order = order_in(current)
    with pytest.raises(IllegalTransition, match=f"{current.value} -> {new.value}"):
        order.transition(new)
    assert order.status is current  # unchanged


def test_terminal_states_have_no_exit():
    for status in TERMINAL:
        assert not TRANSITIONS[status]


def test_the_tables_are_not_trivial():
    assert len(LEGAL) > 40 and len(ILLEGAL) > 80


def test_fills_drive_partial_then_filled():
    order = order_in(S.ACCEPTED)
    order.apply_fill(price=100, lots=4)
    assert order.status is S.PARTIALLY_FILLED and order.leaves_qty == 6
    order.apply_fill(price=102, lots=6)
    assert order.status is S.FILLED and order.leaves_qty == 0
    assert order.filled_value == 100 * 4 + 102 * 6


def test_overfill_is_refused():
    order = order_in(S.ACCEPTED)
    with pytest.raises(ValueError, match="exceeds leaves"):
        order.apply_fill(price=100, lots=11)
    assert order.filled_qty == 0


def test_refused_cancel_returns_to_previous_status():
    order = order_in(S.ACCEPTED)
    order.apply_fill(price=100, lots=3)
    order.transition(S.PENDING_CANCEL)
    order.revert_pending()
    assert order.status is S.PARTIALLY_FILLED


def test_revert_without_pending_raises():
    with pytest.raises(IllegalTransition):
        order_in(S.ACCEPTED).revert_pending()
