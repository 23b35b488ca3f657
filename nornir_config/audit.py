"""The append-only audit log (JSON lines): who changed which device, when, how, with what
result. Diffs are redacted before they get here; each record is one `write` of one line on a
file opened O_APPEND, so concurrent writers never interleave."""

from __future__ import annotations

import getpass
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_lock = threading.Lock()


def who() -> str:
    """The operator: $COMMUNELAN_OPERATOR if set, else the login name."""
    return os.environ.get("COMMUNELAN_OPERATOR") or getpass.getuser()


def append(path: Path, record: dict[str, Any]) -> None:
    """Add one record (with `who` and `when` filled in) as one line."""
    line = json.dumps(
        {"when": datetime.now(UTC).isoformat(timespec="milliseconds"), "who": who(), **record},
        ensure_ascii=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (line + "\n").encode("utf-8")
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def read(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
