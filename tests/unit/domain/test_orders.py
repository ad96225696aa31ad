import itertools

import pytest

from tradeterm.domain.market import Side
from tradeterm.domain.orders import (
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    Order,
    OrderStatus,
    can_transition,
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


def test_terminal_states_have_no_exit_but_a_late_fill():
    for status in TERMINAL - {S.CANCELED, S.EXPIRED}:
        assert not TRANSITIONS[status]
    for status in (S.CANCELED, S.EXPIRED):  # it traded before the cancel took effect
        assert TRANSITIONS[status] == {S.PARTIALLY_FILLED, S.FILLED}


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


def test_a_request_before_the_ack_returns_to_unacknowledged():
    order = order_in(S.SUBMITTED)
    order.transition(S.PENDING_CANCEL)
    order.revert_pending()
    assert order.status is S.SUBMITTED and not order.acknowledged


def test_an_ack_while_pending_keeps_it_pending_and_is_remembered():
    order = order_in(S.SUBMITTED)
    order.transition(S.PENDING_UPDATE)
    order.acknowledge("V1")
    assert order.status is S.PENDING_UPDATE and order.acknowledged
    order.revert_pending()
    assert order.status is S.ACCEPTED


def test_a_fill_while_pending_keeps_it_pending_until_the_answer():
    order = order_in(S.ACCEPTED)
    order.transition(S.PENDING_CANCEL)
    order.apply_fill(price=100, lots=4)
    assert order.status is S.PENDING_CANCEL and order.filled_qty == 4
    order.revert_pending()  # the cancel was refused: it works on, partly filled
    assert order.status is S.PARTIALLY_FILLED
    order.transition(S.PENDING_CANCEL)
    order.apply_fill(price=100, lots=6)
    assert order.status is S.FILLED


def test_a_trigger_while_pending_is_remembered():
    order = order_in(S.ACCEPTED)
    order.transition(S.PENDING_UPDATE)
    order.trigger()
    assert order.status is S.PENDING_UPDATE
    order.revert_pending()
    assert order.status is S.TRIGGERED


def test_revert_after_a_restart_follows_the_record():
    """The status before the request is not stored: the order's record says what it was."""
    for filled, venue_id, expected in (
        (0, None, S.SUBMITTED),
        (0, "V1", S.ACCEPTED),
        (3, "V1", S.PARTIALLY_FILLED),
    ):
        order = order_in(S.PENDING_CANCEL)
        order.filled_qty, order.venue_order_id = filled, venue_id
        order.revert_pending()
        assert order.status is expected


def test_a_late_fill_on_a_canceled_order():
    order = order_in(S.ACCEPTED)
    order.transition(S.CANCELED)
    order.apply_fill(price=100, lots=4)
    assert order.status is S.PARTIALLY_FILLED and order.filled_qty == 4
    done = order_in(S.EXPIRED)
    done.apply_fill(price=100, lots=10)
    assert done.status is S.FILLED


def test_a_fill_that_does_not_fit_changes_nothing():
    order = order_in(S.REJECTED)
    with pytest.raises(IllegalTransition):
        order.apply_fill(price=100, lots=4)
    assert order.filled_qty == 0 and order.filled_value == 0 and order.status is S.REJECTED


def test_amend_never_goes_below_what_filled():
    order = order_in(S.ACCEPTED)
    order.apply_fill(price=100, lots=4)
    with pytest.raises(ValueError, match="below"):
        order.amend(99, 3)
    order.amend(99, 6)
    assert (order.price, order.qty, order.leaves_qty) == (99, 6, 2)
