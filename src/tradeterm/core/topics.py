"""Topic names, in one place so publishers and subscribers agree."""


def book(instrument_id: str) -> str:
    """Book snapshots and deltas of one instrument (``instrument_id`` is ``venue:symbol``)."""
    return "book." + instrument_id.replace(":", ".", 1)


def trade(instrument_id: str) -> str:
    return "trade." + instrument_id.replace(":", ".", 1)


def quote(instrument_id: str) -> str:
    return "quote." + instrument_id.replace(":", ".", 1)


def orders(venue: str) -> str:
    return "order." + venue


def venue_status(venue: str) -> str:
    return "venue." + venue


LOG = "log"
RISK = "risk"  # KillSwitchTripped, TradingStateChanged, OrderDenied
COMMAND = "command"  # every command the desk received, for the record
POSITION = "position"  # PositionChanged
OMS = "oms"  # ReconciliationCompleted
HELD = "held"  # HeldOrderChanged: every transition of a held (contingent) order
ALERT = "alert"  # AlertFired: an alert the trader set fired
