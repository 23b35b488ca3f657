"""Replace push through the device's own configuration replace, over Netmiko.

For a driver whose NAPALM driver has no replace (`Platform.replace == "device"`): the full
candidate (intended config plus the running lines a push keeps) goes to the device's flash by
SCP on the push's own session, the device saves its own pre-change copy, then replaces its
running config with the candidate file; the re-read running config must have no residual diff,
else the device's copy is restored (and the merge rollback finishes the job). Every command and
answer is the driver's (`device_copy`, and `replace_file` in its push data).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from typing import Any

from nornir.core.task import Result, Task
from scp import SCPClient

from nornir_config.connection import TIMEOUTS, why
from nornir_config.platforms import driver_for
from nornir_config.platforms.base import Platform
from nornir_config.push.diff import config_diff, plan, remediation, with_protected
from nornir_config.push.merge import _result, describe, preserved
from nornir_config.push.rollback import DEVICE_COPY, rollback_merge
from nornir_config.push.session import netmiko_session, read_running
from nornir_config.push.state import DeviceReport, Outcome
from nornir_config.running_config import canonical

Redact = Callable[[str], str]
BeforeHook = Callable[[str, str], None]
YES = "Y"  # the device's questions ([Y/N]) are answered yes: the flow saves again at the end


def upload(conn: Any, path: str, text: str) -> None:
    """Write `text` to `path` on the device by SCP over the session's own SSH transport."""
    transport = conn.remote_conn_pre.get_transport()
    with SCPClient(transport, socket_timeout=TIMEOUTS["timeout"]) as scp:
        scp.putfo(io.BytesIO(text.encode("utf-8")), path)


def _answered(conn: Any, command: str, platform: Platform) -> str:
    """Run `command`, answering each question the device asks, up to the next prompt."""
    copy = platform.device_copy
    output = str(
        conn.send_command(
            command, expect_string=copy.answer, read_timeout=TIMEOUTS["timeout"], cmd_verify=False
        )
    )
    while re.search(copy.question, output):
        output += str(
            conn.send_command(
                YES, expect_string=copy.answer, read_timeout=TIMEOUTS["timeout"], cmd_verify=False
            )
        )
    return output


def save_copy(task: Task, conn: Any, platform: Platform) -> None:
    copy = platform.device_copy
    task.host.data.pop(DEVICE_COPY, None)
    output = _answered(conn, copy.save.format(file=copy.file), platform)
    if re.search(copy.failed, output):
        raise OSError(f"the device could not save its pre-change copy: {output.strip()[:200]}")
    task.host.data[DEVICE_COPY] = copy.file


def replace_with(conn: Any, platform: Platform, path: str) -> None:
    """The device's own replace of its running config by the file at `path`."""
    copy = platform.device_copy
    conn.config_mode(platform.commands.enter_config)
    try:
        output = _answered(conn, copy.restore.format(file=path), platform)
    finally:
        conn.exit_config_mode(platform.commands.exit_config)
    if re.search(copy.failed, output) or copy.restored not in output:
        raise OSError(f"configuration replace failed: {' '.join(output.split())[:200]}")


def device_replace_push(
    task: Task, intended: str, dry_run: bool, redact: Redact, before_change: BeforeHook
) -> Result:
    """Nornir task: replace the running config by `intended`, or leave it as it was."""
    started = time.perf_counter()
    platform = driver_for(task.host)
    name = platform.name
    report = DeviceReport(task.host.name, Outcome.UNCHANGED, "replace")
    try:
        conn = netmiko_session(task)
        before = read_running(task)
    except Exception as exc:  # no session: untouched
        report.outcome, report.reason = Outcome.UNREACHABLE, why(exc)
        return _result(task, report, started)
    preserve = preserved(task)
    planned = plan(before, intended, name, preserve)
    describe(task, planned, report, redact)
    if not planned.commands:
        report.reason = "running config already as intended; nothing sent"
        return _result(task, report, started)
    candidate = canonical(with_protected(before, intended, name, preserve), name)
    report.diff = redact(config_diff(before, candidate, name, ("running", "candidate")))
    report.commands = [redact(c) for c in planned.commands]
    if dry_run:
        report.outcome = Outcome.WOULD_CHANGE
        return _result(task, report, started)
    try:
        before_change(task.host.name, before)
        upload(conn, str(platform.data("push")["replace_file"]), candidate)
        save_copy(task, conn, platform)
    except Exception as exc:  # nothing applied yet
        report.outcome = Outcome.FAILED
        report.reason = f"preparing the replace: {redact(why(exc))}; nothing applied"
        return _result(task, report, started)
    step = "configuration replace"
    try:
        replace_with(conn, platform, str(platform.data("push")["replace_file"]))
        step = "re-reading the running config"
        residual = remediation(read_running(task), intended, name, preserve)
        if residual:
            report.reason = f"residual diff after replace ({len(residual)} lines)"
            return _result(task, rollback_merge(task, before, name, report, redact), started)
        step = "saving"
        conn.save_config()
    except Exception as exc:  # refused replace, dropped session, timeout
        report.reason = f"{step}: {redact(why(exc))}"
        return _result(task, rollback_merge(task, before, name, report, redact), started)
    report.outcome = Outcome.CHANGED
    return _result(task, report, started)
