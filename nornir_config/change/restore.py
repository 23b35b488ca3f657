"""Put devices back to a backup: the backup's text, with its secrets taken from the intended
config, sent by the replace push (NAPALM configure replace with a revert timer, verified,
rolled back on failure).

A backup stores secrets as `<removed>`. Each such line is matched, within its section, to the
intended line that sanitises to the same text, and the intended line (its hash or key) is
what is sent; the backup is never the source of a secret. A backup line whose secret the
intended config does not have (a user since removed from hosts/) makes the restore bad input:
nothing is sent to any device.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from nornir_config import audit
from nornir_config.backup import git, sanitize
from nornir_config.errors import InputError, Problem
from nornir_config.platforms import driver_for
from nornir_config.platforms.base import Platform
from nornir_config.project import Project
from nornir_config.push.intended import intended_configs
from nornir_config.push.run import PushOptions, PushRun, run_push
from nornir_config.secrets import REMOVED

BEFORE_LAST_PUSH = "before-last-push"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass
class RestoreRun:
    revisions: dict[str, str] = field(default_factory=dict)  # host -> backup commit
    push: PushRun | None = None

    @property
    def ok(self) -> bool:
        return self.push is not None and self.push.ok


def _section_keys(text: str, platform: Platform) -> list[tuple[str, str, str]]:
    """(section, sanitised line, line) for every line; the section is the top-level line
    above an indented one (so `line con 0` and `line vty 0 4` passwords stay apart)."""
    keys = []
    section = ""
    for line, clean in zip(text.splitlines(), sanitize(text, platform).splitlines(), strict=True):
        if line and not line[0].isspace():
            section = line
        keys.append((section if line[:1].isspace() else "", clean.rstrip(), line))
    return keys


def with_secrets(backup: str, intended: str, platform: Platform, where: str) -> str:
    """The backup with every `<removed>` line replaced by its intended counterpart."""
    real: dict[tuple[str, str], set[str]] = {}
    for section, clean, line in _section_keys(intended, platform):
        if clean != line:
            real.setdefault((section, clean), set()).add(line)
    out: list[str] = []
    problems: list[Problem] = []
    section = ""
    for number, line in enumerate(backup.splitlines(), start=1):
        if line and not line[0].isspace():
            section = line
        if REMOVED in line:
            found = real.get((section if line[:1].isspace() else "", line), set())
            if len(found) != 1:
                why = "has no" if not found else "has several"
                problems.append(
                    Problem(
                        where,
                        line.strip(),
                        f"the intended config {why} line with this secret",
                        "restore a later backup, or put the line back in hosts/ first",
                        number,
                    )
                )
                continue
            line = next(iter(found))
        out.append(line)
    if problems:
        raise InputError(problems)
    return "\n".join(out) + "\n"


def backup_history(repo: Path, host: str) -> list[tuple[str, datetime]]:
    """(commit, time) of the backups that changed `host`, newest first."""
    log = git(repo, "log", "--format=%H %ct", "--", f"{host}.cfg")
    return [
        (sha, datetime.fromtimestamp(int(stamp), UTC))
        for sha, stamp in (line.split() for line in log.splitlines())
    ]


def _last_push_start(log: Path, host: str) -> tuple[str, datetime] | None:
    """The run id and start time of the last push that changed `host`, from the audit log."""
    for record in reversed(audit.read(log)):
        if (
            record.get("device") == host
            and record.get("action") == "push"
            and record.get("result") == "changed"
        ):
            run = str(record.get("run", ""))
            started = datetime.strptime(run.split("-")[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return run, started
    return None


def _as_of(to: str) -> datetime:
    """A date is the end of that day (UTC); a time without a zone is UTC."""
    moment = datetime.fromisoformat(to.replace("Z", "+00:00"))
    if len(to) == 10:
        moment = datetime.combine(moment.date(), time.max)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def resolve(repo: Path, hosts: list[str], to: str, log: Path) -> dict[str, str]:
    """The backup commit each host goes back to; every host without one is a problem."""
    problems: list[Problem] = []
    chosen: dict[str, str] = {}
    commit = ""
    if to != BEFORE_LAST_PUSH and not DATE.match(to):
        try:
            commit = git(repo, "rev-parse", "--verify", "--quiet", f"{to}^{{commit}}").strip()
        except subprocess.CalledProcessError:
            raise InputError.one(
                "--to",
                to,
                f"no such backup commit in {repo}",
                f"give a commit (git -C {repo} log), a date (2026-12-01) or {BEFORE_LAST_PUSH}",
            ) from None
    for host in hosts:
        if commit:
            try:
                git(repo, "cat-file", "-e", f"{commit}:{host}.cfg")
                chosen[host] = commit
            except subprocess.CalledProcessError:
                problems.append(Problem("--to", to, f"commit has no backup of {host}"))
            continue
        history = backup_history(repo, host)
        if to == BEFORE_LAST_PUSH:
            push = _last_push_start(log, host)
            if push is None:
                problems.append(Problem(str(log), host, "no push changed it", "give --to REV"))
                continue
            limit, what = push[1], f"before push {push[0]}"
        else:
            try:
                limit, what = _as_of(to), f"on or before {to}"
            except ValueError:
                raise InputError.one("--to", to, "not a date", "e.g. 2026-12-01T08:00") from None
        found = next((sha for sha, when in history if when <= limit), None)
        if found is None:
            problems.append(Problem(str(repo), host, f"no backup {what}", "give another --to"))
        else:
            chosen[host] = found
    if problems:
        raise InputError(problems)
    return chosen


def run_restore(project: Project, to: str, options: PushOptions) -> RestoreRun:
    """Replace each selected device's config with its backup at `to` (secrets re-inserted)."""
    settings = project.settings
    repo = settings.build_dir / "backups"
    if not (repo / ".git").exists():
        raise InputError.one(str(repo), "backups", "no backup repository", "run communelan backup")
    hosts = sorted(project.nr.inventory.hosts)
    log = settings.build_dir / "audit.jsonl"
    result = RestoreRun(resolve(repo, hosts, to, log))
    intended = intended_configs(project, hosts, settings.build_dir / "intended")
    restored: dict[str, str] = {}
    problems: list[Problem] = []
    for host in hosts:
        rev = result.revisions[host]
        backup = git(repo, "show", f"{rev}:{host}.cfg")
        platform = driver_for(project.nr.inventory.hosts[host])
        try:
            restored[host] = with_secrets(
                backup, intended[host], platform, f"{host}.cfg@{rev[:10]}"
            )
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    work = settings.build_dir / "restore" / uuid.uuid4().hex[:8]  # holds real secret forms
    work.mkdir(parents=True, mode=0o700)
    try:
        for host, text in restored.items():
            fd = os.open(work / f"{host}.cfg", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        # Newer than hosts/ and templates/: the push reads them as they are, never re-renders.
        future = (datetime.now(UTC) + timedelta(days=1)).timestamp()
        for host in restored:
            os.utime(work / f"{host}.cfg", (future, future))
        options = replace(options, method="replace", intended_dir=work)
        result.push = run_push(project, options)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not options.dry_run:
        for host, report in sorted(result.push.reports.items()):
            audit.append(
                log,
                {
                    "run": result.push.run_id,
                    "device": host,
                    "action": "restore",
                    "revision": result.revisions[host],
                    "to": to,
                    "result": report.outcome.value,
                    "reason": report.reason,
                },
            )
    return result
