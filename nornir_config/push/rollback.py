"""Putting a device back exactly as it was before a change that went wrong.

Before its first change a device saves its own full copy of the running config (secrets
included; the copy never leaves the device) and restores it once (a no-op, since the copy is
the running config): a device that refuses the restore could not be put back exactly after a
failed change, so it is not changed at all. The rollback is the device's own `configure
replace` of that copy, which restores it exactly from any state (factory defaults the
remediation cannot negate included); only if that is refused after all does a hier_config
remediation back to the pre-change config run, a few passes, each delivered as one file as a
merge is. Either way the result is verified line by line against the config read before the
change, and saved, so startup equals running. A failed rollback is reported with how the
device now differs from that pre-change config. The rollback's fresh session also deletes the
change's delivery file a dropped session left.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from nornir.core.inventory import Host
from nornir.core.task import Task

from nornir_config.connection import (
    TIMEOUTS,
    open_netmiko,
    run_answered_ahead,
    send_lines,
    why,
)
from nornir_config.platforms.base import DeviceCopy, Platform
from nornir_config.push.diff import config_diff, remediation
from nornir_config.push.session import deliver, read_config, reopen, save_and_read
from nornir_config.push.state import DeviceReport, Outcome
from nornir_config.push.transfer import remove_delivery_file

Redact = Callable[[str], str]
PASSES = 3
DEVICE_COPY = "communelan_device_copy"  # host.data key: the device holds its pre-change copy


def body_lines(text: str, platform: Platform) -> list[str]:
    """A config's lines as the device prints them, volatile header lines dropped: what two
    reads of an unchanged device share exactly."""
    from nornir_config.backup import clean_config

    lines = clean_config(text, platform).split("\n")
    while lines and lines[0].strip() in ("", "!"):
        lines.pop(0)
    return lines


def config_paths(text: str, platform: Platform) -> set[tuple[str, str]]:
    """Each line with the section it is in: equal sets mean the same config, whatever order
    a device prints equal sections in."""
    paths: set[tuple[str, str]] = set()
    section = ""
    for line in body_lines(text, platform):
        if line and not line[0].isspace():
            section = line
        paths.add((section, line))
    return paths


def run_answered(conn: Any, command: str, copy: DeviceCopy) -> str:
    """Run a file command, answering the device's questions (a destination name) with the
    driver's reply (Enter for most)."""
    answer = str(
        conn.send_command(command, expect_string=copy.answer, read_timeout=TIMEOUTS["timeout"])
    )
    output = answer
    while re.search(copy.question, answer):
        answer = str(
            conn.send_command(
                copy.reply, expect_string=copy.answer, read_timeout=TIMEOUTS["timeout"]
            )
        )
        output += answer
    return output


def save_device_copy(host: Host, conn: Any, platform: Platform) -> str:
    """Have the device copy its running config to its own file system; the file's name."""
    cmds = platform.device_copy
    host.data.pop(DEVICE_COPY, None)
    save = cmds.save.format(file=cmds.file)
    if cmds.save_answers:
        output = run_answered_ahead(conn, save, list(cmds.save_answers), cmds.question)
    else:
        output = run_answered(conn, save, cmds)
    if re.search(cmds.failed, output):
        raise OSError(f"the device could not save its pre-change copy: {output.strip()[:200]}")
    host.data[DEVICE_COPY] = cmds.file
    return cmds.file


def remove_device_files(conn: Any, platform: Platform, files: list[str]) -> str:
    """Delete files the push left on the device's file system: its pre-change copy (the
    secrets' hashes) once the outcome is verified, a replace's candidate (secrets in clear)
    once applied. A note for the report on what the device would not delete, else ""."""
    cmds = platform.device_copy
    refused = []
    for name in [f for f in files if f] if cmds.delete else []:
        try:
            output = run_answered(conn, cmds.delete.format(file=name), cmds)
        except Exception as exc:  # the session dropped: the file stays, the report says so
            refused.append(f"{name}: {why(exc)}")
            continue
        if re.search(platform.commands.error_pattern, output, re.M) or re.search(
            cmds.failed, output
        ):
            refused.append(f"{name}: {' '.join(output.split())[:120]}")
    return f"; could not delete {', '.join(refused)} from the device" if refused else ""


def remove_device_copy(host: Host, conn: Any, platform: Platform) -> str:
    """`remove_device_files` of the pre-change copy this push saved, if it saved one."""
    file = host.data.pop(DEVICE_COPY, None)
    return remove_device_files(conn, platform, [str(file)]) if file else ""


def restore_device_copy(conn: Any, platform: Platform, file: str) -> None:
    """`configure replace` of the device's own pre-change copy; raises if it says it failed."""
    cmds = platform.device_copy
    if cmds.restore_in_config:
        conn.config_mode(platform.commands.enter_config)
    try:
        output = run_answered(conn, cmds.restore.format(file=file), cmds)
    finally:
        if cmds.restore_in_config:
            conn.exit_config_mode(platform.commands.exit_config)
    _raise_unless_restored(cmds, output)


