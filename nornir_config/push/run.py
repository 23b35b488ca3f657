"""A rollout: canary first, then the rest, stopping at --max-failures; every device audited,
its end state saved for --retry-failed.

The rest run as one pool of workers: a worker that frees up starts the next device unless
--max-failures devices have failed by then (the devices in flight finish), so no device
waits for the slowest of a batch.

The run locks its devices (push/lock.py) and journals each before its first change
(push/journal.py). SIGINT and SIGTERM stop it from starting more devices; the ones in flight
finish or roll back, and the audit log, the state and the summary are still written.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nornir.core import Nornir
from nornir.core.task import Result, Task
from nornir.plugins.runners import ThreadedRunner

from nornir_config import audit
from nornir_config.backup import clean_config
from nornir_config.connection import close_all, hang_up, open_netmiko, prepare_connections, why
from nornir_config.errors import InputError, Problem
from nornir_config.platforms import driver_for
from nornir_config.project import Project
from nornir_config.push import journal
from nornir_config.push.access import access_check, waves
from nornir_config.push.device_replace import device_replace_push
from nornir_config.push.intended import intended_configs
from nornir_config.push.lock import lock_devices
from nornir_config.push.merge import merge_push
from nornir_config.push.replace import replace_push
from nornir_config.push.rollback import DEVICE_COPY, remove_device_copy, save_device_copy
from nornir_config.push.state import (
    DeviceReport,
    Outcome,
    load_verified,
    new_run_id,
    save_state,
    unfinished_hosts,
)
from nornir_config.push.verified import RunningFingerprints, VerifiedConfigs
from nornir_config.render import private_dir, write_private
from nornir_config.secrets import redactor

LOST = (Outcome.UNREACHABLE, Outcome.FAILED, Outcome.NEEDS_ATTENTION)
FAILURES = (Outcome.ROLLED_BACK, Outcome.FAILED, Outcome.UNREACHABLE, Outcome.NEEDS_ATTENTION)
METHODS = ("merge", "replace")


@dataclass(frozen=True)
class PushOptions:
    method: str = "merge"
    dry_run: bool = False
    workers: int | None = None
    canary: int = 0
    first: int | None = None  # change only the first N selected devices (--first)
    max_failures: int | None = None
    retry_failed: bool = False
    accept_new_host_keys: bool = False
    progress: bool = False
    intended_dir: Path | None = None
    # Called with (host, running config) right before a device is changed, in the session that
    # changes it; raising OSError refuses the device untouched (e.g. a stale plan).
    guard: Callable[[str, str], None] | None = None


@dataclass
class PushRun:
    run_id: str
    reports: dict[str, DeviceReport] = field(default_factory=dict)
    stopped: str = ""
    signal: int = 0  # the signal that interrupted the run, if any
    salt: str = ""  # of the state's fingerprints (push/verified.py)

    @property
    def failed(self) -> list[str]:
        return sorted(h for h, r in self.reports.items() if r.outcome in FAILURES)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped


def check_options(options: PushOptions) -> None:
    problems = []
    if options.method not in METHODS:
        problems.append(("--method", options.method, "unknown method", "use merge or replace"))
    for flag, value in (("--canary", options.canary), ("--max-failures", options.max_failures)):
        if value is not None and value < 0:
            problems.append((flag, str(value), "must not be negative", "give 0 or more"))
    if options.first is not None and options.first < 1:
        problems.append(("--first", str(options.first), "must be 1 or more", "e.g. 3"))
    if options.workers is not None and options.workers < 1:
        problems.append(("--workers", str(options.workers), "must be 1 or more", "e.g. 20"))
    if problems:
        raise InputError(Problem(*p) for p in problems)


def run_push(project: Project, options: PushOptions) -> PushRun:
    """Push the intended configs of the selected hosts; never raises for a device failure."""
    check_options(options)
    settings = project.settings
    nr = project.nr
    hosts = sorted(nr.inventory.hosts)
    if options.retry_failed:
        unfinished = unfinished_hosts(settings.build_dir)
        midway = journal.entries(settings.build_dir)
        if midway:  # a killed run saved no state: its journal names the devices
            unfinished = sorted({*(unfinished or []), *midway})
        if unfinished is None:
            raise InputError.one(
                str(settings.build_dir / "push-state.json"),
                "--retry-failed",
                "no earlier push to resume",
                "run communelan push first",
            )
        hosts = [h for h in hosts if h in set(unfinished)]
    held: list[str] = []
    if options.first is not None:  # e.g. a playbook's canary step; the rest come next
        hosts, held = hosts[: options.first], hosts[options.first :]
    run = PushRun(new_run_id())
    for host in held:
        run.reports[host] = DeviceReport(
            host, Outcome.SKIPPED, options.method, "held back by --first: push with --retry-failed"
        )
    if not hosts:
        return run
    locks = None if options.dry_run else lock_devices(settings.build_dir, hosts)
    try:
        _run_locked(project, options, hosts, run)
    finally:
        if locks is not None:
            locks.release()
    return run


def _run_locked(project: Project, options: PushOptions, hosts: list[str], run: PushRun) -> None:
    settings = project.settings
    nr = project.nr
    intended_dir = options.intended_dir or settings.build_dir / "intended"
    intended = intended_configs(project, hosts, intended_dir)
    midway = journal.entries(settings.build_dir)
    for host in hosts:
        if host in midway and not options.dry_run:
            entry = midway[host]
            run.reports[host] = DeviceReport(
                host,
                Outcome.NEEDS_ATTENTION,
                options.method,
                f"was mid-change when run {entry.run} (pid {entry.pid}) stopped; "
                "see and fix it with: communelan recover",
            )
    hosts = [h for h in hosts if h not in run.reports]
    if not hosts:
        _finish(settings.build_dir, options, run)
        return
    prepare_connections(nr, settings, accept_new_host_keys=options.accept_new_host_keys)
    run.salt, verified = load_verified(settings.build_dir)
    if not options.dry_run:  # a run killed from here on still leaves its devices listed
        started = {
            h: DeviceReport(h, Outcome.SKIPPED, options.method, "run did not finish") for h in hosts
        }
        save_state(
            settings.build_dir,
            run.run_id,
            {**_merged_state(settings.build_dir, run), **started},
            run.salt,
        )
    secrets = project.secrets()
    known = VerifiedConfigs(RunningFingerprints.of_run(secrets.values, run.salt), verified)
    before_dir = settings.build_dir / "push" / run.run_id / "before"
    audit_log = settings.build_dir / "audit.jsonl"

    redact = redactor(secrets, (driver_for(nr.inventory.hosts[h]) for h in hosts))

    def before_change(host: str, running: str) -> None:
        """Local redacted backup, the device's own full copy, then the journal entry."""
        if options.guard is not None:
            options.guard(host, running)
        device = nr.inventory.hosts[host]
        platform = driver_for(device)
        private_dir(before_dir)
        write_private(
            before_dir / f"{host}.cfg",
            clean_config(secrets.redact(running), platform).encode("utf-8"),
        )
        try:
            copy = save_device_copy(device, open_netmiko(device, nr.config), platform)
        except OSError:
            raise
        except Exception as exc:  # a session failure before any change: the device is untouched
            raise OSError(f"the device could not save its pre-change copy: {why(exc)}") from exc
        journal.begin(
            settings.build_dir,
            journal.JournalEntry(
                host=host,
                run=run.run_id,
                method=options.method,
                pid=os.getpid(),
                started=journal.now(),
                before_file=str(before_dir / f"{host}.cfg"),
                device_file=copy,
                intended_file=str(intended_dir / f"{host}.cfg"),
            ),
        )

    workers = options.workers or int(nr.config.runner.options.get("num_workers", 20))
    canary, rest = hosts[: options.canary], hosts[options.canary :]
    batches = [b for b in (canary, rest) if b]
    stop = threading.Event()
    restore = _catch_signals(stop, run)
    try:
        for index, batch in enumerate(batches):
            if stop.is_set() and not run.stopped:
                run.stopped = f"stopped: interrupted by {signal.Signals(run.signal).name}"
            if run.stopped:
                for host in batch:
                    run.reports[host] = DeviceReport(
                        host, Outcome.SKIPPED, options.method, run.stopped
                    )
                continue
            _run_batch(
                nr,
                batch,
                intended,
                options,
                workers,
                redact,
                before_change,
                run,
                audit_log,
                stop,
                known,
            )
            failed = [h for h in batch if run.reports[h].outcome in FAILURES]
            if index == 0 and canary and failed:
                run.stopped = f"stopped: canary device(s) failed: {', '.join(failed)}"
            elif options.max_failures and len(run.failed) >= options.max_failures:
                run.stopped = f"stopped: {len(run.failed)} devices failed (--max-failures)"
            if stop.is_set() and not run.stopped:
                run.stopped = f"stopped: interrupted by {signal.Signals(run.signal).name}"
    finally:
        close_all(nr)
        restore()
    _finish(settings.build_dir, options, run)


