"""Book signals on books whose answers are known."""

import pytest

from tradeterm.quoter.signals import imbalance, micro_price, vamp

BIDS = [(100, 30), (99, 10), (98, 60)]
ASKS = [(101, 10), (102, 40), (104, 50)]


def test_imbalance_at_the_top_and_deeper():
    assert imbalance(BIDS, ASKS) == pytest.approx((30 - 10) / 40)
    assert imbalance(BIDS, ASKS, levels=2) == pytest.approx((40 - 50) / 90)
    assert imbalance([], []) is None
    assert imbalance([(100, 5)], []) == 1.0


def test_micro_price_leans_to_the_thin_side():
    # 30 bid vs 10 ask: the ask is likelier to go, the fair price sits 3/4 of the way up
    assert micro_price(100, 30, 101, 10) == pytest.approx(100.75)
    assert micro_price(100, 10, 101, 10) == pytest.approx(100.5)
    assert micro_price(100, 0, 101, 0) == pytest.approx(100.5)
    assert micro_price(None, 0, 101, 5) is None


def test_vamp_is_the_mean_of_the_impact_prices():
    # selling 50 lots: 30 @100 + 10 @99 + 10 @98 -> 99.4; buying 50: 10 @101 + 40 @102 -> 101.8
    assert vamp(BIDS, ASKS, 50) == pytest.approx((99.4 + 101.8) / 2)
    assert vamp(BIDS, ASKS, 10) == pytest.approx((100 + 101) / 2)  # within the top: the mid
    # deeper than the book: the whole side is averaged
    assert vamp(BIDS, ASKS, 1000) == pytest.approx(
        ((100 * 30 + 99 * 10 + 98 * 60) / 100 + (101 * 10 + 102 * 40 + 104 * 50) / 100) / 2
    )
    assert vamp([], ASKS, 10) is None
    with pytest.raises(ValueError):
        vamp(BIDS, ASKS, 0)
