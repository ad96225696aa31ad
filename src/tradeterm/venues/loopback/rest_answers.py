"""What every REST answer of the loopback looks like, as on Binance: refusals are JSON ``{"code":
..., "msg": ...}`` (an unknown path too: HTTP 404, and a known path asked with the wrong method:
HTTP 405, both code -1020 ``This operation is not supported.``; anything unforeseen HTTP 500,
code -1000), and answers under ``/api/`` carry the weight headers and obey the weight limit when
it is turned on (``limits.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from tradeterm.venues.loopback.faults import FaultInjector
from tradeterm.venues.loopback.limits import (
    ORDERS_10S_HEADER,
    ORDERS_1D_HEADER,
    ORDERS_PLACED,
    WEIGHT_HEADER,
    RateLimits,
    weight,
)

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NOT_SUPPORTED = "This operation is not supported."


def refusal(status: int, code: int, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status)


def binance_answers(injector: FaultInjector, limits: RateLimits | None = None) -> Middleware:
    limits = limits or RateLimits()

    @web.middleware
    async def answers(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await _json_refusals(request, handler)
        key = (request.method, request.path)
        ip = request.remote or ""
        used = limits.use(ip, weight(request.method, request.path, request.query))
        plan = injector.plan
        refused = limits.refusal(ip, used, plan.weight_limit, plan.ban_s)
        response: web.StreamResponse
        if refused is not None:
            status, msg, retry_after = refused
            response = refusal(status, -1003, msg)
            response.headers["Retry-After"] = str(retry_after)
        else:
            response = await _json_refusals(request, handler)
        if response.prepared:
            return response
        response.headers[WEIGHT_HEADER] = str(used)
        placed = ORDERS_PLACED.get(key)
        if placed is not None:
            accepted = refused is None and response.status < 400
            account = request.headers.get("X-MBX-APIKEY", ip)
            ten, day = limits.count_orders(account, placed if accepted else 0)
            response.headers[ORDERS_10S_HEADER] = str(ten)
            response.headers[ORDERS_1D_HEADER] = str(day)
        return response

    return answers


async def _json_refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return refusal(404, -1020, NOT_SUPPORTED)
    except web.HTTPMethodNotAllowed:
        return refusal(405, -1020, NOT_SUPPORTED)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("loopback: %s %s failed", request.method, request.path)
        return refusal(500, -1000, "An unknown error occurred while processing the request.")
