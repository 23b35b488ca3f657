"""How each device ended a push, and the run state `--retry-failed` resumes from."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from nornir_config.push.verified import Verified, new_salt, read_verified, write_verified


def new_run_id() -> str:
    """A run's name in reports, the audit log and `build/push/`: UTC start time first, so
    names sort in the order the runs started, then a random tail for runs started together."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


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
    # the fingerprint of the running config this push verified as intended (push/verified.py)
    verified: str = ""

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        return data


STATE_FILE = "push-state.json"


def _saved(build_dir: Path) -> dict[str, Any]:
    path = build_dir / STATE_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def load_verified(build_dir: Path) -> tuple[str, dict[str, Verified]]:
    """The state's fingerprint salt (a new one when none is saved) and verified configs."""
    data = _saved(build_dir)
    salt = data.get("salt")
    return (salt, read_verified(data)) if isinstance(salt, str) else (new_salt(), {})


def save_state(
    build_dir: Path, run_id: str, reports: dict[str, DeviceReport], salt: str = ""
) -> Path:
    """Write which devices the run finished (atomically), for `push --retry-failed`, and
    the configs it verified: a device reported without a fingerprint loses its earlier one
    (its config is not known any more), the devices not in `reports` keep theirs."""
    build_dir.mkdir(parents=True, exist_ok=True)
    path = build_dir / STATE_FILE
    saved_salt, verified = load_verified(build_dir)
    if salt and salt != saved_salt:  # fingerprints of another key mean nothing with this one
        verified = {}
    for name, report in reports.items():
        if report.verified:
            verified[name] = Verified(report.verified, tuple(report.protected))
        else:
            verified.pop(name, None)
    data = {
        "run": run_id,
        "devices": {name: r.outcome.value for name, r in sorted(reports.items())},
        "salt": salt or saved_salt,
        "verified": write_verified(verified),
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


def update_state(build_dir: Path, run_id: str, outcomes: dict[str, Outcome]) -> Path:
    """The saved state with these devices' outcomes replaced (the others kept). A device
    given here loses its verified fingerprint: what it runs now was not verified by a push."""
    data = _saved(build_dir)
    verified = read_verified(data)
    kept: dict[str, DeviceReport] = {}
    for name, outcome in data.get("devices", {}).items():
        known = verified.get(name)
        kept[name] = DeviceReport(name, Outcome(outcome), "")
        if known is not None:
            kept[name].verified, kept[name].protected = known.fingerprint, list(known.protected)
    given = {name: DeviceReport(name, outcome, "") for name, outcome in outcomes.items()}
    return save_state(build_dir, run_id, {**kept, **given})
