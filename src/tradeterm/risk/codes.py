"""Reason codes: one stable word per way an order can be refused or trading can be stopped.

Pre-trade codes travel in ``OrderDenied.reason``; post-trade codes are kill-switch sources.
"""

# --- trading state ---------------------------------------------------------------------------
KILL_SWITCH = "KILL_SWITCH"  # trading is HALTED: every new order is denied
REDUCING_ONLY = "REDUCING_ONLY"  # trading is REDUCING: only exposure-reducing orders pass
NOT_RECONCILED = "NOT_RECONCILED"  # the OMS has not finished reconciling with the venue
LIVE_NOT_CONFIRMED = "LIVE_NOT_CONFIRMED"  # live mode: the trader has not typed the confirmation
REPLAY_ENDED = "REPLAY_ENDED"  # the recording a backtest trades against has no more data
# --- the order itself ------------------------------------------------------------------------
UNKNOWN_INSTRUMENT = "UNKNOWN_INSTRUMENT"
TICK_SIZE = "TICK_SIZE"  # price missing, not positive, or not on the tick grid
LOT_SIZE = "LOT_SIZE"  # quantity not positive or not a whole number of lots
QTY_STEP = "QTY_STEP"  # quantity off the venue's order step (Binance LOT_SIZE stepSize)
MIN_NOTIONAL = "MIN_NOTIONAL"
UNSUPPORTED = "UNSUPPORTED"  # an order type or option the engine does not route
MAX_ORDER_QTY = "MAX_ORDER_QTY"
MAX_ORDER_NOTIONAL = "MAX_ORDER_NOTIONAL"
NO_REFERENCE_PRICE = "NO_REFERENCE_PRICE"  # no book or trade yet to check the price against
PRICE_BAND = "PRICE_BAND"  # fat finger: too far from the reference price
MARKET_PROTECTION = "MARKET_PROTECTION"  # the opposite best is beyond a market order's protection
REDUCE_ONLY = "REDUCE_ONLY"  # a reduce-only order that would not reduce the position
# --- the order in context --------------------------------------------------------------------
MAX_POSITION = "MAX_POSITION"  # projected position (working orders included) over the limit
MAX_OPEN_ORDERS = "MAX_OPEN_ORDERS"
SELF_CROSS = "SELF_CROSS"  # would trade against our own resting order
DUPLICATE_ORDER = "DUPLICATE_ORDER"  # identical order within the duplicate window
RATE_LIMIT = "RATE_LIMIT"  # order-rate throttle (global or venue bucket) empty

# --- post-trade limits (kill switch sources) -------------------------------------------------
DAILY_LOSS = "DAILY_LOSS"
MAX_DRAWDOWN = "MAX_DRAWDOWN"
POSITION_BREACH = "POSITION_BREACH"
