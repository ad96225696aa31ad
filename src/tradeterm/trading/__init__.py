"""Trading: the desk (risk, OMS, portfolio and kill switch as one unit, ``desk.py``) and what sits
on it: its watch over the venues (``venue_watch.py``), the quoters' wiring (``quoter_wiring.py``),
the trader's requests and the venue's answers to them, and the order-entry grammar
(``orderentry.py``) with its text (``order_text.py``)."""
