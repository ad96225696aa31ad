"""API keys for live venues: from the environment or a secrets file only the owner can read.

Where a venue's key comes from, first match wins:

1. ``TRADETERM_<VENUE>_KEY`` and ``TRADETERM_<VENUE>_SECRET`` in the environment (``VENUE`` is
   the venue name in capitals with anything not a letter or digit as ``_``: ``binance`` ->
   ``BINANCE``, ``ccxt:kraken`` -> ``CCXT_KRAKEN``);
2. the secrets file (``--secrets FILE``, else ``<data_dir>/secrets.toml``), a TOML table per
   venue::

       [binance]
       key = "..."
       secret = "..."

The file must be a regular file owned by the user with mode 0600 (no group or other access),
like ``~/.netrc``: anything looser is refused with a message saying how to fix it, and the keys
in it are not used. Keys are handed over only inside ``VenueKeys``, whose every representation
is masked; they are never logged, journaled or stored.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SecretsError(Exception):
    """The keys cannot be used: a message for the trader saying what to do."""


@dataclass(frozen=True, slots=True)
class VenueKeys:
    venue: str
    key: str = field(repr=False)
    secret: str = field(repr=False)
    source: str = ""  # "environment" or the file's path (never the keys)
    extra: dict[str, str] = field(default_factory=dict, repr=False)  # e.g. a ccxt password

    def __repr__(self) -> str:
        return f"VenueKeys({self.venue}, *** from {self.source})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("keys cannot be serialised")


def env_prefix(venue: str) -> str:
    return "TRADETERM_" + re.sub(r"[^A-Z0-9]", "_", venue.upper())


def check_private(path: Path) -> None:
    """Refuse a secrets file that anyone but its owner can read or write (like netrc)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise SecretsError(f"cannot read secrets file {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecretsError(f"secrets file {path} is not a regular file")
    if st.st_uid != os.getuid():
        raise SecretsError(f"secrets file {path} belongs to another user; it must be yours")
    if st.st_mode & 0o077:
        raise SecretsError(
            f"secrets file {path} has mode {stat.S_IMODE(st.st_mode):04o}: others can read or "
            f"change it, so its keys are not used; run `chmod 600 {path}`"
        )


def load_keys(
    venue: str, secrets_file: Path | None, data_dir: Path, environ: dict[str, str] | None = None
) -> VenueKeys | None:
    """The venue's keys, or None if none are configured anywhere. Raises ``SecretsError`` for
    a half-configured environment, an unsafe or unreadable file, or a malformed entry."""
    env = os.environ if environ is None else environ
    prefix = env_prefix(venue)
    key, secret = env.get(prefix + "_KEY"), env.get(prefix + "_SECRET")
    if key or secret:
        if not (key and secret):
            missing = prefix + ("_SECRET" if key else "_KEY")
            raise SecretsError(
                f"{missing} is not set (both {prefix}_KEY and {prefix}_SECRET are needed)"
            )
        extra = {"password": env[prefix + "_PASSWORD"]} if env.get(prefix + "_PASSWORD") else {}
        return VenueKeys(venue, key, secret, "environment", extra)
    path = secrets_file if secrets_file is not None else data_dir / "secrets.toml"
    if secrets_file is None and not path.exists():
        return None
    check_private(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretsError(f"cannot read secrets file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:  # the message quotes no values, only a position
        raise SecretsError(f"secrets file {path} is not valid TOML ({exc})") from None
    entry = data.get(venue)
    if entry is None:
        return None
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("key"), str)
        or not isinstance(entry.get("secret"), str)
        or not entry["key"]
        or not entry["secret"]
    ):
        raise SecretsError(f'secrets file {path}: [{venue}] needs key = "..." and secret = "..."')
    extra = {k: str(v) for k, v in entry.items() if k not in ("key", "secret")}
    return VenueKeys(venue, entry["key"], entry["secret"], str(path), extra)
