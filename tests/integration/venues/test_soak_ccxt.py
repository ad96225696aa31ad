"""Soak through ccxt (ccxt's binance with ccxt.pro streams) against the loopback exchange with
drop, gap, 5xx, timeout and dup faults, trading with the placeholder quoter (issue 12, "Done
when"; ``tests/soak.py``)."""

import asyncio

import pytest

from tests import soak_checks as check
from tests.soak import soak_ccxt


@pytest.fixture(scope="module", params=check.DURATIONS)
def report(request, tmp_path_factory):
    return asyncio.run(soak_ccxt(tmp_path_factory.mktemp("soak-ccxt"), request.param))


def test_ends_active_without_any_other_trip(report):
    check.ends_active_without_any_other_trip(report)


def test_no_false_trip_at_all(report):
    check.no_trip_at_all(report)


def test_no_order_left_uncertain(report):
    check.no_order_left_uncertain(report)


def test_every_exchange_trade_is_exactly_one_fill(report):
    check.every_exchange_trade_is_exactly_one_fill(report)


def test_position_equals_the_exchange_trades(report):
    check.position_equals_the_exchange_trades(report)


def test_position_equals_the_exchange_balance_fees_included(report):
    check.position_equals_the_exchange_balance(report)


def test_no_order_refused_for_its_size(report):
    check.no_order_refused_for_its_size(report)
