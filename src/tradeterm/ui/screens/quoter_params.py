"""The quoter's parameters (``p``): the editable ``[quoter]`` keys of the selected instrument's
quoter, with the values in force. Enter checks every field, then hands the changed ones to the
engine (``Kernel.update_quoter``, which validates them like the config file); any error is shown
inline with its reason and nothing is applied. Esc closes without changing anything."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label

from tradeterm.domain.instruments import Instrument
from tradeterm.ui.screens.form_focus import select_on_focus

# key, label, kind (float | int | qty), what a blank field means (None: a value is required)
FIELDS: list[tuple[str, str, str, str | None]] = [
    ("gamma", "γ risk aversion (per tick)", "float", None),
    ("order_size", "quote size ({base})", "qty", "2× min notional"),
    ("max_position", "max |position| ({base})", "qty", "10 quote sizes"),
    ("levels", "quotes per side (1-10)", "int", None),
    ("level_step_ticks", "level step (ticks)", "int", None),
    ("min_spread_ticks", "min spread (ticks)", "int", None),
    ("max_spread_ticks", "max spread (ticks)", "int", "no maximum"),
    ("requote_ticks", "requote when moved (ticks)", "int", None),
    ("max_quote_age_s", "requote when older (s)", "float", None),
    ("sigma", "σ (ticks/√s)", "float", "estimated"),
    ("k", "k (per tick)", "float", "estimated"),
    ("A", "A (per second)", "float", "estimated"),
]

KEYS = {key for key, *_ in FIELDS}
Apply = Callable[[dict[str, Any]], str | None]  # changes -> the engine's error, or None


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


def parse_field(kind: str, text: str, blank: str | None) -> Any:
    """The typed value, or ValueError with what is wrong."""
    text = text.strip()
    if not text:
        if blank is None:
            raise ValueError("a value is required")
        return None
    if not text.isascii():  # int(), float() and Decimal() read any Unicode digit
        raise ValueError(f"{text!r} is not a number (digits 0-9)")
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    if kind == "qty":
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number") from None
        if not value.is_finite():
            raise ValueError(f"{text!r} is not a number")
        return value
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


class QuoterParamsScreen(ModalScreen[dict[str, Any] | None]):
    DEFAULT_CSS = """
    QuoterParamsScreen { align: center middle; }
    QuoterParamsScreen > Vertical { width: 74; max-width: 100%; height: auto; border: thick $accent;
                                    background: $panel; padding: 0 1; }
    QuoterParamsScreen Horizontal { height: 1; }
    QuoterParamsScreen .param-label { width: 28; }
    QuoterParamsScreen Input { width: 14; }
    QuoterParamsScreen .param-hint { width: 1fr; padding-left: 1; color: $text-muted; }
    QuoterParamsScreen Input.-invalid { background: $error 40%; }
    QuoterParamsScreen #params-error { width: 100%; color: $error; text-style: bold; }
    QuoterParamsScreen #params-keys { width: 100%; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="quoter_params.close"),
        Binding("down", "app.focus_next", "Next field", show=False, id="quoter_params.next"),
        Binding("up", "app.focus_previous", "Prev field", show=False, id="quoter_params.prev"),
    ]

    def __init__(self, instrument: Instrument, values: Mapping[str, Any], apply: Apply) -> None:
        super().__init__()
        self.instrument = instrument
        self.values = dict(values)
        self.apply = apply

    def compose(self) -> ComposeResult:
        base = self.instrument.base
        with Vertical():
            yield Label(
                Text.assemble(
                    ("Quoter parameters", "bold"),
                    "  ",
                    self.instrument.symbol,
                    "   blank: automatic",
                )
            )
            for key, label, _kind, blank in FIELDS:
                with Horizontal():
                    yield Label(label.format(base=base), classes="param-label")
                    yield Input(
                        shown(self.values.get(key)),
                        id=f"param-{key}",
                        compact=True,
                        placeholder="blank" if blank else "",
                        select_on_focus=False,
                    )
                    yield Label(escape(f"blank: {blank}" if blank else ""), classes="param-hint")
            yield Label("", id="params-error")
            yield Label(
                "[b]Enter[/b] apply    [b]Tab[/b] or [b]up/down[/b] next field    "
                "[b]Esc[/b] close, nothing changed",
                id="params-keys",
            )

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False
        self.set_focus(self.query_one("#param-gamma", Input))  # now, not on a later turn

    def changes(self) -> tuple[dict[str, Any], list[str]]:
        """The fields that differ from the values in force, and an error per bad field."""
        changed: dict[str, Any] = {}
        errors: list[str] = []
        for key, _label, kind, blank in FIELDS:
            field = self.query_one(f"#param-{key}", Input)
            try:
                value = parse_field(kind, field.value, blank)
            except ValueError as exc:
                errors.append(f"{key}: {exc}")
                field.add_class("-invalid")
                continue
            field.remove_class("-invalid")
            if value != self.values.get(key):
                changed[key] = value
        return changed, errors

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is taken as the app reads it (ui/typed_keys.py): this is Textual's
        self.submit_typed(event.input)

    def submit_typed(self, field: Input) -> None:
        error = self.query_one("#params-error", Label)
        changed, errors = self.changes()
        if errors:
            error.update(escape("✗ " + "; ".join(errors) + " (nothing applied)"))
            return
        if changed:
            refused = self.apply(changed)
            if refused:
                error.update(escape(f"✗ {refused} (nothing applied)"))
                for part in refused.split("; "):  # "gamma: ...", "per_symbol.X.gamma: ..."
                    key = part.split(":")[0].split(".")[-1]
                    if key in KEYS:
                        self.query_one(f"#param-{key}", Input).add_class("-invalid")
                return
        self.dismiss(changed)

    def watch_focused(self, focused: Widget | None) -> None:
        select_on_focus(focused)  # keys are taken as read: ui/typed_keys.py

    def action_close(self) -> None:
        self.dismiss(None)
