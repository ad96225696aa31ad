"""The loopback's own ``/loopback/*`` controls answer a bad parameter with HTTP 400 and the
reason, never 500 (issue 12.13); good ones still work."""

import aiohttp
import pytest

from tests.loopback_session import loopback_settings
from tradeterm.venues.loopback import LoopbackServer

BAD = [
    ("fault/stale?seconds=abc", "seconds"),
    ("fault/stale?seconds=inf", "seconds"),
    ("fault/stale?seconds=nan", "seconds"),
    ("fault/stale?seconds=-1", "seconds"),
    ("fault/timeout?seconds=ten", "seconds"),
    ("fault/timeout?count=0", "count"),
    ("fault/5xx?count=two", "count"),
    ("fault/5xx?count=-3", "count"),
    ("fault/5xx?count=1e99", "count"),
    ("fault/5xx?status=abc", "status"),
    ("fault/5xx?status=200", "status"),
    ("fault/dup?count=1.5", "count"),
    ("fault/delay?ms=abc", "ms"),
    ("fault/delay?ms=-5", "ms"),
    ("fault/gap?symbol=NOPE", "symbol"),
]


async def test_bad_control_parameters_are_400_with_the_reason():
    async with (
        LoopbackServer(loopback_settings().exchange) as server,
        aiohttp.ClientSession() as http,
    ):
        for path, name in BAD:
            async with http.post(f"{server.rest_url}/loopback/{path}") as resp:
                body = await resp.json()
                assert resp.status == 400, (path, resp.status, body)
                assert name in body["msg"] and body["code"] < 0, (path, body)
        async with http.get(f"{server.rest_url}/loopback/book?symbol=NOPE") as resp:
            assert resp.status == 400 and "symbol" in (await resp.json())["msg"].lower()
        async with http.get(f"{server.rest_url}/loopback/book") as resp:
            assert resp.status == 400 and "symbol" in (await resp.json())["msg"]
        async with http.post(f"{server.rest_url}/loopback/fault/meteor") as resp:
            assert resp.status == 404
        assert server.injector.rest_queue == [] and server.injector.plan.delay_ms == 0


@pytest.mark.parametrize(
    ("path", "check"),
    [
        (
            "fault/5xx?count=2&status=502&path=/api/v3/order",
            lambda inj: (
                [(f.status, f.path) for f in inj.rest_queue] == [(502, "/api/v3/order")] * 2
            ),
        ),
        ("fault/timeout?seconds=1.5", lambda inj: inj.rest_queue[0].hold_s == 1.5),
        ("fault/delay?ms=20", lambda inj: inj.plan.delay_ms == 20),
        ("fault/dup?count=3", lambda inj: inj.duplicate_fills == 3),
        ("fault/stale?seconds=0.5", lambda inj: inj.stale),
        ("fault/gap?symbol=BTCUSDT", lambda inj: inj.counts.get("gap") == 1),
    ],
)
async def test_good_control_parameters_still_work(path, check):
    async with (
        LoopbackServer(loopback_settings().exchange) as server,
        aiohttp.ClientSession() as http,
    ):
        async with http.post(f"{server.rest_url}/loopback/{path}") as resp:
            assert resp.status == 200, await resp.text()
        assert check(server.injector)
