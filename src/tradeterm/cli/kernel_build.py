"""The kernel of a ``paper``, ``live`` or ``record`` command, with what refuses a session at
start (another session holds the data dir, the store is damaged, the venue cannot be reached or
does not list the symbols) turned into one usage line that says what to do."""

from __future__ import annotations

from tradeterm.cli.errors import UsageError
from tradeterm.config import Settings
from tradeterm.runtime.kernel import Kernel
from tradeterm.runtime.options import RunOptions
from tradeterm.runtime.venue_registry import VenueChoice, VenueSetupError


def build_kernel(
    settings: Settings, options: RunOptions, venue: VenueChoice | None = None
) -> Kernel:
    from tradeterm.oms.store import StoreError
    from tradeterm.runtime.control import SessionLocked

    try:
        return Kernel(settings, options, venue=venue)
    except (SessionLocked, StoreError, VenueSetupError) as exc:
        raise UsageError(str(exc)) from None
