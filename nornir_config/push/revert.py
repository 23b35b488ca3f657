"""A merge under the device's own revert timer: a change that cuts the push off is undone by
the device itself.

Where the driver has one (`Platform.revert_timer`: a commit that needs a confirmation), the
merge starts the timer before its first change and confirms only once the
change is verified and the NOC still gets in; nothing is saved before that, so a device that
reverts by itself is back to its running and startup configs as before. When the push loses
the device mid-change (its own path cut), it waits for the timer, logs in again and checks
line by line that the device is as before; the run reports it as rolled back by the device.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from nornir.core.task import Task

from nornir_config.connection import TIMEOUTS, failure_reason, open_netmiko, why
from nornir_config.platforms.base import Platform, RevertTimer
from nornir_config.push.diff import remediation
from nornir_config.push.rollback import rollback_merge
from nornir_config.push.session import read_config, reopen
from nornir_config.push.state import DeviceReport, Outcome

Redact = Callable[[str], str]
GRACE = 60.0  # seconds past the timer before the push gives up waiting
POLL = 2.0  # seconds between login attempts while waiting


def start_lines(platform: Platform, running: str) -> list[str]:
    """The lines that start the device's revert timer and leave config mode again, typed in
    the same write as the proof of the way back (no round trip of their own); none when the
    driver has no timer or `running` lacks the line the device needs for one
    (`RevertTimer.needs`), so the merge goes on without it and does not ask."""
    timer = platform.revert_timer
    if timer is None or (timer.needs and not re.search(timer.needs, running, flags=re.M)):
        return []
    return [timer.start.format(minutes=timer.minutes), platform.commands.exit_config]


def started(platform: Platform, answer: str) -> bool:
    """Whether the device's answer to `start_lines` says its timer runs."""
    timer = platform.revert_timer
    assert timer is not None
    return not re.search(timer.refused, answer)


def confirm(conn: Any, platform: Platform) -> None:
    """Keep the change: the device stops its revert timer."""
    timer = platform.revert_timer
    assert timer is not None
    output = str(conn.send_command(timer.confirm, read_timeout=TIMEOUTS["timeout"]))
    if re.search(platform.commands.error_pattern, output, flags=re.M):
        raise OSError(f"the device refused to confirm the change: {output.strip()[:200]}")


def undo(
    task: Task,
    before: str,
    platform: Platform,
    report: DeviceReport,
    redact: Redact,
    timed: bool,
    fresh: bool = True,
) -> DeviceReport:
    """Bring the device back to `before`: the push's own rollback while it reaches the device;
    under a revert timer, a device it cannot reach is waited for until the timer put it back."""
    if not timed:
        return rollback_merge(task, before, platform, report, redact, fresh=fresh)
    if fresh:
        try:
            reopen(task, attempts=1)
        except Exception:  # cut off: the device's timer is the way back
            return await_revert(task, before, platform, report, redact)
    return stopped(task, platform, rollback_merge(task, before, platform, report, redact, False))


def stopped(task: Task, platform: Platform, rolled: DeviceReport) -> DeviceReport:
    """Put back by the push while the device's timer may still run: confirmed, so that it
    cannot later revert an engineer's next change (a device with no timer left says so
    without an error). A refused confirm is reported only if the device says a timer runs."""
    timer = platform.revert_timer
    if rolled.outcome == Outcome.ROLLED_BACK and timer is not None:
        conn = None
        try:
            conn = open_netmiko(task.host, task.nornir.config)
            confirm(conn, platform)
        except Exception as exc:  # refused, or the session failed: the timer may still run
            if conn is None or _pending(conn, timer):
                rolled.reason = (
                    f"{rolled.reason}; its revert timer could not be stopped ({why(exc)}): "
                    f"within {timer.minutes} min it would undo any change made after this one"
                )
    return rolled


def _pending(conn: Any, timer: RevertTimer) -> bool:
    """Whether the device says its revert timer runs; True when it cannot say."""
    if not timer.pending:
        return True
    try:
        answer = str(conn.send_command(timer.pending, read_timeout=TIMEOUTS["timeout"]))
    except Exception:  # the session failed: no way to know
        return True
    return not re.search(timer.none_pending, answer)


def await_revert(
    task: Task, before: str, platform: Platform, report: DeviceReport, redact: Redact
) -> DeviceReport:
    """Wait for the device to revert by itself, then verify it is as before (and saved)."""
    timer = platform.revert_timer
    assert timer is not None
    deadline = time.monotonic() + timer.minutes * 60 + GRACE
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            conn = reopen(task, attempts=1, pause=0)
            now = read_config(conn, platform)
        except Exception as exc:  # still cut off: the timer has not run out yet
            last = failure_reason(exc)
            time.sleep(POLL)
            continue
        done = (
            "reverted the change by itself"
            if not remediation(now, before, platform)
            else ("answered again without reverting (rolled back by the push)")
        )
        report.reason = (
            f"{report.reason}; the push lost the device, which {done} "
            f"(device revert timer, {timer.minutes} min)"
        )
        # back before its timer ran out, the timer still runs: stopped once rolled back
        rolled = rollback_merge(task, before, platform, report, redact, fresh=False)
        return stopped(task, platform, rolled)
    report.outcome = Outcome.NEEDS_ATTENTION
    report.reason = (
        f"{report.reason}; the device did not answer within its revert timer "
        f"({timer.minutes} min) and {GRACE:.0f} s more: {last}"
    )
    report.now = "could not read the running config after the failure; its state is unknown"
    return report
