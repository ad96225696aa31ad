"""Binance's error answer, as the loopback exchange gives it: ``{"code": ..., "msg": ...}``."""

from __future__ import annotations

import time
from typing import Any


class ApiError(Exception):
    """An error answer: ``{"code": code, "msg": msg}`` with HTTP ``status`` (and ``"data"`` when
    there is more to say, as cancel-replace does)."""

    def __init__(self, code: int, msg: str, status: int = 400, data: Any = None) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.status = status
        self.data = data

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.data is not None:
            out["data"] = self.data
        return out


def mandatory(name: str) -> ApiError:
    return ApiError(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000
