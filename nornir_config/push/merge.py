"""Merge push: send only the hier_config remediation, save, verify, roll back on failure."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import NamedTuple

from nornir.core.task import Result, Task

from nornir_config.compliance.features import features_for, owner_of
from nornir_config.compliance.fingerprints import Fingerprints
from nornir_config.compliance.model import UNOWNED
from nornir_config.connection import open_netmiko, why
from nornir_config.inventory import province_of
from nornir_config.platforms import driver_for
from nornir_config.push import revert
from nornir_config.push.diff import Remediation, config_diff, plan, remediation
from nornir_config.push.rollback import prove_way_back, recheck
from nornir_config.push.session import deliver, read_running, save_and_read, upload_ahead
from nornir_config.push.state import DeviceReport, Outcome
from nornir_config.push.transfer import remove_delivery_file
from nornir_config.push.verified import VerifiedConfigs
from nornir_config.settings import run_settings

Redact = Callable[[str], str]
BeforeHook = Callable[[str, str], None]
AfterHook = Callable[[str], str | None]  # why the NOC lost access after a change, or None


def merge_push(
    task: Task,
    intended: str,
    dry_run: bool,
    redact: Redact,
    before_change: BeforeHook,
    after_change: AfterHook | None = None,
    known: VerifiedConfigs | None = None,
) -> Result:
    """Nornir task: make the device's running config equal `intended`, or leave it as it was.

    `before_change(host, running)` stores the pre-change backup; it runs before any change.
    `after_change(host)` says whether the change lost management access: then it is rolled
    back on the session still open. `known`: the running configs earlier pushes verified;
    the one read now among them needs no remediation (push/verified.py).
    """
    started = time.perf_counter()
    platform = driver_for(task.host)
    report = DeviceReport(task.host.name, Outcome.UNCHANGED, "merge")
    try:
        before = read_running(task)
        conn = open_netmiko(task.host, task.nornir.config)
    except Exception as exc:  # no session: the device is untouched
        report.outcome, report.reason = Outcome.UNREACHABLE, why(exc)
        return _result(task, report, started)
    change = planned_change(task, before, intended, report, redact, known)
    if change is None:
        return _result(task, report, started)
    planned, preserve, proven = change
    commands = planned.commands
    report.commands = [redact(c) for c in commands]
    # Before/after for `--diff` (hier_config's remediation makes the device equal `intended`),
    # each side redacted whole, where the sanitiser's line patterns still match.
    report.diff = config_diff(redact(before), redact(intended), platform, ("running", "intended"))
    if dry_run:
        report.outcome = Outcome.WOULD_CHANGE
        return _result(task, report, started)
    try:
        before_change(task.host.name, before)
    except OSError as exc:
        report.outcome, report.reason = Outcome.FAILED, f"pre-change backup failed: {exc}"
        return _result(task, report, started)
    timer = revert.start_lines(platform, before)
    upload = upload_ahead(commands, platform)  # the change's file: not a change yet
    try:
        # the device's own safety net, started in the same write as the way back's proof:
        # unconfirmed, it takes the change back by itself; then the change's file is written
        answer = prove_way_back(task.host, conn, platform, then=[*timer, *upload])
        split = answer.find(upload[0]) if upload else len(answer)
        timed = bool(timer) and revert.started(platform, answer[:split])
    except Exception as exc:  # refused, or the session failed: nothing was changed
        if timer:  # the timer may run: stop it (it would revert a later change)
            with contextlib.suppress(Exception):
                revert.confirm(conn, platform)
        if upload:  # the file holds the change (secrets in clear)
            with contextlib.suppress(Exception):
                remove_delivery_file(conn, platform)
        report.outcome, report.reason = Outcome.FAILED, f"{redact(why(exc))}; nothing changed"
        return _result(task, report, started)
    step = "sending commands"
    try:  # then, in the same write, saved (without a timer to confirm) and read back
        uploaded = answer[split:] if upload else None
        after = deliver(conn, commands, platform, save=not timed, uploaded=uploaded).running
    except Exception as exc:  # dropped session, refused command, failed save, timeout
        report.reason = f"{step}: {redact(why(exc))}"
        return _result(task, revert.undo(task, before, platform, report, redact, timed), started)
    proven.record(commands, after, intended)
    residual = remediation(after, intended, platform, preserve, proven)
    if residual:
        report.reason = f"residual diff after push ({len(residual)} lines): {redact(residual[0])}"
        return _result(task, revert.undo(task, before, platform, report, redact, timed), started)
    lost = after_change(task.host.name) if after_change is not None else None
    if lost is not None and after_change is not None:
        report.reason = f"lost management access after the change: {lost}"
        rolled = revert.undo(task, before, platform, report, redact, timed, fresh=False)
        return _result(task, recheck(rolled, after_change), started)
    if timed and platform.revert_timer is not None:
        step = "confirming, saving and re-reading the running config"
        try:  # one write: keep the change (the timer stops), save it, read it back
            after = save_and_read(conn, platform, first=[platform.revert_timer.confirm])
        except Exception as exc:  # the session dropped: the timer reverts an unconfirmed change
            report.reason = f"{step}: {redact(why(exc))}"
            undone = revert.undo(task, before, platform, report, redact, timed)
            return _result(task, undone, started)
    proven.save()
    report.outcome = Outcome.CHANGED
    if known is not None:
        report.verified = known.of(after, intended, platform, preserve, proven.known)
    return _result(task, report, started)


def fingerprints(task: Task) -> Fingerprints:
    """The host's device-cipher fingerprints (what the last push left), to plan against and
    to record what this push leaves."""
    return Fingerprints.load(run_settings().build_dir, task.host.name, driver_for(task.host))


def preserved(task: Task) -> list[str]:
    """The host's `preserve:` patterns from hosts/ (none for a host outside the province)."""
    try:
        return list(province_of(task.nornir).device(task.host.name).settings.preserve)
    except KeyError:
        return []


