"""Per device, what happened when: backups (the backup repository's commits), pushes,
applies (with plan ids) and restores (the audit log), and compliance events (the watch's
event log). Plain data, oldest first, for `communelan timeline` and for reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nornir_config import audit
from nornir_config.backup import git

EVENTS_FILE = "watch/events.jsonl"  # under build/: one line per watch notification
ACTIONS = ("push", "apply", "restore")


@dataclass(frozen=True)
class Entry:
    when: str  # ISO 8601, UTC
    device: str
    kind: str  # backup, push, apply, restore, or a watch event kind
    what: str
    plan: str = ""
    run: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _backups(repo: Path, host: str) -> list[Entry]:
    if not (repo / ".git").exists():
        return []
    log = git(repo, "log", "--format=%H%x09%cI%x09%s", "--", f"{host}.cfg")
    entries = []
    for line in log.splitlines():
        sha, when, subject = line.split("\t", 2)
        stamp = datetime.fromisoformat(when).isoformat(timespec="seconds")
        entries.append(Entry(stamp, host, "backup", f"{sha[:10]} {subject.split(':')[0]}"))
    return entries


def device_timeline(build_dir: Path, hosts: list[str]) -> dict[str, list[Entry]]:
    """Host -> its entries, oldest first."""
    wanted = set(hosts)
    found: dict[str, list[Entry]] = {h: _backups(build_dir / "backups", h) for h in hosts}
    for record in audit.read(build_dir / "audit.jsonl"):
        host = str(record.get("device", ""))
        if host in wanted and record.get("action") in ACTIONS:
            detail = [str(record.get("result", ""))]
            if record.get("revision"):
                detail.append(f"to backup {str(record['revision'])[:10]}")
            if record.get("reason"):
                detail.append(f"({record['reason']})")
            found[host].append(
                Entry(
                    str(record["when"]),
                    host,
                    str(record["action"]),
                    " ".join(detail),
                    str(record.get("plan", "")),
                    str(record.get("run", "")),
                )
            )
    for record in audit.read(build_dir / EVENTS_FILE):
        host = str(record.get("device", ""))
        if host in wanted:
            found[host].append(
                Entry(str(record["at"]), host, str(record["kind"]), str(record["summary"]))
            )
    order = {"backup": 0, "push": 1, "apply": 2, "restore": 3}
    return {
        h: sorted(entries, key=lambda e: (_utc(e.when), order.get(e.kind, 4)))
        for h, entries in found.items()
    }


def _utc(when: str) -> datetime:
    return datetime.fromisoformat(when.replace("Z", "+00:00"))
