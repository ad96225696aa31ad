"""The order ticket (``t``): an order typed in the command-line grammar, with a live pre-trade
preview: every risk check passed or failed with its reason, the notional, and the position
after a full fill. Enter sends (through risk again), Esc closes."""

from __future__ import annotations

from collections.abc import Callable

from msgspec.structs import replace
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tradeterm.domain.commands import SubmitOrder
from tradeterm.orderentry import EntryContext, GrammarError, parse
from tradeterm.ui.trading import Trading


class TicketScreen(ModalScreen[SubmitOrder | None]):
    DEFAULT_CSS = """
    TicketScreen { align: center middle; }
    TicketScreen > Vertical { width: 84; height: auto; border: thick $accent; background: $panel;
                              padding: 0 1; }
    TicketScreen Label, TicketScreen Static { width: 100%; }
    TicketScreen #ticket-input { border: tall $accent; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="ticket.close")]

    def __init__(self, trading: Trading, context: Callable[[], EntryContext], line: str) -> None:
        super().__init__()
        self.trading = trading
        self.context = context
        self.line = line
        self.order: SubmitOrder | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("[b]Order ticket[/b]   e.g. b 0.5 @ 61800 · s 1 mkt · b 0.1 @ bid-2t ioc")
            yield Input(value=self.line, id="ticket-input")
            yield Static(id="ticket-preview")
            yield Label("Enter: send   Esc: close")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.update_preview(self.line)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.update_preview(event.value)

    def update_preview(self, line: str) -> None:
        self.query_one("#ticket-preview", Static).update(self.preview_text(line))

    def preview_text(self, line: str) -> Text:
        ctx = self.context()
        ctx.next_id = lambda: "TICKET"  # the preview takes no order id
        out = Text()
        self.order = None
        try:
            cmd = parse(line, ctx)
        except GrammarError as exc:
            out.append(f"✗ {exc}", "bold red")
            return out
        if not isinstance(cmd, SubmitOrder):
            out.append("the ticket takes orders; use the command line (:) for cancels",
                       "yellow")
            return out
        self.order = cmd
        out.append(self.trading.describe(cmd) + "\n", "bold")
        for check in self.trading.kernel.preview(cmd):
            if check.passed:
                out.append(f"  ✓ {check.check}\n", "green")
            else:
                out.append(f"  ✗ {check.check}: {check.code} {check.message}\n", "bold red")
        out.append(self.trading.exposure(cmd))
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.order is None:
            return
        self.dismiss(replace(self.order, client_order_id=self.trading.kernel.next_order_id()))

    def action_close(self) -> None:
        self.dismiss(None)
