"""The soak's assertions, shared by the native and the ccxt soak files (``tests/soak.py`` runs
the sessions). Each test file runs one soak per duration (a module fixture) and these checks on
it; 60 s in the default suite, 120 s under ``-m slow``."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.soak import Soak

DURATIONS = [
    30,
    pytest.param(60, marks=pytest.mark.slow),
    pytest.param(120, marks=pytest.mark.slow),
]


def ends_active_without_any_other_trip(report: Soak) -> None:
    print(report.summary())  # the fault counts, with -s
    assert report.other_trips == [], report.summary()
    assert report.state == "ACTIVE", report.summary()


def no_trip_at_all(report: Soak) -> None:
    assert report.trips == [], report.trips


def no_order_left_uncertain(report: Soak) -> None:
    assert report.unsettled == [], report.summary()


def every_exchange_trade_is_exactly_one_fill(report: Soak) -> None:
    fills = Counter(tid for tid, _ in report.fills)
    assert not [t for t, n in fills.items() if n > 1], "a trade applied twice"
    assert set(fills) == set(report.exchange_trades), (
        f"missing {sorted(set(report.exchange_trades) - set(fills))[:10]}, "
        f"extra {sorted(set(fills) - set(report.exchange_trades))[:10]}"
    )
    assert dict(report.fills) == report.exchange_trades  # the same size and side each
    assert len(report.fills) >= 5, "the soak traded too little to mean anything"


def position_equals_the_exchange_trades(report: Soak) -> None:
    """In lots: what was bought minus what was sold (the commissions aside)."""
    assert report.position == report.balance_change + report.base_fees, report.summary()


def position_equals_the_exchange_balance(report: Soak) -> None:
    """Commissions paid in the coin included (issue 12.4)."""
    assert report.ledger_balance == report.balance_change, report.summary()


def no_order_refused_for_its_size(report: Soak) -> None:
    """Risk checks the venue's order step first (issue 12.5)."""
    assert not {r for r in report.venue_rejects if "LOT" in r or "STEP" in r}, report.venue_rejects
