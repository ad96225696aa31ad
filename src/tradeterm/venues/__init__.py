"""Venue plug-ins: market data in, orders out, all behind ``venues.base.Venue``."""
