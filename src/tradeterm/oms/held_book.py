"""The emulator's held orders in memory: every record of a group that is still open (a finished
leg's fills decide what its triggered sibling may send), the armed ones by instrument (what a
market event must look at), and the engine view ``views.held`` (the open ones)."""

from __future__ import annotations

from tradeterm.core.views import HeldOrdersView
from tradeterm.domain.held import HeldKind, HeldOrder


class HeldBook:
    def __init__(self, view: HeldOrdersView) -> None:
        self.view = view
        self.records: dict[str, HeldOrder] = {}
        self._children: dict[str, list[HeldOrder]] = {}
        self._armed: dict[str, dict[str, HeldOrder]] = {}

    # --- reads -----------------------------------------------------------------------------
    def get(self, held_id: str) -> HeldOrder | None:
        return self.records.get(held_id)

    def __contains__(self, held_id: object) -> bool:
        return held_id in self.records

    def children(self, parent_id: str) -> list[HeldOrder]:
        return self._children.get(parent_id, [])

    def parent(self, held: HeldOrder) -> HeldOrder | None:
        return self.records.get(held.parent_id) if held.parent_id else None

    def exits(self, bracket_id: str) -> list[HeldOrder]:
        return [c for c in self.children(bracket_id) if c.role in ("tp", "sl")]

    def role(self, parent_id: str, role: str) -> HeldOrder | None:
        return next((c for c in self.children(parent_id) if c.role == role), None)

    def others(self, held: HeldOrder) -> list[HeldOrder]:
        """The legs ``held`` cancels when it fills or triggers: an OCO's other leg; a bracket
        exit's other exit, and the entry too for the stop-loss."""
        parent = self.parent(held)
        if parent is None:
            return []
        legs = self.children(parent.held_id)
        if parent.kind is HeldKind.OCO:
            return [c for c in legs if c is not held]
        if held.role == "tp":
            return [c for c in legs if c.role == "sl"]
        if held.role == "sl":
            return [c for c in legs if c.role in ("tp", "entry")]
        return []

    def armed_on(self, instrument: str) -> list[HeldOrder]:
        armed = self._armed.get(instrument)
        return list(armed.values()) if armed else []

    @property
    def any_armed(self) -> bool:
        return any(self._armed.values())

    def open_records(self) -> list[HeldOrder]:
        return [h for h in self.records.values() if not h.is_terminal]

    # --- changes ---------------------------------------------------------------------------
    def add(self, held: HeldOrder) -> None:
        self.records[held.held_id] = held
        if held.parent_id:
            self._children.setdefault(held.parent_id, []).append(held)
        self.refile(held)

    def refile(self, held: HeldOrder) -> None:
        """``held`` changed: file it as armed or not, open or not (the view), and forget its
        group once every record of it has ended."""
        hid = held.held_id
        armed = self._armed.setdefault(held.instrument, {})
        if held.armed:
            armed[hid] = held
        else:
            armed.pop(hid, None)
        if held.is_terminal:
            self.view.orders.pop(hid, None)
        else:
            self.view.orders[hid] = held
        self.view.version += 1
        group = self.records.get(held.group_id)
        if group is not None and group.is_terminal:
            members = [group, *self.children(group.held_id)]
            if all(m.is_terminal for m in members):
                for m in members:
                    self.records.pop(m.held_id, None)
                self._children.pop(group.held_id, None)

    def clear(self) -> None:
        """No held order (a ``--paper`` replay going back, before the target's are filed)."""
        self.records.clear()
        self._children.clear()
        self._armed.clear()
        self.view.orders.clear()
        self.view.version += 1
