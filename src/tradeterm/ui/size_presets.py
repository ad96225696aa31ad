"""Size presets (``[ui.sizes]``): the order sizes a trader cycles through per instrument, and
the one in force, used by b / s on the ladder, the join keys and the ticket's default quantity.

An instrument's list is found by its symbol, then its base asset, then ``"*"``; with none of
these, it is ``ui.default_size`` times 1, 2, 5 and 10 (rounded down to the order step). A size
written in ``[ui.sizes]`` must be a whole multiple of the instrument's order step (its lot
times ``qty_step_lots``): a size off the step is refused with one line naming the key, never
rounded (the trader would send a size they did not write).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from tradeterm.config import ConfigError, Settings

DEFAULT_MULTIPLES = (1, 2, 5, 10)  # of ui.default_size, when no list names the instrument


class Sized(Protocol):
    """What the presets need of an instrument (``Instrument``, or a sim instrument's config)."""

    @property
    def symbol(self) -> str: ...
    @property
    def base(self) -> str: ...
    @property
    def lot_size(self) -> Decimal: ...


def _step_lots(inst: Sized) -> int:
    return int(getattr(inst, "qty_step_lots", 1))


def _by_name(table: Mapping[str, object], inst: Sized) -> str | None:
    for name in (inst.symbol, inst.base, "*"):
        if name in table:
            return name
    return None


def default_size(settings: Settings, inst: Sized) -> Decimal:
    size = settings.ui.default_size
    if isinstance(size, dict):
        name = _by_name(size, inst)
        return size[name] if name is not None else inst.lot_size
    return size


def presets_in_lots(settings: Settings, inst: Sized) -> tuple[int, ...]:
    """The instrument's presets in lots, in the order written (no check: see ``problems``)."""
    step = _step_lots(inst)
    name = _by_name(settings.ui.sizes, inst)
    if name is not None:
        return tuple(int(q / inst.lot_size) for q in settings.ui.sizes[name])
    base = default_size(settings, inst)
    out: list[int] = []
    for times in DEFAULT_MULTIPLES:
        lots = int(base * times / inst.lot_size) // step * step
        lots = max(step, lots)
        if lots not in out:
            out.append(lots)
    return tuple(out)


def problems(settings: Settings, instruments: Iterable[Sized]) -> list[str]:
    """One line per written preset an instrument cannot trade: off its order step, or under
    one step."""
    out: list[str] = []
    for inst in instruments:
        name = _by_name(settings.ui.sizes, inst)
        if name is None:
            continue
        step = inst.lot_size * _step_lots(inst)
        for qty in settings.ui.sizes[name]:
            if qty % step or qty < step:
                line = (
                    f'ui.sizes."{name}": {qty.normalize():f} is not a multiple of '
                    f"{inst.symbol}'s order step {step.normalize():f}"
                    if qty >= step
                    else f'ui.sizes."{name}": {qty.normalize():f} is under '
                    f"{inst.symbol}'s smallest order {step.normalize():f}"
                )
                if line not in out:
                    out.append(line)
    return out


def require_valid(settings: Settings, instruments: Iterable[Sized]) -> None:
    found = problems(settings, instruments)
    if found:
        raise ConfigError("invalid configuration:\n" + "\n".join("  " + p for p in found))


class SizePresets:
    """The presets of a session's instruments and the one in force for each (the first, until
    the trader cycles)."""

    def __init__(self, settings: Settings, instruments: Sequence[Sized], ids: Sequence[str]):
        self.lots = {iid: presets_in_lots(settings, i) for iid, i in zip(ids, instruments)}
        self.chosen = dict.fromkeys(ids, 0)

    def current(self, iid: str) -> int:
        """The size in force, in lots."""
        return self.lots[iid][self.chosen[iid]]

    def cycle(self, iid: str, step: int = 1) -> int:
        """The next (``step`` 1) or previous (-1) preset, round the list; returns it in lots."""
        self.chosen[iid] = (self.chosen[iid] + step) % len(self.lots[iid])
        return self.current(iid)

    def position(self, iid: str) -> tuple[int, int]:
        """(the preset's place from 1, how many there are)."""
        return self.chosen[iid] + 1, len(self.lots[iid])
