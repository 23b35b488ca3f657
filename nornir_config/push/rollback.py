"""Putting a device back exactly as it was before a change that went wrong.

The rollback is itself a remediation: hier_config from what is running now back to the
pre-change config read at the start, sent on a fresh session, saved, then verified. A failed
rollback is reported with how the device now differs from that pre-change config.
"""

from __future__ import annotations

from collections.abc import Callable

from nornir.core.task import Task

from nornir_config.connection import why
from nornir_config.push.diff import config_diff, error_pattern, remediation
from nornir_config.push.session import read_running, reopen, send_config
from nornir_config.push.state import DeviceReport, Outcome

Redact = Callable[[str], str]
PASSES = 3


def rollback_merge(
    task: Task, before: str, platform: str, report: DeviceReport, redact: Redact
) -> DeviceReport:
    """Bring the device back to `before`; ROLLED_BACK or NEEDS_ATTENTION in `report`."""
    now = ""
    try:
        conn = reopen(task)
        now = read_running(task)
        left = remediation(now, before, platform)
        # A few passes: one command can undo another's effect (negations IOS keeps).
        for _ in range(PASSES):
            if not left:
                break
            send_config(conn, left, error_pattern(platform))
            conn.save_config()
            now = read_running(task)
            left = remediation(now, before, platform)
    except Exception as exc:  # any failure of the rollback itself
        report.outcome = Outcome.NEEDS_ATTENTION
        report.reason = f"{report.reason}; rollback failed: {why(exc)}"
        report.now = _state(now, before, platform, redact)
        return report
    if left:
        report.outcome = Outcome.NEEDS_ATTENTION
        report.reason = f"{report.reason}; rollback left {len(left)} lines differing"
        report.now = _state(now, before, platform, redact)
        return report
    report.outcome = Outcome.ROLLED_BACK
    return report


def _state(now: str, before: str, platform: str, redact: Redact) -> str:
    if not now:
        return "could not read the running config after the failure; its state is unknown"
    diff = config_diff(before, now, platform, ("before push", "running now"))
    return redact(diff) if diff else "running config equals the pre-change config"
