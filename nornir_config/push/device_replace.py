"""Replace push through the device's own configuration replace, over Netmiko.

For a driver whose NAPALM driver has no replace (`Platform.replace == "device"`): once
`before_change` has the device's own pre-change copy saved, the full candidate (intended config
plus the running lines a push keeps) goes to the device's flash by SCP on the push's own
session, then the device replaces its running config with the candidate file. The re-read
running config must have no residual diff, else the device's copy is restored (and the merge
rollback finishes the job). Every command and answer is the driver's (`device_copy`, and
`replace_file` in its push data).
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from typing import Any

from nornir.core.task import Result, Task
from scp import SCPClient

from nornir_config.connection import TIMEOUTS, open_netmiko, why
from nornir_config.platforms import driver_for
from nornir_config.platforms.base import Platform
from nornir_config.push.diff import config_diff, remediation, with_protected
from nornir_config.push.merge import AfterHook, _result, planned_change
from nornir_config.push.rollback import (
    recheck,
    remove_device_files,
    restore_device_copy,
    rollback_merge,
)
from nornir_config.push.session import read_running, revealed
from nornir_config.push.state import DeviceReport, Outcome
from nornir_config.push.transfer import save as save_running
from nornir_config.running_config import canonical

Redact = Callable[[str], str]
BeforeHook = Callable[[str, str], None]


def upload(conn: Any, path: str, text: str) -> None:
    """Write `text` to `path` on the device by SCP over the session's own SSH transport."""
    transport = conn.remote_conn_pre.get_transport()
    with SCPClient(transport, socket_timeout=TIMEOUTS["timeout"]) as scp:
        scp.putfo(io.BytesIO(text.encode("utf-8")), path)


def _remove_again(task: Task, platform: Platform, file: str, redact: Redact) -> str:
    """Delete the candidate (secrets in clear) after a dropped session, on the session the
    rollback opened; the report's note when it stays."""
    try:
        conn = open_netmiko(task.host, task.nornir.config)
    except Exception as exc:  # cut off again: the file stays, the report says so
        return f"; could not delete {file} from the device: {redact(why(exc))}"
    return redact(remove_device_files(conn, platform, [file]))


def device_replace_push(
    task: Task,
    intended: str,
    dry_run: bool,
    redact: Redact,
    before_change: BeforeHook,
    after_change: AfterHook | None = None,
) -> Result:
    """Nornir task: replace the running config by `intended`, or leave it as it was.

    `before_change(host, running)` stores the pre-change backup and has the device save its
    own copy (the way back), before the candidate is uploaded. `after_change(host)` runs
    before the save: a replace after which the NOC lost management access is rolled back on
    the session still open (its own copy, then verified)."""
    started = time.perf_counter()
    platform = driver_for(task.host)
    report = DeviceReport(task.host.name, Outcome.UNCHANGED, "replace")
    try:
        before = read_running(task)
        conn = open_netmiko(task.host, task.nornir.config)
    except Exception as exc:  # no session: untouched
        report.outcome, report.reason = Outcome.UNREACHABLE, why(exc)
        return _result(task, report, started)
    change = planned_change(task, before, intended, report, redact)
    if change is None:
        return _result(task, report, started)
    planned, preserve, proven = change
    replace_file = str(platform.data("push")["replace_file"])  # the candidate, secrets in clear
    candidate = canonical(with_protected(before, intended, platform, preserve), platform)
    report.diff = redact(config_diff(before, candidate, platform, ("running", "candidate")))
    report.commands = [redact(c) for c in planned.commands]
    if dry_run:
        report.outcome = Outcome.WOULD_CHANGE
        return _result(task, report, started)
    try:
        before_change(task.host.name, before)
        upload(conn, replace_file, revealed(candidate))
    except Exception as exc:  # nothing applied yet
        report.outcome = Outcome.FAILED
        report.reason = f"preparing the replace: {redact(why(exc))}; nothing applied"
        with contextlib.suppress(Exception):  # the session may be gone: the reason says why
            remove_device_files(conn, platform, [replace_file])
        return _result(task, report, started)
    step = "configuration replace"
    left = ""  # the device would not delete the candidate: it says why
    try:
        try:
            restore_device_copy(conn, platform, replace_file)
        finally:  # applied or refused, the candidate is done with
            left = redact(remove_device_files(conn, platform, [replace_file]))
        report.reason += left
        step = "re-reading the running config"
        after = read_running(task)
        # the replace sent every line of the candidate, each secret in its clear form
        proven.record(candidate.splitlines(), after, intended)
        residual = remediation(after, intended, platform, preserve, proven)
        if residual:
            first = redact(residual[0])
            report.reason = f"residual diff after replace ({len(residual)} lines): {first}{left}"
            # on the session still open: the replaced config may refuse new logins
            rolled = rollback_merge(task, before, platform, report, redact, fresh=False)
            return _result(task, rolled, started)
        step = "checking management access"
        lost = after_change(task.host.name) if after_change is not None else None
        if lost is not None and after_change is not None:
            report.reason = f"lost management access after the replace: {lost}{left}"
            rolled = rollback_merge(task, before, platform, report, redact, fresh=False)
            return _result(task, recheck(rolled, after_change), started)
        step = "saving"
        # the driver's own save, in exec mode (Netmiko's `save_config` first calls `enable()`,
        # which on some drivers enters config mode and leaves the session there)
        save_running(conn, platform.commands)
        proven.save()
    except Exception as exc:  # refused replace, dropped session, timeout
        report.reason = f"{step}: {redact(why(exc))}"
        rolled = rollback_merge(task, before, platform, report, redact)
        if left:  # the session dropped with the candidate on flash: on the rollback's session
            rolled.reason += _remove_again(task, platform, replace_file, redact)
        return _result(task, rolled, started)
    report.outcome = Outcome.CHANGED
    return _result(task, report, started)
