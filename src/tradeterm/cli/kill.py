"""``tradeterm kill`` and ``tradeterm rearm``: the kill switch from a second shell.

``kill`` first writes the halt marker beside the store (``oms/halt_marker.py``), so the next
session starts HALTED whatever else happens: a damaged store, a stuck session, a session that
starts while we speak. Then, with a session running, the request goes over its control socket
(``runtime/control.py``) and the command returns once the session has applied it: when ``tradeterm
kill`` exits 0 the session is HALTED and its working orders are canceled. With no session
running, the store is marked too (if it is whole: a damaged store is never written to).

``rearm`` re-arms the running session, or marks the store; either way it removes the halt
marker and says so. A damaged store is not re-armed (the marker stays).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from tradeterm.cli.errors import UsageError
from tradeterm.cli.session import ask_session, data_dir_for, halt_marker_for, open_store


def run_kill(args: argparse.Namespace) -> int:
    reason = (args.reason or "").strip() or "kill switch from the command line"
    data_dir = data_dir_for(args.config)
    marker = halt_marker_for(args.config)
    marker_error = _write_marker(marker, reason)
    held = marker is not None and marker_error is None
    started = time.perf_counter()
    try:
        answer = ask_session(data_dir, {"op": "kill", "flatten": args.flatten, "reason": reason})
    except TimeoutError as exc:  # a session holds the socket but is stuck: mark the store too
        stored = _mark_store(args, reason) is None
        print(
            f"tradeterm: {exc}; {_held_by(held, stored)} (a restart comes back HALTED). "
            "Check the session: it may still be trading.",
            file=sys.stderr,
        )
        return 1
    if answer is not None:
        _warn(marker_error)
        ms = (time.perf_counter() - started) * 1000
        if not answer.get("ok"):
            print(
                f"tradeterm: the session refused: {answer.get('error')}"
                + (f"; the halt marker {marker.path} holds the next start HALTED" if held else ""),
                file=sys.stderr,
            )
            return 1
        print(
            f"session (pid {answer.get('pid')}) is {answer['state']} "
            f"({answer.get('working_orders', 0)} order(s) still working, cancels sent"
            f"{'; flattening' if args.flatten else ''}) in {ms:.1f} ms"
            + (
                f"; the halt marker {marker.path} keeps the next start HALTED until "
                "`tradeterm rearm`"
                if held
                else ""
            )
        )
        return 0
    store_error = _mark_store(args, reason)
    if marker_error and store_error:
        raise UsageError(f"trading could not be marked HALTED: {marker_error}; {store_error}")
    _warn(marker_error or store_error)
    print(
        f"no session is running: {_held_by(held, store_error is None)}; the next session "
        "starts HALTED"
        + (" (nothing to flatten without a running session)" if args.flatten else "")
    )
    return 0


def _write_marker(marker: Any, reason: str) -> str | None:
    """Write the halt marker; None, or why it could not be written."""
    if marker is None:
        return "the store is in memory (no halt marker)"
    try:
        marker.write(reason)
    except OSError as exc:
        return f"cannot write the halt marker {marker.path}: {exc.strerror or exc}"
    return None


def _warn(problem: str | None) -> None:
    if problem:
        print(f"tradeterm: warning: {problem}", file=sys.stderr)


def _held_by(marker: bool, store: bool) -> str:
    if marker and store:
        return "the store is marked HALTED and the halt marker written"
    return "the store is marked HALTED" if store else "the halt marker holds trading HALTED"


def _mark_store(args: argparse.Namespace, reason: str) -> str | None:
    """HALTED into the store if it is whole; None, or why it was not written."""
    try:
        store = open_store(args.config)
    except UsageError as exc:
        return f"{exc}; the store was not written"
    try:
        mark_store_halted(store, reason)
    finally:
        store.close()
    return None


def mark_store_halted(store: Any, reason: str) -> None:
    """HALTED by the command line (source ``cli``): the next session starts HALTED and cancels
    the held orders the kill could not reach (``HeldDesk.killed_offline``)."""
    from tradeterm.domain.events import TradingState

    store.controls.save_trading_state(
        TradingState.HALTED, reason, "cli", time.time_ns(), "kill_switch.trip"
    )


def run_rearm(args: argparse.Namespace) -> int:
    reason = args.reason.strip()
    if not reason:
        print("tradeterm: error: --reason must say why trading may resume", file=sys.stderr)
        return 2
    from tradeterm.domain.events import TradingState

    state = TradingState.REDUCING if args.reducing else TradingState.ACTIVE
    marker = halt_marker_for(args.config)
    held = marker is not None and marker.path.exists()
    try:
        answer = ask_session(
            data_dir_for(args.config), {"op": "rearm", "reason": reason, "reducing": args.reducing}
        )
    except TimeoutError as exc:
        print(f"tradeterm: {exc}; nothing changed", file=sys.stderr)
        return 1
    if answer is not None:
        if not answer.get("ok") and not (held and answer.get("state") == state.value):
            print(f"tradeterm: re-arm refused: {answer.get('error')}", file=sys.stderr)
            return 1
        print(f"session (pid {answer.get('pid')}) is {answer['state']}{_clear(marker, held)}")
        return 0
    store = open_store(args.config)  # damaged: a UsageError, and the marker stays
    try:
        saved = store.controls.load_trading_state()
        kind = (
            "kill_switch.rearm"
            if held or (saved and saved[0] is TradingState.HALTED)
            else "trading_state.change"
        )
        store.controls.save_trading_state(state, reason, "cli", time.time_ns(), kind)
    finally:
        store.close()
    print(
        f"no session is running: the store is marked {state.value}{_clear(marker, held)}; "
        f"the next session starts {state.value} (after reconciling with the venue)"
    )
    return 0


def _clear(marker: Any, held: bool) -> str:
    """Remove the halt marker after a re-arm (the session may have done it already); what to
    add to the answer."""
    if marker is None:
        return ""
    try:
        marker.clear()
    except OSError as exc:
        raise UsageError(
            f"re-armed, but the halt marker {marker.path} cannot be removed "
            f"({exc.strerror or exc}): the next start would be HALTED; remove it "
            "by hand"
        ) from None
    return f"; the halt marker {marker.path} is cleared" if held else ""
