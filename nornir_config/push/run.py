"""A rollout: canary first, then the rest in batches, stopping at --max-failures; every
device audited, its end state saved for --retry-failed."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nornir.core import Nornir
from nornir.core.task import Result, Task
from nornir.plugins.runners import ThreadedRunner

from nornir_config import audit
from nornir_config.backup import clean_config, sanitize
from nornir_config.connection import prepare_connections
from nornir_config.errors import InputError, Problem
from nornir_config.project import Project
from nornir_config.push.intended import intended_configs
from nornir_config.push.merge import merge_push
from nornir_config.push.replace import replace_push
from nornir_config.push.state import DeviceReport, Outcome, save_state, unfinished_hosts

FAILURES = (Outcome.ROLLED_BACK, Outcome.FAILED, Outcome.UNREACHABLE, Outcome.NEEDS_ATTENTION)
METHODS = ("merge", "replace")


@dataclass(frozen=True)
class PushOptions:
    method: str = "merge"
    dry_run: bool = False
    workers: int | None = None
    canary: int = 0
    limit: int | None = None
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
    if options.limit is not None and options.limit < 1:
        problems.append(("--limit", str(options.limit), "must be 1 or more", "e.g. 3"))
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
        if unfinished is None:
            raise InputError.one(
                str(settings.build_dir / "push-state.json"),
                "--retry-failed",
                "no earlier push to resume",
                "run communelan push first",
            )
        hosts = [h for h in hosts if h in set(unfinished)]
    held: list[str] = []
    if options.limit is not None:  # e.g. a playbook's canary step; the rest come next
        hosts, held = hosts[: options.limit], hosts[options.limit :]
    run = PushRun(datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6])
    for host in held:
        run.reports[host] = DeviceReport(
            host, Outcome.SKIPPED, options.method, "held back by --limit: push with --retry-failed"
        )
    if not hosts:
        return run
    intended = intended_configs(
        project, hosts, options.intended_dir or settings.build_dir / "intended"
    )
    prepare_connections(nr, settings, accept_new_host_keys=options.accept_new_host_keys)
    secrets = project.secrets()
    before_dir = settings.build_dir / "push" / run.run_id / "before"
    audit_log = settings.build_dir / "audit.jsonl"

    def redact(text: str) -> str:
        return sanitize(secrets.redact(text), "cisco_ios")

    def before_change(host: str, running: str) -> None:
        if options.guard is not None:
            options.guard(host, running)
        before_dir.mkdir(parents=True, exist_ok=True)
        platform = str(nr.inventory.hosts[host].platform)
        (before_dir / f"{host}.cfg").write_text(
            clean_config(secrets.redact(running), platform), encoding="utf-8"
        )

    workers = options.workers or int(nr.config.runner.options.get("num_workers", 20))
    canary, rest = hosts[: options.canary], hosts[options.canary :]
    batches = [canary] if canary else []
    size = workers if options.max_failures is not None else len(rest)
    batches += [rest[i : i + size] for i in range(0, len(rest), max(size, 1))]
    try:
        for index, batch in enumerate(batches):
            if run.stopped:
                for host in batch:
                    run.reports[host] = DeviceReport(
                        host, Outcome.SKIPPED, options.method, run.stopped
                    )
                continue
            _run_batch(nr, batch, intended, options, workers, redact, before_change, run, audit_log)
            failed = [h for h in batch if run.reports[h].outcome in FAILURES]
            if index == 0 and canary and failed:
                run.stopped = f"stopped: canary device(s) failed: {', '.join(failed)}"
            elif options.max_failures and len(run.failed) >= options.max_failures:
                run.stopped = f"stopped: {len(run.failed)} devices failed (--max-failures)"
    finally:
        nr.close_connections()
    if not options.dry_run:
        save_state(settings.build_dir, run.run_id, _merged_state(settings.build_dir, run))
    return run


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
) -> None:
    names = set(batch)
    part = nr.filter(filter_func=lambda h: h.name in names).with_runner(
        ThreadedRunner(num_workers=workers)
    )
    if options.progress and sys.stderr.isatty():
        from nornir_rich.progress_bar import RichProgressBar

        part = part.with_processors([RichProgressBar()])
    method_task = merge_push if options.method == "merge" else replace_push

    def push_device(task: Task) -> Result:
        return method_task(task, intended[task.host.name], options.dry_run, redact, before_change)

    results = part.run(task=push_device, name=f"push ({options.method})", on_failed=True)
    for host in batch:
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
