"""``[ui.keys]``: what a remap may say, checked before the workstation starts.

Every binding with an id can be given other keys (``"app.quit" = "ctrl+q"``, several keys
comma-separated). A remap that cannot be meant is refused with the reason, by
``tradeterm config check`` and before the TUI starts: an id no binding has, a name that is not a
key, or a key that another binding already answers to where both are active at once (the
workstation's own keys and Textual's ctrl+q / ctrl+c / ctrl+p with the keys of any one pane;
a modal's keys among themselves). Textual would otherwise drop the other binding silently
(``"app.quit" = "b"`` took ``b`` from buy-at-cursor).

The bindings are read from the classes' ``BINDINGS``, so a binding added anywhere in ``ui/`` is
known here without a list to keep.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from textual.app import App
from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, KEY_TO_UNICODE_NAME, Keys, _character_to_key
from textual.screen import Screen
from textual.widget import Widget

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
NAMED = (
    {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")}
    | set(KEY_NAME_REPLACEMENTS.values())
    | set(KEY_TO_UNICODE_NAME)
)


@dataclass(frozen=True)
class Bound:
    binding_id: str | None  # None: Textual's own (ctrl+q quit, ctrl+p palette)
    keys: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Scope:
    """Bindings that can be active at the same time: the workstation (with the keys of one
    focused pane at a time), or one modal screen."""

    name: str
    own: tuple[Bound, ...]
    panes: tuple[tuple[str, tuple[Bound, ...]], ...] = ()


def _bound(bindings: list[Binding | tuple[str, ...]]) -> tuple[Bound, ...]:
    out = []
    for b in bindings:
        if not isinstance(b, Binding):
            b = Binding(*b)
        keys = tuple(key_name(k) for k in b.key.split(","))
        out.append(Bound(b.id, keys, b.description or b.action))
    return tuple(out)


@cache
def scopes() -> tuple[Scope, ...]:
    """The workstation and every modal, from the UI classes' ``BINDINGS``."""
    import tradeterm.ui
    from tradeterm.ui.app import TradetermApp

    for mod in pkgutil.walk_packages(tradeterm.ui.__path__, "tradeterm.ui."):
        if mod.name.startswith(("tradeterm.ui.screens", "tradeterm.ui.widgets")):
            importlib.import_module(mod.name)
    textual_own = [b for b in (*App.BINDINGS, *Screen.BINDINGS) if isinstance(b, Binding)]
    reserved = [
        Binding(b.key, b.action, b.description or b.action.replace("_", " ")) for b in textual_own
    ]
    reserved.append(Binding(App.COMMAND_PALETTE_BINDING, "command_palette", "command palette"))
    workstation = _bound([*TradetermApp.BINDINGS])
    ours = {k for bound in workstation for k in bound.keys}
    textual = tuple(b for b in _bound(reserved) if not set(b.keys) & ours)  # tab: ours too
    panes, modals = [], []
    for cls in _ui_classes(Widget):
        own = _bound(list(cls.__dict__.get("BINDINGS", [])))
        if not any(b.binding_id for b in own):
            continue
        if issubclass(cls, Screen):
            modals.append(Scope(cls.__name__, own))
        else:
            panes.append((cls.__name__, own))
    return (Scope("workstation", workstation + textual, tuple(panes)), *modals)


def _ui_classes(base: type) -> list[type]:
    found, todo = [], [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("tradeterm.ui.") and sub not in found:
                found.append(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def key_name(key: str) -> str:
    """Textual's name for a key: ``?`` -> ``question_mark``, ``ctrl+K`` stays as typed."""
    key = key.strip()
    return _character_to_key(key) if len(key) == 1 else key


def check_key(key: str) -> str | None:
    """Why ``key`` is not a key name, or None."""
    *mods, base = key.split("+")
    bad = [m for m in mods if m not in MODIFIERS]
    if bad or not base:
        return f"{key!r} is not a key: modifiers are {', '.join(MODIFIERS)}"
    if len(base) == 1 and base.isprintable() and not base.isspace():
        return None
    if base in NAMED or (base.startswith("f") and base[1:].isdigit() and 1 <= int(base[1:]) <= 24):
        return None
    return (
        f"{key!r} is not a key name (e.g. q, Q, ctrl+q, f5, space, question_mark, "
        "left_square_bracket)"
    )


def normalised(keys: Mapping[str, str]) -> dict[str, str]:
    """The remaps by key name, as Textual matches them (``?`` and ``question_mark`` are one
    key), so that a clash is found whichever way it was written."""
    return {bid: ",".join(key_name(k) for k in value.split(",")) for bid, value in keys.items()}


def problems(keys: Mapping[str, str]) -> list[str]:
    """One line per remap that cannot be meant: ``ui.keys."app.quit": ...``."""
    all_scopes = scopes()
    known = {
        b.binding_id for s in all_scopes for b in (*s.own, *(x for _, p in s.panes for x in p))
    } - {None}
    out, usable = [], {}
    for bid, value in keys.items():
        where = f'ui.keys."{bid}"'
        if bid not in known:
            near = difflib.get_close_matches(bid, sorted(known), n=1)
            hint = f"did you mean {near[0]}? " if near else ""
            out.append(
                f"{where}: no key binding has this id ({hint}the ids are listed by ? in "
                "the workstation and in the README)"
            )
        elif not isinstance(value, str) or not value.strip():
            out.append(f'{where}: give one or more keys, e.g. "ctrl+q" or "q,ctrl+q"')
        else:
            reasons = [r for r in (check_key(key_name(k)) for k in value.split(",")) if r]
            out += [f"{where}: {r}" for r in reasons]
            if not reasons:
                usable[bid] = value
    return out + _clashes(normalised(usable), all_scopes)


def _clashes(keys: Mapping[str, str], all_scopes: tuple[Scope, ...]) -> list[str]:
    out: list[str] = []

    def remapped(bound: tuple[Bound, ...]) -> list[tuple[Bound, tuple[str, ...]]]:
        return [
            (b, tuple(keys[b.binding_id].split(",")) if b.binding_id in keys else b.keys)
            for b in bound
        ]

    def check(
        together: list[tuple[Bound, tuple[str, ...]]], scope: str, pane: tuple[Bound, ...] = ()
    ) -> None:
        owner: dict[str, Bound] = {}
        for b, ks in together:
            for k in ks:
                other = owner.setdefault(k, b)
                if other is b or (b.binding_id not in keys and other.binding_id not in keys):
                    continue  # the defaults are the workstation's design, not a remap
                if pane and b not in pane and other not in pane:
                    continue  # between two workstation keys: said once, without the pane
                mine, theirs = (b, other) if b.binding_id in keys else (other, b)
                line = (
                    f'ui.keys."{mine.binding_id}": "{k}" is already {_named(theirs)}'
                    f"{' in ' + scope if scope != 'workstation' else ''}; choose another "
                    "key"
                    + ("" if theirs.binding_id is None else f" or move {theirs.binding_id} too")
                )
                if line not in out:
                    out.append(line)

    for scope in all_scopes:
        base = remapped(scope.own)
        check(base, scope.name)
        for pane, bound in scope.panes:
            check(base + remapped(bound), f"the {pane}", bound)
    return out


def _named(b: Bound) -> str:
    if b.binding_id is None:
        return f"Textual's {b.description.lower()} key"
    return f"the key of {b.binding_id} ({b.description})"
