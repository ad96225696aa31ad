"""A Ctrl-C that is not lost. Python's KeyboardInterrupt is raised wherever the main thread
happens to be, and an exception raised in a finalizer (``__del__``) or a callback is printed and
dropped: a Ctrl-C that landed while pyarrow's writer was finalized let a sweep run on to its
end. ``CtrlC`` raises it as Python would and also remembers it, so ``check`` raises it again at
the next safe point."""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any


class CtrlC:
    def __init__(self) -> None:
        self.pressed = False
        self._before: Any = None

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread():  # only it takes signals
            self._before = signal.signal(signal.SIGINT, self._on_signal)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._before is not None:
            signal.signal(signal.SIGINT, self._before)
            self._before = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = True
        raise KeyboardInterrupt

    def check(self) -> None:
        """Raise the Ctrl-C pressed since ``__enter__``, if one was dropped where it landed."""
        if self.pressed:
            raise KeyboardInterrupt
