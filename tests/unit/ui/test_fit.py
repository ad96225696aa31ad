"""Narrow panes drop whole columns and wrap figures; they never cut a number."""

from tradeterm.ui.widgets.fit import Column, fit_columns, flow, table_row

COLS = (
    Column("symbol", 11, 0, left=True),
    Column("qty", 8, 0),
    Column("avg", 9, 3),
    Column("unreal", 9, 1),
    Column("fees", 8, 5),
)


def text(row) -> str:
    return "".join(t for t, _ in row)


def test_columns_are_dropped_least_important_first():
    assert fit_columns(COLS, 80) == [0, 1, 2, 3, 4]
    assert fit_columns(COLS, 40) == [0, 1, 2, 3]  # fees go first
    assert fit_columns(COLS, 30) == [0, 1, 3]  # then the average price
    assert fit_columns(COLS, 5) == [0, 1]  # never the symbol or the quantity


def test_a_value_wider_than_its_column_widens_the_cell_instead_of_being_cut():
    row = table_row(
        COLS, [0, 1], [("SIM-BTC/USD", ""), ("+123.456789", ""), ("", ""), ("", ""), ("", "")]
    )
    assert text(row) == "SIM-BTC/USD +123.456789"


def test_figures_flow_onto_new_lines_whole():
    rows = flow([("equity", "100,000.00 USD", ""), ("day", "-12.50", ""), ("fees", "3.10", "")], 24)
    assert [text(r) for r in rows] == ["equity 100,000.00 USD", "day -12.50  fees 3.10"]
