"""The consoles every command prints through.

On a terminal rich sizes output to it; in a pipe or a CI log it would assume 80 columns and wrap
tables and one-line errors, so there a wide, never-wrapping console is used instead.
"""

from __future__ import annotations

import sys

from rich.console import Console

PIPE_WIDTH = 200


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else PIPE_WIDTH
    return Console(stderr=stderr, soft_wrap=True, width=width)


console = _console(stderr=False)
err_console = _console(stderr=True)
