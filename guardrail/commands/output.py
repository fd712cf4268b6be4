"""The one way commands build a rich console: colour and width follow the terminal, and a pipe gets whole lines.

rich honours NO_COLOR and non-TTY output itself, but it lays a pipe out at 80 columns, which wraps tables and
splits rule ids and paths mid-word (`orm/prisma-migrat` / `e-reset`). Piped output is for grep, jq and less:
give it the width its lines need instead ($COLUMNS still wins when set).
"""

from __future__ import annotations

import os
import sys
from typing import Any

PIPE_WIDTH = 400  # wide enough for any table row; rich does not pad a table to the console width


def console(stderr: bool = False, **options: Any) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty and not os.environ.get("COLUMNS"):
        options.setdefault("width", PIPE_WIDTH)
    options.setdefault("highlight", False)
    if os.environ.get("NO_COLOR"):
        options.setdefault("no_color", True)
    return Console(stderr=stderr, **options)


class LateProgress:
    """A transient rich progress bar on stderr that appears only once a run has taken longer than `after` seconds
    (short runs print nothing extra) and only on a terminal. Use as a context manager; call `advance()` per item."""

    def __init__(self, label: str, total: int | None, *, after: float = 1.0, enabled: bool = True) -> None:
        import time

        self._clock = time.monotonic
        self._started = self._clock()
        self._label, self._total, self._after = label, total, after
        self._enabled = enabled and total != 0 and _is_tty(sys.stderr)
        self._bar: Any = None
        self._task: Any = None
        self._done = 0

    def __enter__(self) -> LateProgress:
        return self

    def advance(self, *_: Any) -> None:
        self._done += 1
        if not self._enabled:
            return
        if self._bar is None:
            if self._clock() - self._started < self._after:
                return
            from rich.progress import Progress

            self._bar = Progress(console=console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self._label, total=self._total, completed=self._done)
            return
        self._bar.advance(self._task)

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.stop()


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
