"""``tradeterm kill`` and ``tradeterm rearm``: the kill switch from a second shell.

With a session running, the request goes over its control socket (``control.py``) and the
command returns once the session has applied it: when ``tradeterm kill`` exits 0 the session is
HALTED and its working orders are canceled. With no session running, the store is marked
instead, so the next session starts in that state.
"""

from __future__ import annotations

import argparse
import sys
import time

from tradeterm.cli_session import ask_session, data_dir_for, open_store


def run_kill(args: argparse.Namespace) -> int:
    reason = (args.reason or "").strip() or "kill switch from the command line"
    data_dir = data_dir_for(args.config)
    started = time.perf_counter()
    try:
        answer = ask_session(data_dir, {"op": "kill", "flatten": args.flatten, "reason": reason})
    except TimeoutError as exc:  # a session holds the socket but is stuck: mark the store too
        _mark_store(args, reason)
        print(f"tradeterm: {exc}; the store is marked HALTED (a restart comes back HALTED). "
              "Check the session: it may still be trading.", file=sys.stderr)
        return 1
    if answer is not None:
        ms = (time.perf_counter() - started) * 1000
        if not answer.get("ok"):
            print(f"tradeterm: the session refused: {answer.get('error')}", file=sys.stderr)
            return 1
        print(f"session (pid {answer.get('pid')}) is {answer['state']} "
              f"({answer.get('working_orders', 0)} order(s) still working, cancels sent"
              f"{'; flattening' if args.flatten else ''}) in {ms:.1f} ms")
        return 0
    _mark_store(args, reason)
    print("no session is running: the store is marked HALTED; the next session starts HALTED"
          + (" (nothing to flatten without a running session)" if args.flatten else ""))
    return 0


def run_rearm(args: argparse.Namespace) -> int:
    reason = args.reason.strip()
    if not reason:
        print("tradeterm: error: --reason must say why trading may resume", file=sys.stderr)
        return 2
    try:
        answer = ask_session(data_dir_for(args.config),
                             {"op": "rearm", "reason": reason, "reducing": args.reducing})
    except TimeoutError as exc:
        print(f"tradeterm: {exc}; nothing changed", file=sys.stderr)
        return 1
    if answer is not None:
        if not answer.get("ok"):
            print(f"tradeterm: re-arm refused: {answer.get('error')}", file=sys.stderr)
            return 1
        print(f"session (pid {answer.get('pid')}) is {answer['state']}")
        return 0
    from tradeterm.domain.events import TradingState

    state = TradingState.REDUCING if args.reducing else TradingState.ACTIVE
    store = open_store(args.config)
    try:
        saved = store.load_trading_state()
        kind = "kill_switch.rearm" if saved and saved[0] is TradingState.HALTED \
            else "trading_state.change"
        store.save_trading_state(state, reason, "cli", time.time_ns(), kind)
    finally:
        store.close()
    print(f"no session is running: the store is marked {state.value}; the next session starts "
          f"{state.value} (after reconciling with the venue)")
    return 0


def _mark_store(args: argparse.Namespace, reason: str) -> None:
    from tradeterm.domain.events import TradingState

    store = open_store(args.config)
    try:
        store.save_trading_state(TradingState.HALTED, reason, "cli", time.time_ns(),
                                 "kill_switch.trip")
    finally:
        store.close()
