"""The command line: one module per subcommand (``paper`` is ``run.py``; ``kill`` and ``rearm``
are ``kill.py``), the grammar in ``parser.py``, the dispatch in ``main.py``. ``main`` is here
because the ``tradeterm`` console script and ``python -m tradeterm`` start it."""

from tradeterm.cli.main import main

__all__ = ["main"]
