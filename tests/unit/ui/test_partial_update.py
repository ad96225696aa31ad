"""Only the changed cells of a line reach the terminal (ui/partial_update.py)."""

import io

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

from tradeterm.ui import partial_update

RED, BLUE = Style(color="red"), Style(color="blue")


def console() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=40)


def update(x1: int, x2: int) -> ChopsUpdate:
    # one line: a 10-cell chunk at x=2 ("AAAA" red, "BBBBBB" blue), then a chunk at x=12
    chunk = Strip([Segment("AAAA", RED), Segment("BBBBBB", BLUE)])
    other = Strip([Segment("zz", RED)])
    return ChopsUpdate([{2: chunk, 12: other}], [(0, x1, x2)], [[12, 14]])


def test_a_span_inside_a_chunk_sends_only_its_cells():
    out = partial_update.render_segments(update(7, 10), console())
    assert out.startswith("\x1b[1;8H")  # the cursor goes to the span, not the chunk's start
    assert "A" not in out and out.count("B") == 3 and "z" not in out


def test_spans_over_whole_chunks_render_as_textual_does():
    assert partial_update.install()
    textual = partial_update.textual_render_segments
    assert textual is not None and textual is not partial_update.render_segments
    for x1, x2 in ((0, 40), (2, 14), (2, 12), (2, 9)):
        ours = partial_update.render_segments(update(x1, x2), console())
        assert ours == textual(update(x1, x2), console()), (x1, x2)
