"""``tradeterm bench``: performance figures, each beside a reference measured in the same run."""

# Modules that register benchmarks (imported by the runner, never by the engine).
MODULES: list[str] = [
    "tradeterm.bench.matching_bench",
    "tradeterm.bench.book_bench",
    "tradeterm.bench.trading",
    "tradeterm.bench.quoter",
    "tradeterm.bench.record_bench",
    "tradeterm.bench.seek_bench",
    "tradeterm.bench.own_seek_bench",
    "tradeterm.bench.keyframe_bench",
    "tradeterm.bench.binance_feed",
    "tradeterm.bench.ui_bench",
    "tradeterm.bench.chart_bench",
    "tradeterm.bench.backtest_bench",
    "tradeterm.bench.export_bench",
]
