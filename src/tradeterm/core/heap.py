"""Keep Python's full garbage collections short in a long-running session.

A full (generation 2) collection walks every tracked object. After start-up that is mostly
modules, configuration and the screen's widgets, none of which will ever be garbage: with a
busy market the walk took 120-190 ms, long enough to stall a key press or an order. ``settle``
runs one collection after start-up and then freezes what survived, so later full collections
walk only what the session created since (measured in ``ui.key_to_screen_p99``).

Only the CLI calls it: a test process that builds many kernels must keep collecting them.
"""

from __future__ import annotations

import gc


def settle() -> None:
    gc.collect()
    gc.freeze()
