"""Python's cyclic garbage collector around the allocation-heavy stages of a run."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collector passes inside: loading a national hosts/ or rendering it makes millions of
    objects that live on, and each pass would only re-scan them (1.5 s of a 3 s inventory).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def keep_for_the_run() -> None:
    """What exists now (the loaded source of truth) lives until the process ends: later
    collector passes skip it instead of scanning it again."""
    gc.freeze()
