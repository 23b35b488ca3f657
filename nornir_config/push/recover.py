"""`communelan recover`: devices a killed run left mid-change, found through the journal.

For each one: what it runs now, compared with its pre-change backup and its intended config
(as before, as intended, or between), and on request put back (`--to before`: the device's
own `configure replace` of the copy it saved before the change) or forward (`--to intended`:
the remediation to the intended config), saved and verified. A device found as before or as
intended, or put there, is saved (startup equal to running) and leaves the journal. First the
change's delivery file a killed run may have left on the device (it holds the change, secrets
included) is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nornir.core.task import Result, Task

from nornir_config import audit
from nornir_config.backup import clean_config
from nornir_config.compliance.fingerprints import Fingerprints
from nornir_config.connection import close_all, open_netmiko, prepare_connections, why
from nornir_config.errors import InputError
from nornir_config.platforms import driver_for
from nornir_config.platforms.base import Platform
from nornir_config.project import Project
from nornir_config.push import journal
from nornir_config.push.diff import config_diff, remediation
from nornir_config.push.lock import lock_devices
from nornir_config.push.merge import fingerprints
from nornir_config.push.rollback import config_paths, remove_device_files, restore_device_copy
from nornir_config.push.session import deliver, read_running, save_and_read
from nornir_config.push.state import Outcome, new_run_id, update_state
from nornir_config.push.transfer import remove_delivery_file
from nornir_config.push.transfer import save as save_running
from nornir_config.secrets import Secrets, redactor

TARGETS = ("before", "intended")
AS_BEFORE, AS_INTENDED, BETWEEN = "as before", "as intended", "between"


@dataclass
class Recovery:
    """One journaled device: where it stood, what was done, where it stands now."""

    host: str
    run: str
    found: str  # as before | as intended | between | unreachable
    now: str = ""  # as before | as intended | between (after --to)
    detail: str = ""  # redacted diffs, or why it failed

    @property
    def settled(self) -> bool:
        return (self.now or self.found) in (AS_BEFORE, AS_INTENDED)


def recover_device(
    task: Task,
    entry: journal.JournalEntry,
    intended: str,
    to: str | None,
    secrets: Secrets,
    redact: Callable[[str], str],
) -> Result:
    """Nornir task: classify the device, and with `to` put it there."""
    platform = driver_for(task.host)
    result = Recovery(task.host.name, entry.run, "unreachable")
    try:
        running = read_running(task)
        conn = open_netmiko(task.host, task.nornir.config)
        remove_delivery_file(conn, platform)
        proven = fingerprints(task)
        result.found = _where(running, entry, intended, platform, secrets, proven)
        if to is None or result.found == (AS_BEFORE if to == "before" else AS_INTENDED):
            if result.settled:  # killed before it saved: a reload must not bring back a change
                save_running(conn, platform.commands)
            result.detail = _diffs(running, entry, intended, platform, redact)
            if result.settled:  # as before or as intended: the way back is done with
                result.detail += remove_device_files(conn, platform, [entry.device_file])
            return Result(host=task.host, result=result)
        if to == "before":
            restore_device_copy(conn, platform, entry.device_file)
            running = save_and_read(conn, platform)
        else:
            commands = remediation(running, intended, platform, proven=proven)
            running = deliver(conn, commands, platform).running  # saved, then read back
        if to == "intended":
            proven.record(commands, running, intended)
        result.now = _where(running, entry, intended, platform, secrets, proven)
        if result.now == AS_INTENDED and to == "intended":
            proven.save()
        if result.now != (AS_BEFORE if to == "before" else AS_INTENDED):
            result.detail = _diffs(running, entry, intended, platform, redact)
        else:
            result.detail = remove_device_files(conn, platform, [entry.device_file]).lstrip("; ")
    except Exception as exc:  # the device could not be read or changed: say why
        result.detail = redact(why(exc))
        if result.found != "unreachable":
            result.now = BETWEEN
    return Result(host=task.host, result=result, changed=bool(result.now))


def _where(
    running: str,
    entry: journal.JournalEntry,
    intended: str,
    platform: Platform,
    secrets: Secrets,
    proven: Fingerprints,
) -> str:
    before = Path(entry.before_file).read_text(encoding="utf-8")
    now = clean_config(secrets.redact(running), platform)
    if config_paths(now, platform) == config_paths(before, platform):
        return AS_BEFORE
    if not remediation(running, intended, platform, proven=proven):
        return AS_INTENDED
    return BETWEEN


def _diffs(
    running: str,
    entry: journal.JournalEntry,
    intended: str,
    platform: Platform,
    redact: Callable[[str], str],
) -> str:
    before = Path(entry.before_file).read_text(encoding="utf-8")
    parts = [
        config_diff(before, running, platform, ("before the change", "running now")),
        config_diff(intended, running, platform, ("intended", "running now")),
    ]
    return redact("\n".join(p for p in parts if p))


def run_recover(project: Project, to: str | None) -> list[Recovery]:
    """Every journaled device among the selected hosts, classified (and moved with `to`)."""
    if to is not None and to not in TARGETS:
        raise InputError.one("--to", to, "unknown target", "use before or intended")
    settings = project.settings
    entries = {
        h: e
        for h, e in journal.entries(settings.build_dir).items()
        if h in project.nr.inventory.hosts
    }
    if not entries:
        return []
    locks = lock_devices(settings.build_dir, entries)
    try:
        nr = project.nr.filter(filter_func=lambda h: h.name in entries)
        prepare_connections(nr, settings)
        secrets = project.secrets()

        redact = redactor(secrets, (driver_for(h) for h in nr.inventory.hosts.values()))

        intended = {
            h: Path(e.intended_file).read_text(encoding="utf-8") for h, e in entries.items()
        }

        def task(t: Task) -> Result:
            name = t.host.name
            return recover_device(t, entries[name], intended[name], to, secrets, redact)

        try:
            results = nr.run(task=task, name="recover", on_failed=True)
        finally:
            close_all(nr)
        found = [results[h][0].result for h in sorted(entries)]
        _record(settings.build_dir, found, to)
        return [r for r in found if isinstance(r, Recovery)]
    finally:
        locks.release()


def _record(build_dir: Path, found: list[object], to: str | None) -> None:
    run_id = new_run_id()
    outcomes: dict[str, Outcome] = {}
    for r in found:
        if not isinstance(r, Recovery):
            continue
        state = r.now or r.found
        if state in (AS_BEFORE, AS_INTENDED):
            journal.end(build_dir, r.host)
        outcomes[r.host] = {
            AS_BEFORE: Outcome.ROLLED_BACK,
            AS_INTENDED: Outcome.CHANGED,
        }.get(state, Outcome.NEEDS_ATTENTION)
        audit.append(
            build_dir / "audit.jsonl",
            {
                "run": run_id,
                "device": r.host,
                "action": "recover",
                "to": to or "",
                "found": r.found,
                "result": state,
                "reason": r.detail if state == BETWEEN else "",
            },
        )
    update_state(build_dir, run_id, outcomes)
