"""Apply a reviewed plan: exactly its commands, only where the device is still as planned.

A device is sent its commands only when (1) its running config still has the planned
fingerprint, (2) its intended config still has the planned fingerprint and (3) the commands
re-derived from those two configs are, with secrets removed, exactly the planned ones. The
check runs once for all devices before anything is sent and again inside the session that
changes the device (the push guard), so a change in between is refused too. A refused device
is untouched ("stale: re-plan"); the others go through the usual merge push (pre-change
backup, verify, rollback, canary, --max-failures, audit log), and every device's audit entry
carries the plan id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nornir_config import audit
from nornir_config.change.fingerprint import fingerprint, redacted
from nornir_config.change.plan import Plan, check_ready
from nornir_config.compliance.fingerprints import Fingerprints
from nornir_config.compliance.run import running_live
from nornir_config.connection import prepare_connections
from nornir_config.errors import InputError
from nornir_config.platforms import driver
from nornir_config.project import Project
from nornir_config.push.diff import remediation
from nornir_config.push.intended import intended_configs
from nornir_config.push.run import PushOptions, run_push
from nornir_config.push.state import DeviceReport, Outcome
from nornir_config.secrets import Secrets
from nornir_config.settings import run_settings

STALE = "stale: re-plan"


@dataclass
class ApplyRun:
    plan_id: str
    run_id: str = ""
    reports: dict[str, DeviceReport] = field(default_factory=dict)
    stopped: str = ""

    @property
    def ok(self) -> bool:
        return not self.stopped and all(r.outcome.finished for r in self.reports.values())


def plan_hosts(plan: Plan, path: Path) -> list[str]:
    """The plan's devices as a --filter, refusing an empty plan."""
    if not plan.devices:
        raise InputError.one(str(path), plan.id, "plans no device", "re-plan with --filter")
    return sorted(plan.devices)


def why_stale(
    planned: Plan, host: str, running: str, intended: str, secrets: Secrets
) -> str | None:
    """Why `host` may not get its planned commands now, or None when it may."""
    device = planned.devices[host]
    platform = driver(device.platform)
    if fingerprint(intended, platform) != device.intended_sha256:
        return f"{STALE} (the intended config changed since plan {planned.id})"
    if fingerprint(running, platform) != device.running_sha256:
        return f"{STALE} (the running config changed since plan {planned.id})"
    proven = Fingerprints.load(run_settings().build_dir, host, platform, secrets)
    derived = redacted(remediation(running, intended, platform, proven=proven), secrets, platform)
    if derived != device.commands:
        return f"{STALE} (the commands differ from plan {planned.id}: a secret changed)"
    return None


def apply_plan(
    project: Project,
    plan: Plan,
    path: Path,
    *,
    canary: int = 0,
    max_failures: int | None = None,
    workers: int | None = None,
    accept_new_host_keys: bool = False,
    progress: bool = False,
) -> ApplyRun:
    """Send the plan's commands to the devices still as planned (`project` holds its hosts)."""
    check_ready(plan, path)
    settings = project.settings
    hosts = sorted(project.nr.inventory.hosts)
    unknown = sorted(set(plan.devices) - set(hosts))
    if unknown:
        raise InputError.one(
            str(path),
            plan.id,
            f"plans devices not in the inventory: {', '.join(unknown[:5])}",
            "re-plan against the current hosts/",
        )
    intended = intended_configs(project, hosts, settings.build_dir / "intended")
    secrets = project.secrets()
    result = ApplyRun(plan.id)
    ready: list[str] = []
    unread = [h for h in hosts if plan.devices[h].running_sha256 is None]
    for host in unread:
        result.reports[host] = DeviceReport(
            host, Outcome.SKIPPED, "merge", f"not read when planned: {plan.devices[host].error}"
        )
    readable = project.nr.filter(filter_func=lambda h: h.name not in set(unread))
    prepare_connections(readable, settings, accept_new_host_keys=accept_new_host_keys)
    for host, (running, reason) in sorted(running_live(readable).items()):
        if running is None:
            result.reports[host] = DeviceReport(host, Outcome.UNREACHABLE, "merge", reason)
            continue
        stale = why_stale(plan, host, running, intended[host], secrets)
        if stale:
            result.reports[host] = DeviceReport(host, Outcome.FAILED, "merge", stale)
        else:
            ready.append(host)

    def guard(host: str, running: str) -> None:
        stale = why_stale(plan, host, running, intended[host], secrets)
        if stale:
            raise OSError(stale)

    if ready:
        chosen = set(ready)
        project.nr = project.nr.filter(filter_func=lambda h: h.name in chosen)
        options = PushOptions(
            method=plan.method,
            workers=workers,
            canary=canary,
            max_failures=max_failures,
            accept_new_host_keys=accept_new_host_keys,
            progress=progress,
            guard=guard,
        )
        run = run_push(project, options)
        result.run_id, result.stopped = run.run_id, run.stopped
        for report in run.reports.values():  # refused by the guard: say only why
            if STALE in report.reason:
                report.reason = report.reason[report.reason.index(STALE) :]
        result.reports.update(run.reports)
    log = settings.build_dir / "audit.jsonl"
    for host, report in sorted(result.reports.items()):
        audit.append(
            log,
            {
                "run": result.run_id,
                "plan": plan.id,
                "device": host,
                "action": "apply",
                "result": report.outcome.value,
                "reason": report.reason,
            },
        )
    return result
