"""The cells of a sweep on a Ray cluster (``--ray ADDRESS|auto|local``). Ray is optional
(``pip install 'tradeterm[ray]'``) and imported only here. Every node needs tradeterm installed
and the recordings at the same paths; ``local`` starts a Ray instance on this machine."""

from __future__ import annotations

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
    started_here = not ray.is_initialized()
    if started_here:
        try:
            ray.init(
                address=None if address == "local" else address,
                include_dashboard=False,
                log_to_driver=False,
            )
        except ConnectionError as exc:
            raise UsageError(f"--ray {address}: {exc}") from None
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
        if started_here:
            ray.shutdown()
