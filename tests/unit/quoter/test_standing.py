"""The standing plan: a requote whose inputs are those of the last empty plan sends nothing and
skips the model; changed inputs, or a quote ageing out, requote as before."""

import random

import pytest

from tradeterm.core import topics
from tradeterm.domain.events import OrderAccepted

from tradeterm.domain.commands import ModifyOrder, SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.quoter import component
from tradeterm.quoter.standing import NEVER, StandingPlan
from tradeterm.quoter.working import LIVE, WorkingQuote, WorkingQuotes

from tests.unit.quoter.fakes import Rig

BID, ASK = 120_000, 120_004


@pytest.fixture
def plans(monkeypatch):
    """Counts the plans the quoter computes."""
    calls = []
    real = component.plan

    def counted(*args):
        actions = real(*args)
        calls.append(actions)
        return actions

    monkeypatch.setattr(component, "plan", counted)
    return calls


def started(**config) -> Rig:
    rig = Rig(**config)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    return rig


def test_unchanged_inputs_send_nothing_and_skip_the_plan(plans):
    rig = started(refresh_ms=100)
    rig.gateway.take()
    rig.book_at(0.05, BID, ASK)  # a book update keeps the data fresh: the same inputs
    before = len(plans)
    rig.at(3.0)  # 30 timer ticks, nothing moved
    assert rig.gateway.calls == []
    assert len(plans) == before  # every tick found the last empty plan standing
    assert rig.quoter.view.state == "QUOTING"


def test_changed_inputs_requote(plans):
    rig = started(requote_ticks=2)
    rig.gateway.take()
    rig.at(0.5)
    rig.book_at(1.0, BID + 4, ASK + 4)
    assert len(rig.gateway.of(ModifyOrder)) == 2
    rig.gateway.take()
    rig.fill(_bid(rig), 100)
    assert rig.gateway.of(SubmitOrder)  # a fill changes the working quotes: a new bid


def _bid(rig: Rig) -> str:
    return next(c for c, (s, *_rest) in rig.gateway.working.items() if s is Side.BUY)


def test_a_quote_off_its_price_ages_out_of_the_standing_plan():
    working = WorkingQuotes()
    working.add(WorkingQuote("b", Side.BUY, 0, 100, 5, status=LIVE, placed_ns=1_000))
    working.add(WorkingQuote("a", Side.SELL, 0, 110, 5, status=LIVE, placed_ns=2_000))
    standing = StandingPlan()
    standing.planned("in", True, ([(100, 5)], [(109, 5)]), working, 500)
    assert standing.stands("in", 2_499) and not standing.stands("in", 2_500)
    assert not standing.stands("other", 2_000)
    standing.planned("in", True, ([(100, 5)], [(110, 5)]), working, 500)
    assert standing.stands("in", 10**15)  # both at their price: age moves neither
    standing.planned("in", False, ([(100, 5)], [(110, 5)]), working, 500)
    assert not standing.stands("in", 2_000)
    assert NEVER > 10**18


def _drive(rig: Rig, seed: int) -> list:
    rng = random.Random(seed)
    t, bid = 0.0, BID
    for _ in range(300):
        t += rng.choice([0.01, 0.05, 0.3, 1.1])
        roll = rng.random()
        if roll < 0.5:
            bid += rng.choice([-2, -1, 0, 0, 0, 1, 2])
            rig.book_at(t, bid, bid + rng.choice([2, 4, 4, 6]))
        elif roll < 0.65 and rig.gateway.working:
            cid = rng.choice(sorted(rig.gateway.working))
            rig.fill(cid, rng.choice([10, 50, rig.gateway.working[cid][2]]))
        else:
            rig.at(t)
    return [*rig.gateway.calls], rig.quoter.view.version, rig.quoter.view.reservation_price


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_skipping_changes_nothing_sent(monkeypatch, seed):
    config = dict(requote_ticks=2, max_quote_age_s=2.0, refresh_ms=200, levels=2)
    real, skipped = StandingPlan.stands, []

    def stands(self, inputs, now):
        skipped.append(real(self, inputs, now))
        return skipped[-1]

    monkeypatch.setattr(StandingPlan, "stands", stands)
    skipping = _drive(started(**config), seed)
    assert any(skipped) and not all(skipped)
    monkeypatch.setattr(StandingPlan, "stands", lambda self, inputs, now: False)
    planning = _drive(started(**config), seed)
    assert skipping == planning


def test_an_answer_that_changes_only_the_working_quotes_requotes():
    rig = Rig(auto_ack=False, requote_ticks=2)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    submits = rig.gateway.take()
    rig.book_at(1.0, BID + 3, ASK + 3)  # both still PENDING_NEW: the plan waits (empty)
    assert rig.gateway.calls == []
    for cmd in submits:  # the same market, the same touch: only the quotes' status moved
        accepted = OrderAccepted(rig.now, rig.now, cmd.client_order_id, cmd.instrument, "v1")
        rig.bus.publish(topics.orders("test"), accepted)
    rig.settle()
    assert len(rig.gateway.of(ModifyOrder)) == 2
