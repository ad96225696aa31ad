"""Reasons the OMS itself gives when it closes an order (``Order.reason``), beside the venue's
own codes. The first three are reconciliation verdicts for an order the venue has no record of:
only ``NOT_RECEIVED`` is sure it never traded (it was never acknowledged)."""

NOT_RECEIVED = "NOT_RECEIVED"  # never acknowledged, and the venue has no record: never placed
VENUE_LOST = "VENUE_LOST"  # an in-process venue restarted and forgot it
UNKNOWN_AT_VENUE = "UNKNOWN_AT_VENUE"  # acknowledged once, and the venue no longer knows it
STORE_ERROR = "STORE_ERROR"  # the store could not record it: never sent
NOT_SENT = "NOT_SENT"  # canceled while its record was on the way to the disk: never sent

#: closed by our inference, not by a cancel the venue confirmed
CLOSED_WITHOUT_VENUE = frozenset(
    {NOT_RECEIVED, VENUE_LOST, UNKNOWN_AT_VENUE, STORE_ERROR, NOT_SENT}
)

# held (contingent) orders: why one ended without its order working at the venue
WOULD_TRIGGER = "WOULD_TRIGGER"  # a stop whose trigger the market has already reached
HELD_OCO = "OCO"  # its other leg filled or triggered first
HELD_ENTRY_UNFILLED = "ENTRY_UNFILLED"  # a bracket's exits: the entry ended with nothing filled
HELD_NOTHING_LEFT = "NOTHING_LEFT"  # its size went to the other leg's fills
HELD_KILL_SWITCH = "KILL_SWITCH"  # canceled by the kill switch
HELD_CANCELED = "CANCELED"  # canceled by the trader (or its group was)
HELD_SESSION_END = "SESSION_END"  # the session stopped with session.cancel_on_exit
