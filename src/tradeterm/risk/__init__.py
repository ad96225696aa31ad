"""Pre-trade checks, post-trade limits and the kill switch (TradingState)."""
