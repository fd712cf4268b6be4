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
