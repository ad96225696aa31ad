"""Where settings come from, and in which order they win: the command line, then the
``TRADETERM_*`` environment, then the TOML file, then the defaults.

Each source is read into a plain nested dict (a ``Layer``); the layers are merged key by key,
the stronger over the weaker (tables merge, any other value replaces), and the result is
validated once. A bad value is reported with its key, the reason and the source it came from
(``sim.seed: ... (got -1, from TRADETERM_SIM__SEED)``), so the trader knows what to change.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource
from pydantic_settings.exceptions import SettingsError

from tradeterm.config.base import ConfigError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Layer:
    """One source's values, as nested dicts: ``{"sim": {"seed": 42}}``."""

    name: str  # "the command line", "the environment", or the file's path
    values: Mapping[str, Any]

    def depth(self, loc: tuple[Any, ...]) -> int:
        """How many leading parts of ``loc`` this layer has a value for (0: none). Reaching a
        value that is not a table counts as the whole path: that value is what was given."""
        node: Any = self.values
        for n, part in enumerate(loc):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return n if isinstance(node, Mapping | list) else len(loc)
        return len(loc)

    def where(self, loc: tuple[Any, ...]) -> str:
        if self.name != ENVIRONMENT:
            return self.name
        names = {k.upper() for k in os.environ}
        for n in range(len(loc), 0, -1):  # the variable that set it: TRADETERM_SIM__SEED
            var = "TRADETERM_" + "__".join(str(p) for p in loc[:n]).upper()
            if var in names:
                return var
        return self.name


ENVIRONMENT = "the environment"
COMMAND_LINE = "the command line"


def merge(weaker: Mapping[str, Any], stronger: Mapping[str, Any]) -> dict[str, Any]:
    """``stronger`` over ``weaker``: tables merge key by key, any other value replaces."""
    out = dict(weaker)
    for key, value in stronger.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory") from None
    except PermissionError:
        raise ConfigError(f"config file {path} cannot be read (permission denied)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None


def read_environment(settings_cls: type[BaseSettings]) -> dict[str, Any]:
    """The ``TRADETERM_*`` variables as nested values (``TRADETERM_SIM__SEED`` -> sim.seed)."""
    try:
        return EnvSettingsSource(settings_cls)()
    except SettingsError as exc:  # a table or list variable that is not valid JSON
        field = str(exc).split('"')[1].upper() if '"' in str(exc) else ""
        named = sorted(k for k in os.environ if k.upper().startswith(f"TRADETERM_{field}"))
        raise ConfigError(
            f"invalid configuration: {', '.join(named) or 'TRADETERM_*'}: a table "
            "or list given in the environment must be JSON, e.g. "
            'TRADETERM_UI__KEYS=\'{"app.quit": "ctrl+q"}\''
        ) from None


def layers(
    settings_cls: type[BaseSettings], path: Path | str | None, flags: Mapping[str, Any]
) -> list[Layer]:
    """The sources, strongest first."""
    found = [Layer(COMMAND_LINE, flags), Layer(ENVIRONMENT, read_environment(settings_cls))]
    if path is not None:
        found.append(Layer(str(path), read_file(Path(path))))
    return found


def compose(sources: list[Layer]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for layer in reversed(sources):  # weakest first, each stronger one over it
        data = merge(data, layer.values)
    return data


def load(settings_cls: type[M], path: Path | str | None, flags: Mapping[str, Any]) -> M:
    sources = layers(settings_cls, path, flags)  # type: ignore[arg-type]
    try:
        return settings_cls(**compose(sources))
    except ValidationError as exc:
        lines = "\n".join("  " + describe(e, sources) for e in exc.errors())
        raise ConfigError(f"invalid configuration:\n{lines}") from None


def describe(err: Mapping[str, Any], sources: list[Layer]) -> str:
    """``sim.seed: Input should be ... (got -1, from TRADETERM_SIM__SEED)``."""
    loc = tuple(err["loc"])
    key = ".".join(str(p) for p in loc) or "(top level)"
    depth, origin = max(((layer.depth(loc), -n) for n, layer in enumerate(sources)), default=(0, 0))
    where = f"from {sources[-origin].where(loc)}" if depth else ""
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown key (check its spelling and section; {where})"
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f"got {got!r}"
    detail = ", ".join(p for p in (shown, where) if p)
    return f"{key}: {err['msg'].removeprefix('Value error, ')}" + (f" ({detail})" if detail else "")
