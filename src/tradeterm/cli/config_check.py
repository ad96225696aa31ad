"""``tradeterm config check``."""

from __future__ import annotations

from pathlib import Path


def check_config(path: Path | None) -> int:
    from tradeterm.config import load_settings

    settings = load_settings(path)  # ConfigError is reported by the caller (exit 2)
    from tradeterm.ui.config_check import require_valid

    require_valid(settings)  # key remaps and the theme (the workstation's own checks)
    source = str(path) if path else "defaults + environment"
    symbols = ", ".join(i.symbol for i in settings.sim.instruments)
    print(f"{source}: OK")
    print(f"  data dir: {settings.resolved_data_dir()}")
    print(f"  sim market: {symbols} at {settings.sim.rate:g} actions/s")
    return 0
