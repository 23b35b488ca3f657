"""The write-ahead journal: which devices are mid-change, so a killed run can be recovered.

An entry (build/journal/<host>.json) is written, and synced, before a device's first change
and removed when its push ends (changed, rolled back, or reported). An entry left behind
means the run died mid-change (kill -9, power cut): `communelan push` refuses to touch that
device and `communelan recover` shows where it stands and puts it back or forward.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

JOURNAL = "journal"


@dataclass(frozen=True)
class JournalEntry:
    """One device mid-change: the run, the method, where its pre-change copies are."""

    host: str
    run: str
    method: str
    pid: int
    started: str
    before_file: str  # the local, redacted pre-change backup
    device_file: str  # the device's own full pre-change copy (e.g. on its flash)
    intended_file: str


def journal_dir(build_dir: Path) -> Path:
    return build_dir / JOURNAL


def begin(build_dir: Path, entry: JournalEntry) -> None:
    """Record that `entry.host` is about to change (durably, before the first command)."""
    folder = journal_dir(build_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{entry.host}.json"
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(entry), indent=2) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def end(build_dir: Path, host: str) -> None:
    """The device's push ended (its outcome is in the run's report): forget it."""
    (journal_dir(build_dir) / f"{host}.json").unlink(missing_ok=True)


def entries(build_dir: Path) -> dict[str, JournalEntry]:
    """Every device a run left mid-change, by host."""
    folder = journal_dir(build_dir)
    found: dict[str, JournalEntry] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["host"]] = JournalEntry(**data)
    return found


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
