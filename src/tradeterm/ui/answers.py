"""The venue's answer to a trader's request, as the one line the command line shows.

``✓`` only when the venue did what was asked, ``✗`` with the venue's reason when it refused (or
the order ended without doing it), and a plain "sent ..." while the answer is pending."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tradeterm.core.views import OrderAnswer
from tradeterm.domain.instruments import Instrument


def answer_line(
    answers: Sequence[OrderAnswer], what: str, instruments: Mapping[str, Instrument]
) -> tuple[str, bool | None]:
    """(text, ok): ok True = done as asked, False = refused or not done, None = pending."""
    if not answers:
        return f"sent: {what}", None
    if len(answers) > 1:
        return _many(answers, what)
    a = answers[0]
    inst = instruments.get(a.instrument)
    fills = ""
    if a.filled and inst is not None:
        fills = f"filled {inst.format_qty(a.filled)}" + (
            f" @ {inst.format_price(a.fill_price)}" if a.fill_price is not None else ""
        )
    why = f"{a.reason}: {a.message}" if a.reason and a.message else a.reason or a.message
    if a.state == "REFUSED":
        if a.request == "modify" and a.replaced_by and a.replaced_by != a.client_order_id:
            return (
                f"✗ modify failed: {a.client_order_id} was cancelled and its replacement "
                f"{a.replaced_by} refused: {why}",
                False,
            )
        verb = {"submit": "refused", "cancel": "cancel refused", "modify": "modify refused"}[
            a.request
        ]
        return f"✗ {verb}: {why} · {what}", False
    if a.state == "SENT":
        progress = f" ({a.message})" if a.message else ""
        return f"sent, waiting for the venue{progress}: {what}", None
    if a.request == "submit":
        if a.state == "ACCEPTED":
            return f"✓ accepted{', ' + fills if fills else ''}: {what}", True
        if a.message == "filled":
            return f"✓ {fills}: {what}", True
        if a.filled:  # partly filled, the rest cancelled or expired by the venue
            return f"✓ {fills}, rest {a.message}{_reason(a)}: {what}", True
        return f"✗ not filled, {a.message} by the venue{_reason(a)}: {what}", False
    if a.request == "cancel":
        if a.message == "filled":
            return f"✗ filled before the cancel arrived ({fills}): {what}", False
        return f"✓ cancelled{' after ' + fills if fills else ''}: {what}", True
    # modify
    if a.message == "modified":
        by = f" (replaced by {a.replaced_by})" if a.replaced_by else ""
        return f"✓ modified{by}: {what}", True
    if a.message == "filled":
        return f"✗ filled before the modify ({fills}): {what}", False
    return f"✗ {a.message}{_reason(a)}: {what}", False


def _reason(a: OrderAnswer) -> str:
    return f" ({a.reason})" if a.reason and a.reason not in ("CANCELED", "CANCELLED") else ""


def _many(answers: Sequence[OrderAnswer], what: str) -> tuple[str, bool | None]:
    """A cancel-all: how many are cancelled, still waiting, filled first or refused (why)."""
    done = sum(1 for a in answers if a.state == "DONE" and a.message != "filled")
    filled = sum(1 for a in answers if a.state == "DONE" and a.message == "filled")
    refused = [a for a in answers if a.state == "REFUSED"]
    waiting = len(answers) - done - filled - len(refused)
    parts = [f"{done} cancelled"]
    if waiting:
        parts.append(f"{waiting} waiting for the venue")
    if filled:
        parts.append(f"{filled} filled first")
    if refused:
        reasons = sorted({a.reason for a in refused})
        parts.append(f"{len(refused)} refused ({', '.join(reasons)})")
    ok = None if waiting else (not refused and not filled)
    mark = "" if ok is None else "✓ " if ok else "✗ "
    return f"{mark}{what}: {', '.join(parts)}", ok
