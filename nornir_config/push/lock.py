"""Device locks: two runs that would change the same device never overlap.

One lock file per device under build/locks/, held with `flock` for the whole run and naming
its holder (pid, user, command, start time). The kernel drops a dead process's lock, so a lock
left behind by a killed run is taken over without asking; a live holder is named in one line.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from nornir_config.audit import who
from nornir_config.errors import InputError

LOCKS = "locks"


@dataclass
class DeviceLocks:
    """The locks one run holds; `release()` (or process exit) frees them."""

    folder: Path
    held: dict[str, IO[str]] = field(default_factory=dict)

    def release(self) -> None:
        for handle in self.held.values():
            handle.close()  # closing drops the flock
        self.held.clear()


def holder_text(data: dict[str, object]) -> str:
    return (
        f"pid {data.get('pid', '?')}, user {data.get('user', '?')}, "
        f"command '{data.get('command', '?')}', started {data.get('started', '?')}"
    )


def lock_devices(build_dir: Path, hosts: Iterable[str], command: str | None = None) -> DeviceLocks:
    """Lock every host or none: a host held by a live run raises InputError naming it."""
    folder = build_dir / LOCKS
    folder.mkdir(parents=True, exist_ok=True)
    locks = DeviceLocks(folder)
    me = {
        "pid": os.getpid(),
        "user": who(),
        "command": command or " ".join(["communelan", *sys.argv[1:]]),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for host in sorted(set(hosts)):
        path = folder / f"{host}.lock"
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                data = json.loads(handle.read() or "{}")
            except ValueError:
                data = {}
            handle.close()
            locks.release()
            raise InputError.one(
                str(path),
                f"device {host}",
                f"is being changed by another run ({holder_text(data)})",
                "wait for that run to finish",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({**me, "host": host}) + "\n")
        handle.flush()
        locks.held[host] = handle
    return locks
