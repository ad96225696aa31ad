"""The order ticket (``t``): an order typed in the command-line grammar, with a live pre-trade
preview: every risk check passed or failed with its reason, the notional, and the position
after a full fill. The preview is redrawn as the line changes and on a timer while the ticket
is open, so a relative price (``bid-10t``) and every check (a kill switch tripped meanwhile)
show the state of now. Enter hands the line back: it is parsed again against the book of the
moment it is sent, and goes through risk again. Esc closes.

The app reads no further key after ``t`` until the ticket is there with its field focused, and
then acts on each key as it reads it (``ui/typed_keys.py``): a line typed straight after ``t``
is the ticket's, never keys for the ladder below it, and the keys after its Enter
(``send_typed``) are the ladder's again."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.orderentry import GrammarError
from tradeterm.ui.trading import Trading

REFRESH_S = 0.25  # the preview follows the book and the trading state this often


class TicketScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    TicketScreen { align: center middle; }
    TicketScreen > Vertical { width: 84; max-width: 100%; height: auto; max-height: 100%;
                              border: thick $accent; background: $panel; padding: 0 1; }
    TicketScreen Label, TicketScreen Static { width: 100%; }
    TicketScreen #ticket-input { border: tall $accent; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="ticket.close")]

    def __init__(self, trading: Trading, instrument: Instrument, line: str) -> None:
        super().__init__()
        self.trading = trading
        self.instrument = instrument
        self.line = line
        self.valid = False  # the line parses into an order now

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]Order ticket[/b]  {escape(self.instrument.symbol)}")
            yield Input(value=self.line, id="ticket-input", select_on_focus=False)
            yield Static(id="ticket-preview")
            yield Label(
                "e.g. b 0.5 @ 61800 · s 1 mkt · b 0.1 @ bid-2t ioc\n"
                "Enter: send (priced when sent) · Esc: close"
            )

    def on_mount(self) -> None:
        field = self.field
        self.set_focus(field)  # now: the next key read is the field's
        field.select_all()  # now too (not on the focus event): a line typed at once replaces it
        self.update_preview()
        self.set_interval(REFRESH_S, self.update_preview)

    @property
    def field(self) -> Input:
        return self.query_one(Input)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.line = event.value
        self.update_preview()

    def update_preview(self) -> None:
        self.query_one("#ticket-preview", Static).update(self.preview_text(self.line))

    def preview_text(self, line: str) -> Text:
        out = Text()
        self.valid = False
        try:
            cmd = self.trading.parse(line, self.instrument, preview=True)
        except GrammarError as exc:
            out.append(f"✗ {exc}", "bold red")
            return out
        if not isinstance(cmd, SubmitOrder):
            out.append("the ticket takes orders; use the command line (:) for cancels", "yellow")
            return out
        self.valid = True
        out.append(self.trading.describe(cmd) + "\n", "bold")
        checks = self.trading.kernel.preview(cmd)
        for check in checks:  # each failure on its own lines, with the reason
            if not check.passed:
                out.append(f"✗ {check.check}: {check.code} {check.message}\n", "bold red")
        passed = [c.check for c in checks if c.passed]
        if passed:  # the passes together, so the ticket fits a 24-line terminal
            out.append("✓ " + " · ".join(passed) + "\n", "green")
        out.append(self.trading.exposure(cmd))
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is taken as the app reads it; this is the field's own submit
        self.send_typed()

    def send_typed(self) -> None:
        """Enter: the line handed back to be sent, if it is an order now; else the ticket stays
        and says why."""
        self.line = self.field.value
        self.update_preview()
        if self.valid:
            self.dismiss(self.line)

    def action_close(self) -> None:
        self.dismiss(None)
