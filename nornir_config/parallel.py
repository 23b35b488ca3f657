"""Work split across the machine's cores by fork: each child shares the loaded project (no
pickling of the province or templates), does its part and sends back only its result."""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Part = TypeVar("Part")

# COMMUNELAN_PROCESSES=1 keeps a run in one process (say, on a CI runner that counts cores it
# does not really have); the default is one process per core, at most MAX_PROCESSES.
PROCESSES_ENV = "COMMUNELAN_PROCESSES"
MAX_PROCESSES = 4


def processes_for(items: int, min_part: int) -> int:
    """How many processes share `items`: one unless every part gets at least `min_part`, the
    platform forks, and this process runs no other thread (a fork would copy its locks)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = os.environ.get(PROCESSES_ENV, "").strip()
    limit = int(wanted) if wanted.isdigit() and int(wanted) > 0 else min(cores or 1, MAX_PROCESSES)
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    return max(1, min(limit, items // max(min_part, 1)))


def _child(conn: Any, work: Callable[[Sequence[Any]], Any], part: Sequence[Any]) -> None:
    try:
        conn.send(("ok", work(part)))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def split_work(
    items: Sequence[Item], work: Callable[[Sequence[Item]], Part], min_part: int
) -> list[Part]:
    """`work` over consecutive parts of `items`, in order; all parts but the first in forked
    children at the same time. A child that fails or dies has its part done again here, so
    its error (bad input, say) is raised as it would be in one process."""
    count = processes_for(len(items), min_part)
    if count == 1:
        return [work(items)]
    bounds = [len(items) * k // count for k in range(count + 1)]
    parts = [items[bounds[k] : bounds[k + 1]] for k in range(count)]
    context = multiprocessing.get_context("fork")
    children = []
    for part in parts[1:]:
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(sender, work, part), daemon=True)
        child.start()
        sender.close()
        children.append((child, receiver, part))
    try:
        results = [work(parts[0])]
    except BaseException:
        for child, receiver, _ in children:
            child.terminate()
            child.join()
            receiver.close()
        raise
    for child, receiver, part in children:
        answer: tuple[str, Any] = ("error", "no answer")
        try:
            answer = receiver.recv()
        except EOFError:
            pass  # it died: its part is done below
        finally:
            receiver.close()
            child.join()
        results.append(answer[1] if answer[0] == "ok" else work(part))
    return results
