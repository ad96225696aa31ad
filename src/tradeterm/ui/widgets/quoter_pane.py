"""Quoter panel: state, reservation price, spread, sigma, k, A, inventory and the parameters in
force (EngineViews.quoters). Compact (five rows) in the 120x40 grid; one parameter a row when
the pane is tall (the 80x24 layout). The keys (on/off, parameters) are on the box's border."""

from __future__ import annotations

from collections.abc import Mapping

from tradeterm.core.views import QuoterView
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.widgets.fit import flow, flow_text
from tradeterm.ui.widgets.pane import Row, TextPane

STATE_STYLES = {
    "QUOTING": "bold green",
    "WARMING_UP": "bold yellow",
    "PULLED": "bold red",
    "OFF": "dim",
}
TALL = 12  # rows from which every parameter gets its own line


def num(value: float | None, fmt: str = ".3g") -> str:
    return "-" if value is None else format(value, fmt)


def ticks(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}t"


def fixed(value: object) -> str:
    """A configured model input, or 'est' when it is estimated from the market."""
    return "est" if value is None else format(value, "g")


class QuoterPane(TextPane):
    DEFAULT_CSS = "QuoterPane { height: 1fr; }"

    def __init__(
        self,
        quoters: Mapping[str, QuoterView],
        instruments: Mapping[str, Instrument] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.quoters = quoters
        self.instruments = instruments or {}
        self.instrument: str | None = None

    def on_resize(self) -> None:
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
        if not self.changed(
            id(q), q.version if q else -1, len(self.quoters), self.size.width, self.size.height
        ):
            return
        if q is None:
            hint = flow_text(
                "(run with --quoter, or [quoter] in the config)",
                [],
                max(10, self.size.width or 40),
                "",
            )
            self.set_rows(
                [(("no quoter", "dim italic"),), *(((line.strip(), "dim"),) for line in hint)]
            )
            return
        self.set_rows(self.rows(q, tall=self.size.height >= TALL))

    def _qty(self, q: QuoterView, lots: int) -> str:
        inst = self.instruments.get(q.instrument)
        return str(inst.lots_to_qty(lots)) if inst is not None else f"{lots} lots"

    def _price(self, q: QuoterView, ticks: float | None) -> str:
        """A model price (ticks, fractional) in the instrument's price units."""
        inst = self.instruments.get(q.instrument)
        if ticks is None or inst is None:
            return num(ticks, ".1f") + ("t" if ticks is not None else "")
        places = max(0, -int(inst.tick_size.normalize().as_tuple().exponent)) + 1
        return format(ticks * float(inst.tick_size), f".{places}f")

    def rows(self, q: QuoterView, tall: bool) -> list[Row]:
        """Labelled figures flow onto as many lines as the width needs (never cut); the
        parameter table puts a value under its label when both do not fit on one line."""
        p = q.params
        width = max(10, self.size.width or 40)
        badge = f" {q.state} "
        head = flow_text(
            f"{q.instrument.split(':')[-1]}" + (f"  {q.reason}" if q.reason else ""),
            [],
            width - len(badge) - 1,
            "",
        )
        rows: list[Row] = [
            ((badge, STATE_STYLES.get(q.state, "bold")), (" " + head[0].strip(), "bold"))
        ]
        rows += [(("  " + line.strip(), "italic yellow"),) for line in head[1:]]
        size = self._qty(q, q.order_lots) + (" auto" if p.get("order_size") is None else "")
        limit = self._qty(q, q.max_position_lots) + (
            " auto" if p.get("max_position") is None else ""
        )
        levels = f"{p.get('levels', '-')}×{p.get('level_step_ticks', '-')}t"
        top = p.get("max_spread_ticks")
        spread = f"{p.get('min_spread_ticks', '-')}–{'∞' if top is None else top}t"
        requote = f"{p.get('requote_ticks', '-')}t/{format(p.get('max_quote_age_s', 0), 'g')}s"
        inventory = [
            ("inv", f"{q.inventory:+d}/{q.max_position_lots} lots", ""),
            ("fills", str(q.fills), ""),
            ("rej", str(q.rejects), ""),
        ]
        model = [("σ", num(q.sigma), ""), ("k", num(q.k), ""), ("A", num(q.A), "")]
        if not tall:  # about 30 columns in the 120x40 grid
            return rows + flow(
                inventory
                + [("sprd", ticks(q.spread), "")]
                + model
                + [
                    ("γ", format(q.gamma, "g"), ""),
                    ("sz", self._qty(q, q.order_lots), ""),
                    ("max", self._qty(q, q.max_position_lots), ""),
                    ("lv", levels, ""),
                    ("sprd", spread, ""),
                    ("rq", requote, ""),
                ],
                width,
            )
        rows += flow(
            [
                (q.model, "", ""),
                ("res", self._price(q, q.reservation_price), ""),
                ("fair", self._price(q, q.fair_price), ""),
                ("spread", ticks(q.spread), ""),
            ],
            width,
        )
        rows += flow(model + ([("est", q.estimated, "")] if q.estimated else []), width)
        rows += flow(inventory, width)
        rows.append((("parameters", "bold underline"),))
        for label, value in (
            ("γ risk aversion", format(q.gamma, "g")),
            ("quote size", size),
            ("max position", limit),
            ("levels × step", levels),
            ("spread min–max", spread),
            ("requote move/age", requote),
            ("σ / k / A", f"{fixed(p.get('sigma'))} / {fixed(p.get('k'))} / {fixed(p.get('A'))}"),
        ):
            if 17 + len(value) <= width:
                rows.append(((f"{label:<16} ", "dim"), (value, "bold")))
            else:
                rows += [((label, "dim"),), ((f"  {value}", "bold"),)]
        return rows
