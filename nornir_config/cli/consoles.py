"""The consoles every command prints through.

On a terminal rich sizes output to it; in a pipe or a CI log it would assume 80 columns and wrap
tables and one-line errors, so there a wide, never-wrapping console is used instead. `COLUMNS`
sets the width either way. `NO_COLOR` (https://no-color.org) turns off every escape code, bold,
dim and italic included, not only the colours (rich's own NO_COLOR handling keeps the styles).
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

PIPE_WIDTH = 200


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def width_from_env(stream_is_tty: bool) -> int | None:
    """COLUMNS when set to a number, else the terminal's width, else PIPE_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if stream_is_tty else PIPE_WIDTH


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    return Console(
        stderr=stderr,
        soft_wrap=True,
        width=width_from_env(stream.isatty()),
        color_system=None if no_color() else "auto",
    )


console = _console(stderr=False)
err_console = _console(stderr=True)
