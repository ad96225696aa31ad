"""The numbers in the settings tree, with their bounds: shared by the bounds tests, the config
fuzz and the extreme-value sessions."""

from __future__ import annotations

import typing
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from tradeterm.config import Settings

NUMBER = (int, float, Decimal)


def _numeric(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, NUMBER) and tp is not bool


def _models(tp: Any) -> list[type[BaseModel]]:
    found = [tp] if isinstance(tp, type) and issubclass(tp, BaseModel) else []
    for arg in typing.get_args(tp):
        found += _models(arg)
    return found


def numeric_leaves(model: type[BaseModel], prefix: str = "") -> list[tuple[str, Any, list]]:
    """(dotted key, annotation, constraints) of every number in the settings tree. A number
    inside a table or list (``balances``, ``default_size``) carries its constraints in an
    ``Annotated`` type; the key uses ``*`` for the table key and ``0`` for the list item."""
    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        subs = _models(field.annotation)
        if subs:
            origin = typing.get_origin(field.annotation)
            step = ".0." if origin is list else ".*." if origin is dict else "."
            out += numeric_leaves(subs[0], key + step)
            continue
        out += _numbers_in(key, field.annotation, list(field.metadata))
    return out


def _numbers_in(key: str, tp: Any, metadata: list) -> list[tuple[str, Any, list]]:
    if typing.get_origin(tp) is typing.Annotated:
        inner, *extra = typing.get_args(tp)
        flat = []
        for m in extra:
            flat += list(getattr(m, "metadata", [m]))
        return _numbers_in(key, inner, metadata + flat)
    if _numeric(tp):
        return [(key, tp, metadata)]
    if typing.get_origin(tp) is dict:
        return _numbers_in(key + ".*", typing.get_args(tp)[1], [])
    if typing.get_origin(tp) is typing.Literal:
        return []
    out = []
    for arg in typing.get_args(tp):  # X | None, Decimal | dict[str, Decimal]
        if arg is not type(None):
            out += _numbers_in(key, arg, metadata)
    return out


def all_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every key of the settings tree, tables and lists of sections included."""
    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        out.append(key)
        subs = _models(field.annotation)
        if subs:
            origin = typing.get_origin(field.annotation)
            step = ".0." if origin is list else ".*." if origin is dict else "."
            out += all_keys(subs[0], key + step)
    return out


def toml_setting(key: str, raw: str) -> str:
    """A TOML document that sets ``key`` (dotted; ``0`` is the first item of a list of
    sections, ``*`` a table key) to the TOML value ``raw``, with the other required keys of
    the section it is in."""
    parts = key.split(".")
    if parts[:3] == ["sim", "instruments", "0"]:
        return (
            "[[sim.instruments]]\nsymbol='X/USD'\nbase='X'\nquote='USD'\ntick_size=1\n"
            f"lot_size=1\nstart_price=100\n{parts[3]} = {raw}\n"
        )
    if parts[:3] == ["exchange", "symbols", "0"]:
        return (
            "[[exchange.symbols]]\nsymbol='XUSD'\nbase='X'\nquote='USD'\ntick_size=1\n"
            "step_size=1\nstart_price=100\nmaker_median_qty=1\ntaker_median_qty=1\n"
            f"{parts[3]} = {raw}\n"
        )
    if parts[:3] == ["exchange", "accounts", "0"]:
        if parts[3:] == ["balances", "*"]:
            return f"[[exchange.accounts]]\napi_key='k'\napi_secret='s'\nbalances.USD = {raw}\n"
        return f"[[exchange.accounts]]\napi_key='k'\napi_secret='s'\n{parts[3]} = {raw}\n"
    if parts[1:3] in (["per_symbol", "*"], ["instruments", "*"]):
        return f"[{parts[0]}.{parts[1]}.'X/USD']\n{parts[3]} = {raw}\n"
    if parts[-1] == "*":
        return f"[{'.'.join(parts[:-2])}]\n{parts[-2]} = {{ 'X' = {raw} }}\n"
    if len(parts) == 1:
        return f"{parts[0]} = {raw}\n"
    return f"[{'.'.join(parts[:-1])}]\n{parts[-1]} = {raw}\n"


LEAVES = numeric_leaves(Settings)
KEYS = all_keys(Settings)