class PlannedChange(NamedTuple):
    remediation: Remediation
    preserve: list[str]  # the host's `preserve:` patterns
    proven: Fingerprints  # what the last push left, to record what this one leaves


def planned_change(
    task: Task,
    before: str,
    intended: str,
    report: DeviceReport,
    redact: Redact,
    known: VerifiedConfigs | None = None,
) -> PlannedChange | None:
    """The remediation from `before` to `intended`, the report told about it (`describe`);
    None, the report saying so, when nothing is to be sent. `known`: the running configs
    earlier pushes verified; the one read now among them needs no remediation."""
    preserve = preserved(task)
    proven = fingerprints(task)
    platform = driver_for(task.host)
    # what the remediation depends on besides the texts: the device ciphers proven so far
    fingerprint = known.of(before, intended, platform, preserve, proven.known) if known else ""
    verified = known.match(task.host.name, fingerprint) if known else None
    if verified is not None:
        report.protected, report.verified = list(verified.protected), fingerprint
        report.reason = "running config as an earlier push verified it; nothing sent"
        return None
    planned = plan(before, intended, platform, preserve, proven)
    describe(task, planned, report, redact)
    if not planned.commands:
        report.reason = "running config already as intended; nothing sent"
        report.verified = fingerprint
        return None
    return PlannedChange(planned, preserve, proven)


def describe(task: Task, planned: Remediation, report: DeviceReport, redact: Redact) -> None:
    """What the report says besides the commands: the running lines kept on purpose, and the
    removals no compliance feature of the device owns (for review before a first push)."""
    report.protected = [redact(line) for line in planned.protected]
    try:
        features = features_for(province_of(task.nornir).device(task.host.name))
    except KeyError:
        features = ()
    heads = {line: line.split(" / ")[0] for line in planned.removed}
    negation = driver_for(task.host).commands.negation
    report.unowned = [
        redact(r) for r, h in heads.items() if owner_of(h, features, negation) == UNOWNED
    ]


def _result(task: Task, report: DeviceReport, started: float) -> Result:
    report.seconds = round(time.perf_counter() - started, 3)
    return Result(
        host=task.host,
        result=report,
        changed=report.outcome in (Outcome.CHANGED, Outcome.ROLLED_BACK, Outcome.NEEDS_ATTENTION),
    )
