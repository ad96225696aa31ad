"""The cells of a sweep on a Ray cluster (``--ray ADDRESS|auto|local``). Ray is optional
(``pip install 'tradeterm[ray]'``) and imported only here. Every node needs tradeterm installed
and the recordings at the same paths; ``local`` starts a Ray instance on this machine, its session
(logs, sockets, spilled objects) in a private temp dir removed at shutdown, never in /tmp/ray."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tradeterm.cli.errors import UsageError
from tradeterm.cli.sweep_cell import run_cell
from tradeterm.cli.sweep_grid import Cell


def ray_outcomes(
    cells: list[Cell], address: str, config: Path | None
) -> Iterator[tuple[Cell, dict[str, Any] | BaseException]]:
    """(cell, row or exception) as each cell ends on the cluster; at most two cells per CPU of
    the cluster are in flight, so a Ctrl-C leaves little to cancel."""
    try:
        import ray
    except ImportError:
        raise UsageError("--ray needs Ray: pip install 'tradeterm[ray]'") from None
    with contextlib.ExitStack() as stack:
        if not ray.is_initialized():
            stack.enter_context(local_ray() if address == "local" else _connected(ray, address))
        yield from _run(ray, cells, config)


def _run(
    ray: Any, cells: list[Cell], config: Path | None
) -> Iterator[tuple[Cell, dict[str, Any] | BaseException]]:
    remote = ray.remote(num_cpus=1, max_retries=0)(run_cell)
    limit = 2 * max(int(ray.cluster_resources().get("CPU", 1)), 1)
    pending: dict[Any, Cell] = {}
    queue = iter(cells)
    try:
        while True:
            for cell in queue:
                pending[remote.remote(cell, config)] = cell
                if len(pending) >= limit:
                    break
            if not pending:
                return
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                cell = pending.pop(ref)
                try:
                    yield cell, ray.get(ref)
                except Exception as exc:  # the cell failed on its node; the sweep goes on
                    yield cell, exc
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)


# a Unix socket path holds 107 bytes on Linux (103 on macOS), checked by Ray as it starts; it
# puts its sockets at TEMP/session_YYYY-MM-DD_HH-MM-SS_ffffff_PID/sockets/plasma_store.N
SOCKET_PATH_MAX = 103 if sys.platform == "darwin" else 107
SESSION_SOCKET = len("/session_2026-12-07_03-04-57_123456_4194304/sockets/plasma_store.99")
PREFIX = "tradeterm-ray-"


def ray_temp_dir() -> str:
    """A new private dir for a local Ray's session: in the temp dir if its sockets' paths fit
    there (TMPDIR may be long, as on macOS), else in /tmp."""
    room = SOCKET_PATH_MAX - SESSION_SOCKET - len(PREFIX) - len("/12345678")
    base = tempfile.gettempdir()
    if len(os.fsencode(base)) > room:
        base = "/tmp"
    return tempfile.mkdtemp(prefix=PREFIX, dir=base)


@contextlib.contextmanager
def local_ray(**options: Any) -> Iterator[Any]:
    """Start a Ray instance on this machine, its session in a private temp dir; at the end shut
    it down and remove the dir (Ray leaves its sessions in /tmp/ray otherwise)."""
    import ray

    home = ray_temp_dir()
    try:
        options.setdefault("include_dashboard", False)
        options.setdefault("log_to_driver", False)
        ray.init(address="local", _temp_dir=home, **options)
        try:
            yield ray
        finally:
            ray.shutdown()
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def _connected(ray: Any, address: str) -> Iterator[None]:
    """Connect to a running cluster (``auto`` or an address); its temp dir is the cluster's."""
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    except ConnectionError as exc:
        raise UsageError(f"--ray {address}: {exc}") from None
    try:
        yield
    finally:
        ray.shutdown()
