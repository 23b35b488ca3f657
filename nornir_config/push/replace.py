"""Replace push: NAPALM load_replace_candidate, compare, commit with a revert timer, verify.

A commit with a revert timer is the device's own safety net: if this process dies after the
commit, the device reverts by itself. The commit is confirmed only once the re-read running
config has no residual diff against the intended one.
"""

from __future__ import annotations

import time
from typing import Any

from napalm.base.exceptions import CommitConfirmException
from nornir.core.task import Result, Task

from nornir_config.connection import shown_config, why
from nornir_config.platforms import driver_for
from nornir_config.platforms.base import Platform
from nornir_config.push import revert
from nornir_config.push.diff import remediation, with_protected
from nornir_config.push.merge import AfterHook, BeforeHook, Redact, _result, planned_change
from nornir_config.push.rollback import recheck, rollback_merge
from nornir_config.push.session import NAPALM, NETMIKO, close, read_running
from nornir_config.push.state import DeviceReport, Outcome


def _napalm(task: Task) -> Any:
    return task.host.get_connection(NAPALM, task.nornir.config)


def _running(device: Any, platform: Platform) -> str:
    """NAPALM's read of the running config, which hands on a refused show as its text."""
    return shown_config(str(device.get_config(retrieve="running")["running"]), platform.commands)


def _load_candidate(device: Any, candidate: str) -> None:
    """Load the candidate; a device with SCP off gets it inline (NAPALM's TCL transfer)."""
    try:
        device.load_replace_candidate(config=candidate)
    except Exception as exc:  # NAPALM says so in its message only
        if "SCP file transfers are not enabled" not in str(exc) or device.inline_transfer:
            raise
        device.inline_transfer = True
        device.load_replace_candidate(config=candidate)


def replace_push(
    task: Task,
    intended: str,
    dry_run: bool,
    redact: Redact,
    before_change: BeforeHook,
    after_change: AfterHook | None = None,
    revert_minutes: int = 5,
) -> Result:
    """Nornir task: replace the whole running config by `intended`, or leave it as it was.

    `after_change(host)` runs before the commit is confirmed: a replace that lost management
    access is rolled back on the sessions still open."""
    started = time.perf_counter()
    platform = driver_for(task.host)
    report = DeviceReport(task.host.name, Outcome.UNCHANGED, "replace")
    try:
        device = _napalm(task)
        before = _running(device, platform)
    except Exception as exc:  # no session: untouched
        report.outcome, report.reason = Outcome.UNREACHABLE, why(exc)
        return _result(task, report, started)
    change = planned_change(task, before, intended, report, redact)
    if change is None:
        return _result(task, report, started)
    planned, preserve, proven = change
    # The protected running lines go into the candidate: a replace keeps them as a merge does.
    candidate = with_protected(before, intended, platform, preserve)
    try:
        _load_candidate(device, candidate)
        report.diff = redact(str(device.compare_config()))
    except Exception as exc:  # e.g. flash full: nothing applied yet
        report.outcome = Outcome.FAILED
        report.reason = f"loading the candidate: {redact(why(exc))}; nothing applied"
        return _result(task, report, started)
    if dry_run:
        device.discard_config()
        report.outcome = Outcome.WOULD_CHANGE
        return _result(task, report, started)
    try:
        before_change(task.host.name, before)
    except OSError as exc:
        report.outcome, report.reason = Outcome.FAILED, f"pre-change backup failed: {exc}"
        return _result(task, report, started)
    step = "configure replace"
    timer = True  # until the device is known to run none (a failed commit may have started it)
    try:
        try:
            device.commit_config(revert_in=revert_minutes * 60)
        except CommitConfirmException:  # no archive: no revert timer on this device
            device.commit_config()
            timer = False
        step = "re-reading the running config"
        after = _running(device, platform)
        proven.record(planned.commands, after, intended)
        residual = remediation(after, intended, platform, preserve, proven)
        if residual:
            report.reason = f"residual diff after replace ({len(residual)} lines)"
            undone = _undo(task, device, before, platform, report, redact, timer)
            return _result(task, undone, started)
        step = "checking management access"
        lost = after_change(task.host.name) if after_change is not None else None
        if lost is not None and after_change is not None:
            report.reason = f"lost management access after the replace: {lost}"
            undone = _undo(task, device, before, platform, report, redact, timer, fresh=False)
            return _result(task, recheck(undone, after_change), started)
        if timer:
            step = "confirming the commit"
            device.confirm_commit()  # NAPALM sends it without reading the answer: check
            if device.has_pending_commit():
                raise OSError("the device did not confirm the commit: its revert timer runs")
            timer = False
        # NAPALM restores its `file prompt quiet` on close: verify what is left after that.
        step = "closing the NAPALM session"
        close(task, NAPALM)
        close(task, NETMIKO)  # opened before the replace: its prompt may name the old hostname
        step = "re-reading the running config"
        residual = remediation(read_running(task), intended, platform, preserve, proven)
        if residual:
            report.reason = (
                f"residual diff after the session closed ({len(residual)} lines): "
                f"{redact(residual[0])}"
            )
            return _result(task, rollback_merge(task, before, platform, report, redact), started)
    except Exception as exc:  # refused replace, dropped session, timeout
        report.reason = f"{step}: {redact(why(exc))}"
        return _result(task, _undo(task, None, before, platform, report, redact, timer), started)
    proven.save()
    report.outcome = Outcome.CHANGED
    return _result(task, report, started)


def _undo(
    task: Task,
    device: Any,
    before: str,
    platform: Platform,
    report: DeviceReport,
    redact: Redact,
    timed: bool,
    fresh: bool = True,
) -> DeviceReport:
    """NAPALM's rollback (revert the pending timer, or replace with its saved copy); if the
    device is still not as before, the hier_config rollback finishes the job. `timed`: the
    commit may have started the device's revert timer, which NAPALM's rollback may have
    failed to take back: stopped once the device is as before."""
    try:
        if device is None:
            close(task, NAPALM)
            device = _napalm(task)
        if remediation(_running(device, platform), before, platform):
            device.rollback()
    except Exception:  # the merge rollback below checks and reports
        pass
    close(task, NAPALM)  # NAPALM's own cleanup runs now, before the final check
    rolled = rollback_merge(task, before, platform, report, redact, fresh=fresh)
    return revert.stopped(task, platform, rolled) if timed else rolled
