"""Which types the journal can hold, and how each field is stored as a column.

The registry is built from the domain modules themselves: every tagged ``msgspec.Struct`` found
in ``tradeterm.domain.*`` (plus the journal's own record types) is recordable, and the column
layout of each is derived from its field annotations with ``msgspec.inspect``. Nothing is listed
by hand, so a new event type added to ``domain/`` is recorded without touching this package.

Column kinds:

* ``int``: an integer column (delta / relative / GCD transforms chosen per block);
* ``optint``: ``int | None``: a presence mask plus the present integers;
* ``levels``: ``list[tuple[int, ...]]`` or ``list[int]`` (book levels): a length column plus one
  integer column per tuple position over the flattened items;
* ``cat``: any hashable value (str, enums, bool, Decimal, optional of those): a per-block
  dictionary plus small integer codes;
* ``obj``: anything else: the values msgpack-encoded as one list.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any

import msgspec
from msgspec import inspect as mi

KIND_INT, KIND_OPTINT, KIND_LEVELS, KIND_CAT, KIND_OBJ = "int", "optint", "levels", "cat", "obj"

_HASHABLE = (
    mi.StrType,
    mi.BoolType,
    mi.EnumType,
    mi.LiteralType,
    mi.DecimalType,
    mi.NoneType,
    mi.IntType,
    mi.FloatType,
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: str
    annotation: Any  # the Python type, for decoding dictionaries and fallback lists
    width: int = 0  # levels: items per level (0 = plain ints)
    group: str = ""  # columns of one group may be stored relative to each other
    has_default: bool = False
    default: Any = None


@dataclass(frozen=True, slots=True)
class TypeSpec:
    tag: str
    cls: type
    fields: tuple[FieldSpec, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _group(name: str) -> str:
    """Columns that measure the same thing: ``ts*`` (times), else the last ``_`` word."""
    if name.startswith("ts") or name == "_rec":
        return "ts"
    return name.rsplit("_", 1)[-1] if "_" in name else name


def _kind(t: Any) -> tuple[str, int]:
    if isinstance(t, mi.IntType):
        return KIND_INT, 0
    if isinstance(t, mi.UnionType):
        members = t.types
        if (
            len(members) == 2
            and any(isinstance(m, mi.NoneType) for m in members)
            and any(isinstance(m, mi.IntType) for m in members)
        ):
            return KIND_OPTINT, 0
        if all(isinstance(m, _HASHABLE) for m in members):
            return KIND_CAT, 0
        return KIND_OBJ, 0
    if isinstance(t, mi.ListType):
        item = t.item_type
        if isinstance(item, mi.IntType):
            return KIND_LEVELS, 1
        if (
            isinstance(item, mi.TupleType)
            and item.item_types
            and all(isinstance(x, mi.IntType) for x in item.item_types)
        ):
            return KIND_LEVELS, len(item.item_types)
        return KIND_OBJ, 0
    if isinstance(t, _HASHABLE):
        return KIND_CAT, 0
    return KIND_OBJ, 0


def type_spec(cls: type) -> TypeSpec:
    info: Any = mi.type_info(cls)
    hints = msgspec.structs.fields(cls)
    fields = []
    for fi, field in zip(info.fields, hints, strict=True):
        kind, width = _kind(fi.type)
        default = (
            None
            if fi.required
            else (fi.default if fi.default is not msgspec.NODEFAULT else fi.default_factory())
        )
        fields.append(
            FieldSpec(fi.name, kind, field.type, width, _group(fi.name), not fi.required, default)
        )
    config: Any = cls.__struct_config__  # type: ignore[attr-defined]  # a tagged msgspec Struct
    tag: str = config.tag
    return TypeSpec(tag, cls, tuple(fields))


def _tagged_structs(module: Any) -> list[type]:
    found = []
    for obj in vars(module).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, msgspec.Struct)
            and isinstance(obj.__struct_config__.tag, str)
            and obj.__module__ == module.__name__
        ):
            found.append(obj)
    return found


class Registry:
    """Tag -> TypeSpec for every recordable type; built once, extendable for plug-ins."""

    def __init__(self) -> None:
        self.by_tag: dict[str, TypeSpec] = {}
        self.by_cls: dict[type, TypeSpec] = {}

    def add(self, cls: type) -> TypeSpec:
        spec = self.by_cls.get(cls)
        if spec is None:
            spec = type_spec(cls)
            other = self.by_tag.get(spec.tag)
            if other is not None and other.cls is not cls:
                raise ValueError(
                    f"two recordable types share the tag {spec.tag!r}: "
                    f"{other.cls.__module__} and {cls.__module__}"
                )
            self.by_tag[spec.tag] = spec
            self.by_cls[cls] = spec
        return spec

    def add_module(self, module: Any) -> None:
        for cls in _tagged_structs(module):
            self.add(cls)


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The registry of every tagged Struct in ``tradeterm.domain`` and ``tradeterm.record``."""
    global _REGISTRY
    if _REGISTRY is None:
        reg = Registry()
        import tradeterm.domain as domain

        for info in sorted(pkgutil.iter_modules(domain.__path__), key=lambda m: m.name):
            reg.add_module(importlib.import_module(f"tradeterm.domain.{info.name}"))
        from tradeterm.record import records

        reg.add_module(records)
        _REGISTRY = reg
    return _REGISTRY
