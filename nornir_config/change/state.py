"""The watch's memory: one inspectable JSON file (build/watch/state.json), written atomically.

It holds what is wrong now (`open`: event key -> since, detail), how many rounds each device
has been unreachable (`down_rounds`), the notifications not yet delivered to every channel
(`outbox`) and the ids already delivered (`sent`), so a restarted watch neither forgets an
undelivered event nor sends an old one again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nornir_config.errors import InputError
from nornir_config.reports.files import write_atomic

VERSION = 1
KEEP_SENT = 1000  # ids remembered: far more than one round can produce


@dataclass
class Notification:
    """One event to tell: a problem that started, or its recovery."""

    id: str
    kind: str  # non_compliant, unreachable, changed_outside, recovered
    key: str  # what it is about: e.g. non_compliant/<host>/<feature>
    device: str
    summary: str
    detail: str
    at: str
    report: str
    channels: list[str] = field(default_factory=list)  # still to deliver to

    def payload(self) -> dict[str, Any]:
        """What a webhook receives (JSON)."""
        data = asdict(self)
        data.pop("channels")
        return {"source": "communelan watch", **data}


@dataclass
class WatchState:
    rounds: int = 0
    last_round_at: str = ""
    last_error: str = ""
    open: dict[str, dict[str, str]] = field(default_factory=dict)
    down_rounds: dict[str, int] = field(default_factory=dict)
    outbox: list[Notification] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def mark_sent(self, note: Notification) -> None:
        self.outbox = [n for n in self.outbox if n.id != note.id]
        self.sent = [*self.sent, note.id][-KEEP_SENT:]


def load_state(path: Path) -> WatchState:
    """The saved state, or a fresh one; a damaged file is bad input, never overwritten."""
    if not path.is_file():
        return WatchState()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"state version {data.get('version')!r}, expected {VERSION}")
        data.pop("version")
        data["outbox"] = [Notification(**n) for n in data.get("outbox", [])]
        return WatchState(**data)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError.one(
            str(path), "watch state", f"unreadable ({exc})", "move it away to start afresh"
        ) from None


def save_state(path: Path, state: WatchState) -> Path:
    data = {"version": VERSION, **asdict(state)}
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return write_atomic(path, text.encode("utf-8"))
