"""Workstation keys for the side panes, composed into the app (``app.pane_keys``): the quoter of
the selected instrument (on/off, parameters) and the log pane's level filter. The app's key
actions only hand over to it.

Quoting changes go through the engine's API only (``Kernel.set_quoter``,
``Kernel.update_quoter``); the engine gives the reason when it refuses (no such quoter, trading
HALTED, a bad value), and the trader reads it on the command line's message row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from tradeterm.core.views import QuoterView
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.screens.quoter_params import QuoterParamsScreen
from tradeterm.ui.widgets.log_pane import LogPane

if TYPE_CHECKING:
    from tradeterm.ui.app import TradetermApp

# (box id, title) of the panes beside the ladder; at 80x24 one at a time, chosen by F-key
SIDE_PANES = [
    ("orders-box", "Orders"),
    ("fills-box", "Fills"),
    ("positions-box", "Positions"),
    ("pnl-box", "PnL"),
    ("risk-box", "Risk"),
    ("quoter-box", "Quoter"),
    ("tape-box", "Trades"),
    ("log-box", "Log"),
]

BINDINGS = [
    Binding("m", "quoter_toggle", "Quoter on/off", show=False, id="quoter.toggle"),
    Binding("p", "quoter_edit", "Quoter params", show=False, id="quoter.edit"),
    Binding("l", "log_level", "Log level", show=False, id="log.level"),
]

NO_QUOTER = (
    "no quoter in this session: start it with --quoter (glft or avellaneda_stoikov), "
    "or set [quoter] enabled = true in the config"
)


def key_for(app: Any, binding_id: str) -> str:
    """The key bound to ``binding_id`` now (remaps included), as the footer shows it."""
    bindings_map = app._bindings.copy()
    if app._keymap:
        bindings_map.apply_keymap(app._keymap)  # Textual remaps copies, at key time
    for key, bindings in bindings_map.key_to_bindings.items():
        for binding in bindings:
            if binding.id == binding_id:
                return app.get_key_display(binding.__class__(key, binding.action))
    return "?"


class PaneKeys:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app

    def _quoter_of_selected(self) -> tuple[Instrument, QuoterView | None]:
        inst = self.app.instruments[self.app.selected]
        view = self.app.kernel.views.quoters.get(inst.id)
        if view is None:
            quoting = ", ".join(
                self.app.kernel.instruments[i].symbol for i in self.app.kernel.views.quoters
            )
            self.app.cmdline.say(
                f"✗ no quoter for {inst.symbol} (quoting: {quoting}; add it to [quoter] symbols)"
                if quoting
                else f"✗ {NO_QUOTER}",
                False,
            )
        return inst, view

    def _show_side(self, box: str) -> None:
        self.app.action_side_pane([b for b, _ in SIDE_PANES].index(box))

    def quoter_toggle(self) -> None:
        inst, view = self._quoter_of_selected()
        if view is None:
            return
        self._show_side("quoter-box")
        on = not view.enabled
        if on and self.app.trading.needs_confirmation():

            def answered(yes: bool | None) -> None:
                if yes:
                    self._switch_quoter(inst, True)
                else:
                    self.app.cmdline.say("quoter left off", None)

            mode = self.app.kernel.views.status.mode
            self.app.push_screen(
                ConfirmScreen(
                    f"Switch the {inst.symbol} quoter on ({mode})?",
                    f"It places and replaces orders on its own: {view.model}, γ {view.gamma:g}, "
                    f"{view.params.get('levels', 1)} level(s) a side, max position "
                    f"{inst.lots_to_qty(view.max_position_lots)} {inst.base}.",
                ),
                answered,
            )
            return
        self._switch_quoter(inst, on)

    def _switch_quoter(self, inst: Instrument, on: bool) -> None:
        try:
            self.app.kernel.set_quoter(on, inst.id)
        except ValueError as exc:
            self.app.cmdline.say(f"✗ quoter not switched {'on' if on else 'off'}: {exc}", False)
            if on:
                self.app.notify(str(exc), severity="warning", timeout=6)
        else:
            self.app.cmdline.say(
                f"✓ quoter {inst.symbol} on"
                if on
                else f"✓ quoter {inst.symbol} off: its quotes are pulled",
                True,
            )
        self.app.refresh_views()

    async def quoter_edit(self) -> None:
        """``p``: the parameters form, open before the app reads the next key (what is typed
        straight after ``p`` is the form's: ``ui/typed_keys.py``)."""
        inst, view = self._quoter_of_selected()
        if view is None:
            return
        self._show_side("quoter-box")

        def apply(changes: dict[str, Any]) -> str | None:
            try:
                self.app.kernel.update_quoter(inst.id, **changes)
            except ValueError as exc:
                return str(exc)
            return None

        def done(changes: dict[str, Any] | None) -> None:
            if changes:
                said = ", ".join(f"{k} {'auto' if v is None else v}" for k, v in changes.items())
                self.app.cmdline.say(f"✓ quoter {inst.symbol}: {said}", True)
            elif changes is not None:
                self.app.cmdline.say("quoter parameters unchanged", None)
            self.app.refresh_views()

        await self.app.push_screen(QuoterParamsScreen(inst, view.params, apply), done)

    def log_level(self) -> None:
        main = self.app.screen_stack[0]
        pane = main.query_one(LogPane)
        level = pane.cycle_level()
        self._show_side("log-box")
        self.update_box_titles()
        pane.refresh_view()  # once, for the key press
        self.app.cmdline.say(f"log: {level} and above", None)

    def update_box_titles(self) -> None:
        """Titles that carry state: the log filter, and the quoter's keys when it runs."""
        main = self.app.screen_stack[0]
        index = [b for b, _ in SIDE_PANES].index("log-box")
        main.query_one("#log-box").border_title = f"{main.query_one(LogPane).title} F{index + 1}"
        if self.app.kernel.views.quoters:
            main.query_one("#quoter-box").border_subtitle = (
                f"{key_for(self.app, 'quoter.toggle')} on/off · {key_for(self.app, 'quoter.edit')} "
                "params"
            )
