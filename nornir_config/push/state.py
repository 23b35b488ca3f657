"""How each device ended a push, and the run state `--retry-failed` resumes from."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Outcome(StrEnum):
    """Every device ends a push as exactly one of these."""

    UNCHANGED = "unchanged"  # already as intended, nothing sent
    WOULD_CHANGE = "would change"  # dry run: the commands/diff are in the report
    CHANGED = "changed"  # pushed, saved and verified: no residual diff
    ROLLED_BACK = "rolled back"  # the change failed; the device is back as it was
    FAILED = "failed"  # refused before any change was made; the device is untouched
    UNREACHABLE = "unreachable"  # no session (refused, credentials, host key); untouched
    NEEDS_ATTENTION = "needs attention"  # the rollback failed: `now` says what is on it
    SKIPPED = "skipped"  # not attempted: the rollout stopped (canary, --max-failures)

    @property
    def finished(self) -> bool:
        """The device needs nothing more from this rollout."""
        return self in (Outcome.UNCHANGED, Outcome.CHANGED, Outcome.WOULD_CHANGE)


@dataclass
class DeviceReport:
    """One device's end state; text fields are already redacted."""

    host: str
    outcome: Outcome
    method: str
    reason: str = ""
    commands: list[str] = field(default_factory=list)
    diff: str = ""
    now: str = ""  # with NEEDS_ATTENTION: how the device differs from its pre-change config
    protected: list[str] = field(default_factory=list)  # running lines kept on purpose
    unowned: list[str] = field(default_factory=list)  # lines removed that no feature owns
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        return data


STATE_FILE = "push-state.json"


def save_state(build_dir: Path, run_id: str, reports: dict[str, DeviceReport]) -> Path:
    """Write which devices the run finished (atomically), for `push --retry-failed`."""
    build_dir.mkdir(parents=True, exist_ok=True)
    path = build_dir / STATE_FILE
    data = {
        "run": run_id,
        "devices": {name: r.outcome.value for name, r in sorted(reports.items())},
    }
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def unfinished_hosts(build_dir: Path) -> list[str] | None:
    """Devices the last push did not finish; None when there is no saved run."""
    path = build_dir / STATE_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return sorted(
        name for name, outcome in data["devices"].items() if not Outcome(outcome).finished
    )


def update_state(build_dir: Path, run_id: str, reports: dict[str, DeviceReport]) -> Path:
    """The saved state with these devices' outcomes replaced (the others kept)."""
    path = build_dir / STATE_FILE
    kept: dict[str, DeviceReport] = {}
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        kept = {
            name: DeviceReport(name, Outcome(outcome), "")
            for name, outcome in data["devices"].items()
        }
    return save_state(build_dir, run_id, {**kept, **reports})
