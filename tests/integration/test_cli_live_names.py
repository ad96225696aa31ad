"""The live confirmation takes the venue's name either way it is written (issue 12, "Also"):
``ccxt:kraken`` as given to ``--venue``, or ``ccxt-kraken`` as the header and the README show
it; anything else is refused."""

import logging

import pytest

from tests.ccxt_session import ccxt_kernel
from tests.live_session import canary_keys, exchange_settings
from tradeterm.venues.base import confirm_names
from tradeterm.venues.loopback import LoopbackServer


@pytest.mark.parametrize("typed", ["ccxt:kraken", "ccxt-kraken"])
def test_the_flag_takes_both_spellings_of_a_ccxt_venue(typed, tmp_path, monkeypatch, capsys):
    from tradeterm.cli import main

    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path / "data"))
    for var in ("TRADETERM_CCXT_KRAKEN_KEY", "TRADETERM_CCXT_KRAKEN_SECRET"):
        monkeypatch.delenv(var, raising=False)
    handlers = list(logging.getLogger("tradeterm").handlers)
    try:
        assert (
            main(["live", "--venue", "ccxt:kraken", "--headless", "--i-understand-live", typed])
            == 2
        )
    finally:
        for handler in set(logging.getLogger("tradeterm").handlers) - set(handlers):
            logging.getLogger("tradeterm").removeHandler(handler)
            handler.close()
    err = capsys.readouterr().err
    assert "no API key for ccxt:kraken" in err and "exact name" not in err, err  # past it


@pytest.mark.parametrize("typed", ["kraken", "ccxt:binance", "ccxt-", "CCXT-KRAKEN", "yes"])
def test_the_flag_refuses_other_names(typed, tmp_path, monkeypatch, capsys):
    from tradeterm.cli import main

    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path / "data"))
    assert main(["live", "--venue", "ccxt:kraken", "--headless", "--i-understand-live", typed]) == 2
    err = capsys.readouterr().err
    assert "'ccxt:kraken' or 'ccxt-kraken'" in err and "Traceback" not in err, err


def test_the_names_of_a_venue():
    assert confirm_names("binance") == {"binance"}
    assert confirm_names("ccxt-kraken") == {"ccxt-kraken", "ccxt:kraken"}
    assert confirm_names("ccxt:kraken") == {"ccxt-kraken", "ccxt:kraken"}


async def test_the_session_confirms_with_either_spelling(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        kernel, _venue, task = await ccxt_kernel(
            server, tmp_path, key, secret, websockets=False, poll_s=0.05, confirm=False
        )
        assert not kernel.confirm_live("ccxt:kraken") and not kernel.live_confirmed
        assert kernel.confirm_live("ccxt:binance") and kernel.live_confirmed
        kernel.request_stop()
        await task
