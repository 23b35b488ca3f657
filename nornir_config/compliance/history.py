"""`history.jsonl`: one line per run, so a report can show the trend of the last runs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nornir_config.compliance.model import RunSummary

HISTORY_FILE = "history.jsonl"


def read_history(out_dir: Path, last: int = 20) -> list[dict[str, Any]]:
    """The last `last` run summaries, oldest first; unreadable lines are skipped."""
    path = out_dir / HISTORY_FILE
    if not path.is_file():
        return []
    runs: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            runs.append(data)
    return runs[-last:]


def append_history(
    out_dir: Path, summary: RunSummary, statuses: Mapping[str, str] | None = None
) -> None:
    """Record a run: its counts, and each device's status (for the per-device timeline)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = summary.to_dict()
    if statuses:
        record["statuses"] = dict(statuses)
    with (out_dir / HISTORY_FILE).open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