def _finish(build_dir: Path, options: PushOptions, run: PushRun) -> None:
    if not options.dry_run:
        save_state(build_dir, run.run_id, _merged_state(build_dir, run), run.salt)


def _catch_signals(stop: threading.Event, run: PushRun) -> Callable[[], None]:
    """SIGINT/SIGTERM set `stop` (once; a second one acts as usual); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, _frame: object) -> None:
        run.signal = signum
        stop.set()
        for sig, old in previous.items():
            signal.signal(sig, old)
        print(
            f"{signal.Signals(signum).name}: finishing the devices in flight, starting no more",
            file=sys.stderr,
        )

    for sig in previous:
        signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def _merged_state(build_dir: Path, run: PushRun) -> dict[str, DeviceReport]:
    """This run's reports over the previous run's unfinished devices (so a retry of a part
    keeps the others listed)."""
    merged = {
        h: DeviceReport(h, Outcome.SKIPPED, "", "not finished by an earlier run")
        for h in (unfinished_hosts(build_dir) or [])
    }
    merged.update(run.reports)
    return merged


def _run_batch(
    nr: Nornir,
    batch: list[str],
    intended: dict[str, str],
    options: PushOptions,
    workers: int,
    redact: Callable[[str], str],
    before_change: Callable[[str, str], None],
    run: PushRun,
    audit_log: Path,
    stop: threading.Event,
    known: VerifiedConfigs,
) -> None:
    failures = [len(run.failed)]  # so far in the run, counted as devices finish
    counting = threading.Lock()
    # the devices behind a changed one that did not answer before are not its fault
    check = access_check(nr, lambda h: h in run.reports and run.reports[h].outcome in LOST)

    def method_task(
        task: Task,
        text: str,
        dry_run: bool,
        redact: Callable[[str], str],
        before_change: Callable[[str, str], None],
    ) -> Result:
        args = (text, dry_run, redact, before_change)
        if options.method == "merge":
            return merge_push(task, *args, after_change=check, known=known)
        if driver_for(task.host).replace == "device":  # no NAPALM replace: the device's own
            return device_replace_push(task, *args, after_change=check)
        return replace_push(task, *args, after_change=check)

    def push_device(task: Task) -> Result:
        why = ""
        if stop.is_set():  # interrupted: start no more devices
            why = f"not started: interrupted by {signal.Signals(run.signal).name}"
        elif options.max_failures and failures[0] >= options.max_failures:
            why = f"not started: {failures[0]} devices failed (--max-failures)"
        if why:
            return Result(
                host=task.host,
                result=DeviceReport(task.host.name, Outcome.SKIPPED, options.method, why),
            )
        result = method_task(task, intended[task.host.name], options.dry_run, redact, before_change)
        settled(task, result.result)
        hang_up(task.host)  # done with the device: its session ends now, not with the run
        # The progress bar counts what the summary counts: a rolled-back device failed.
        if isinstance(result.result, DeviceReport) and result.result.outcome in FAILURES:
            result.failed = True
            with counting:
                failures[0] += 1
        return result

    for wave in waves(nr, batch):  # farthest from the NOC first
        names = set(wave)
        part = nr.filter(filter_func=lambda h, names=names: h.name in names).with_runner(
            ThreadedRunner(num_workers=workers)
        )
        if options.progress and sys.stderr.isatty():
            from nornir_rich.progress_bar import RichProgressBar

            part = part.with_processors([RichProgressBar()])
        results = part.run(task=push_device, name=f"push ({options.method})", on_failed=True)
        part.data.reset_failed_hosts()  # reported in run.reports; later steps still see them
        _report(results, wave, options, run, audit_log)


def settled(task: Task, report: object) -> None:
    """A device as before or as intended, verified: its pre-change copy (the secrets' hashes)
    goes; one that needs attention keeps it, the way back for `communelan recover`."""
    if not isinstance(report, DeviceReport) or report.outcome == Outcome.NEEDS_ATTENTION:
        return
    if DEVICE_COPY not in task.host.data:  # nothing saved: nothing was about to change
        return
    try:
        conn = open_netmiko(task.host, task.nornir.config)
    except Exception as exc:  # cut off: the copy stays, the report says so
        task.host.data.pop(DEVICE_COPY, None)
        report.reason += f"; could not delete its pre-change copy: {why(exc)}"
        return
    report.reason += remove_device_copy(task.host, conn, driver_for(task.host))


def _report(
    results: Any, wave: list[str], options: PushOptions, run: PushRun, audit_log: Path
) -> None:
    for host in wave:
        first = results[host][0]
        if isinstance(first.result, DeviceReport):
            report = first.result
        else:  # a bug in our own code: say so, and treat the device as unknown
            report = DeviceReport(
                host,
                Outcome.NEEDS_ATTENTION,
                options.method,
                f"internal error: {first.exception!r}",
            )
        run.reports[host] = report
        if report.outcome != Outcome.NEEDS_ATTENTION:  # between states: keep it for recover
            journal.end(audit_log.parent, host)
        if report.outcome == Outcome.SKIPPED:
            continue
        if not options.dry_run:
            audit.append(
                audit_log,
                {
                    "run": run.run_id,
                    "device": host,
                    "action": "push",
                    "method": report.method,
                    "result": report.outcome.value,
                    "reason": report.reason,
                    "diff": report.diff or "\n".join(report.commands),
                },
            )
