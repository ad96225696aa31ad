"""Quoter panel: state, reservation price, spread, sigma, k, A, inventory (EngineViews.quoters)."""

from __future__ import annotations

from collections.abc import Mapping

from tradeterm.core.views import QuoterView
from tradeterm.ui.widgets.pane import Row, TextPane

STATE_STYLES = {"QUOTING": "bold green", "WARMING_UP": "bold yellow", "PULLED": "bold red",
                "OFF": "dim"}


def num(value: float | None, fmt: str = ".3g") -> str:
    return "-" if value is None else format(value, fmt)


class QuoterPane(TextPane):
    DEFAULT_CSS = "QuoterPane { height: 1fr; }"

    def __init__(self, quoters: Mapping[str, QuoterView], **kwargs) -> None:
        super().__init__(**kwargs)
        self.quoters = quoters
        self.instrument: str | None = None
        self._drawn: tuple[object, ...] | None = None

    def on_mount(self) -> None:
        self.refresh_view()

    def show(self, instrument_id: str) -> None:
        self.instrument = instrument_id
        self.refresh_view()

    def current(self) -> QuoterView | None:
        if self.instrument in self.quoters:
            return self.quoters[self.instrument]
        return next(iter(self.quoters.values()), None)

    def refresh_view(self) -> None:
        q = self.current()
        key = (id(q), q.version if q else -1, len(self.quoters), self.size.width)
        if key == self._drawn:
            return
        self._drawn = key
        if q is None:
            self.set_rows([(("no quoter", "dim italic"),),
                           (("(run with --quoter, or [quoter] in the config)", "dim"),)])
            return
        est = f" est:{q.estimated}" if q.estimated else ""
        rows: list[Row] = [
            ((f" {q.state} ", STATE_STYLES.get(q.state, "bold")), (f" {q.instrument}", "bold"),
             (f"  {q.reason}" if q.reason else "", "italic yellow")),
            ((f"res {num(q.reservation_price, '.1f')}  fair {num(q.fair_price, '.1f')}  "
              f"spread {num(q.spread, '.2f')}t", ""),),
            ((f"σ {num(q.sigma)}  k {num(q.k)}  A {num(q.A)}  γ {q.gamma:g}{est}", ""),),
            ((f"inv {q.inventory:+d}/{q.max_position_lots} lots  fills {q.fills}  "
              f"rej {q.rejects}", ""),),
        ]
        self.set_rows(rows)
