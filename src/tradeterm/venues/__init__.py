"""Venue plug-ins: market data in (``venues.base.DataClient``), orders out
(``venues.base.ExecutionClient``); ``Venue`` is one object doing both."""
