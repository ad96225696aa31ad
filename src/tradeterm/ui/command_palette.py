"""The command palette's entries, composed into the app (``app.palette``): every workstation
action the help screen lists (its keys and binding id; an action on a pane only while that pane
has focus), re-arming, the kill switch, the live confirmation and the themes. The app adds
Textual's own commands after these.

The palette itself is Textual's, opened as ``PaletteScreen``: one opening runs one command.
Textual's palette hands every key to its search field before it acts on the Enter among them,
so in a burst (``Re-arm trading⏎⏎safe now⏎``) the keys after the Enter that ran a command still
reach the closing palette: a second Enter closed it again (with only the main screen below, the
workstation ended: ``ScreenStackError``; with the command's form above, the form went) and ran
the command once more (a second order for "Buy at best bid"). Once closed, it takes nothing:
the keys typed into it meanwhile are lost, and the command's form opens empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import SystemCommand
from textual.await_complete import AwaitComplete
from textual.command import CommandPalette as TextualPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList

from tradeterm.ui.screens.help import HelpScreen

if TYPE_CHECKING:
    from tradeterm.ui.app import TradetermApp


class CommandPalette:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app

    def open(self) -> None:
        """ctrl+p: the palette, unless it is open."""
        app = self.app
        if app.use_command_palette and not TextualPalette.is_open(app):
            app.push_screen(PaletteScreen())

    def binding_nodes(self) -> list:
        """Where the bindings the help screen and the palette list live: the app, the screen
        and every widget on it."""
        app = self.app
        return [app, app.screen, *app.screen.query("*")]

    def commands(self) -> Iterable[SystemCommand]:
        """Every workstation action with its keys and binding id, then re-arm, the kill switch,
        the live confirmation (until confirmed) and the themes."""
        app = self.app
        for _where, keys, description, binding_id in HelpScreen(self.binding_nodes()).entries:
            action = self._action_for(binding_id)
            if action is not None:
                yield SystemCommand(
                    description, f"{keys}  ·  {binding_id}", lambda a=action: app.run_action(a)
                )
        yield SystemCommand(
            "Re-arm trading",
            "leave HALTED / REDUCING: a reason and a typed confirmation",
            app.action_rearm,
        )
        yield SystemCommand(
            "Kill switch (ctrl+k)",
            "HALT trading and cancel every working order",
            app.action_kill_switch,
        )
        if not app.kernel.live_confirmed:
            yield SystemCommand(
                "Confirm live trading",
                "type the venue's name to enable order entry (LIVE)",
                app.action_confirm_live,
            )
        for name in sorted(app.palettes):
            yield SystemCommand(
                f"Theme: {name.removeprefix('tradeterm-')}",
                "switch the colour theme (kept for the next session)",
                lambda n=name: app.choose_theme(n),
            )

    def _action_for(self, binding_id: str) -> str | None:
        app = self.app
        for node in self.binding_nodes():
            for bindings in node._bindings.key_to_bindings.values():
                for binding in bindings:
                    if binding.id == binding_id:
                        prefix = "" if node is app else ("focused." if node is app.focused else "")
                        if node is not app and node is not app.focused:
                            return None  # acts on a pane that is not focused
                        return prefix + binding.action
        return None


class PaletteScreen(TextualPalette):
    """Textual's palette, closed once: then it runs no command and closes nothing more."""

    def __init__(self) -> None:
        super().__init__(id="--command-palette")
        self._closed = False

    def dismiss(self, result: object = None) -> AwaitComplete:
        if self._closed:  # the next Enter or Esc of a burst: the screen above is not ours
            return AwaitComplete()
        self._closed = True
        return super().dismiss(result)

    @on(Input.Submitted)
    @on(Button.Pressed)
    @on(OptionList.OptionSelected)
    def _closed_takes_nothing(self, event: Message) -> None:
        """Before Textual's own handlers (this class comes first): once closed, an Enter, a
        click or a pick of the list does not reach them."""
        if self._closed:
            event.stop()
            event.prevent_default()