def _raise_unless_restored(cmds: DeviceCopy, output: str) -> None:
    """OSError unless the device's answer to the restore says it restored."""
    if re.search(cmds.failed, output) or cmds.restored not in output:
        raise OSError(f"configure replace failed: {' '.join(output.split())[:200]}")


def prove_way_back(host: Host, conn: Any, platform: Platform, then: Sequence[str] = ()) -> str:
    """Restore the pre-change copy just saved (a no-op) before any change; OSError when the
    device refuses, so a change that then failed could not be undone exactly.

    `then`: exec lines typed in the same write after the restore (the revert timer's start);
    the device's answer to them is returned."""
    file = host.data.get(DEVICE_COPY)
    if not file:
        raise OSError("the device holds no pre-change copy to go back to")
    try:
        if then and not platform.device_copy.restore_in_config:
            return _restored_then(conn, platform, str(file), list(then))
        restore_device_copy(conn, platform, str(file))
        return send_lines(conn, list(then)) if then else ""
    except OSError as exc:
        raise OSError(
            f"the device cannot restore its own pre-change copy ({why(exc)}), so a failed "
            "change could not be undone exactly"
        ) from exc


def _restored_then(conn: Any, platform: Platform, file: str, then: list[str]) -> str:
    """The restore and `then` in one write (the restore asks nothing: `force`); raises as
    `restore_device_copy` does, else returns the answer to `then`."""
    restore = platform.device_copy.restore.format(file=file)
    output = send_lines(conn, [restore, *then])
    start = output.find(restore)
    split = output.find(then[0], start + len(restore))
    restored = output[start:split] if start >= 0 and split >= 0 else output
    _raise_unless_restored(platform.device_copy, restored)
    return output[split:]


def rollback_merge(
    task: Task,
    before: str,
    platform: Platform,
    report: DeviceReport,
    redact: Redact,
    fresh: bool = True,
) -> DeviceReport:
    """Bring the device back to `before`; ROLLED_BACK or NEEDS_ATTENTION in `report`.

    `fresh`: on a new session (the old one dropped); else on the session still open (a
    change that refuses new logins leaves the open ones working, as a device's login lines
    do)."""
    now, conn = "", None
    try:
        conn = reopen(task) if fresh else open_netmiko(task.host, task.nornir.config)
        remove_delivery_file(conn, platform)  # the dropped session could not
        file = task.host.data.get(DEVICE_COPY)
        if file:
            try:
                restore_device_copy(conn, platform, str(file))
            except OSError as exc:  # e.g. the device refuses the replace: remediate instead
                report.reason = f"{report.reason}; {redact(why(exc))}"
        # saved whatever it is, so that startup equals running whatever the failure left saved
        now = save_and_read(conn, platform)
        left = remediation(now, before, platform)
        # A few passes: one command can undo another's effect (negations a device keeps). Each is
        # delivered as a file, as a merge is: a few round trips, whatever its length.
        for _ in range(PASSES):
            if not left:
                break
            now = deliver(conn, left, platform).running  # saved, then read back
            left = remediation(now, before, platform)
        if not left:
            differing = config_paths(now, platform) ^ config_paths(before, platform)
            left = sorted(line for _section, line in differing)
    except Exception as exc:  # any failure of the rollback itself
        report.outcome = Outcome.NEEDS_ATTENTION
        # the device's words may quote a refused line, secret and all
        report.reason = f"{report.reason}; rollback failed: {redact(why(exc))}"
        if conn is not None:  # e.g. a refused pass applied the lines the device took
            with contextlib.suppress(Exception):  # the session is gone: the last read stands
                now = read_config(conn, platform)
        report.now = _state(now, before, platform, redact)
        return report
    if left:
        report.outcome = Outcome.NEEDS_ATTENTION
        report.reason = f"{report.reason}; rollback left {len(left)} lines differing"
        report.now = _state(now, before, platform, redact)
        return report
    report.outcome = Outcome.ROLLED_BACK
    return report


def recheck(report: DeviceReport, check: Callable[[str], str | None]) -> DeviceReport:
    """After rolling back a change that lost management access: does the NOC get in again?"""
    if report.outcome != Outcome.ROLLED_BACK:
        return report
    again = check(report.host)
    if again is None:
        report.reason = f"{report.reason}; rolled back, and it answers again"
    else:
        report.outcome = Outcome.NEEDS_ATTENTION
        report.reason = f"{report.reason}; rolled back, but still: {again}"
    return report


def _state(now: str, before: str, platform: Platform, redact: Redact) -> str:
    if not now:
        return "could not read the running config after the failure; its state is unknown"
    diff = config_diff(before, now, platform, ("before push", "running now"))
    return redact(diff) if diff else "running config equals the pre-change config"
