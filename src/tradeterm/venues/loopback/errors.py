"""Binance's error answer, as the loopback exchange gives it: ``{"code": ..., "msg": ...}``."""

from __future__ import annotations

import time


class ApiError(Exception):
    """An error answer: ``{"code": code, "msg": msg}`` with HTTP ``status``."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.status = status


def mandatory(name: str) -> ApiError:
    return ApiError(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000
