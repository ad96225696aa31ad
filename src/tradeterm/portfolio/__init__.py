"""Positions, average cost, realized/unrealized PnL, fees and the account's equity curve."""
