"""Running-config backups in a git repository: one commit per run naming what changed.

Stored text is cleaned first: the volatile lines a device prints on every read (timestamps,
`! Last configuration change`, `ntp clock-period`) go, so an unchanged device makes no
commit, and secrets are replaced by `<removed>` (netutils sanitize_config with the platform's
sanitize.yaml filters).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from netutils.config.clean import sanitize_config
from nornir.core import Nornir

from nornir_config.connection import get_running_config, why
from nornir_config.platforms import driver_for
from nornir_config.platforms.base import Platform


@cache
def _filters(platform: Platform) -> tuple[list[dict[str, str]], re.Pattern[str]]:
    data = platform.data("sanitize")
    # no volatile lines (a device that prints none): a pattern that matches nothing
    volatile = re.compile("|".join(f"(?:{p})" for p in platform.layout.volatile) or "(?!)")
    return list(data["filters"]), volatile


def sanitize(text: str, platform: Platform) -> str:
    """`text` with every secret replaced by `<removed>`."""
    return str(sanitize_config(text, _filters(platform)[0]))


def clean_config(text: str, platform: Platform) -> str:
    """What a backup stores: no volatile lines, no secrets, newline-terminated."""
    volatile = _filters(platform)[1]
    lines = [
        line.rstrip()
        for line in text.replace("\r\n", "\n").split("\n")
        if not volatile.match(line.rstrip())
    ]
    while lines and not lines[0]:
        lines.pop(0)
    body = "\n".join(lines).rstrip("\n") + "\n"
    return sanitize(body, platform)


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "communelan",
        "GIT_AUTHOR_EMAIL": "communelan@localhost",
        "GIT_COMMITTER_NAME": "communelan",
        "GIT_COMMITTER_EMAIL": "communelan@localhost",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


@dataclass
class BackupSummary:
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    commit: str = ""


def ensure_repo(repo: Path) -> None:
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q")


def store(repo: Path, configs: dict[str, str], message: str) -> tuple[list[str], str]:
    """Write cleaned configs as `<host>.cfg`; commit the ones that changed (if any)."""
    ensure_repo(repo)
    for host, text in configs.items():
        path = repo / f"{host}.cfg"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    # -z: paths as they are (no quoting of spaces or non-ASCII names), NUL-terminated
    status = git(repo, "status", "--porcelain", "-z", "--", *(f"{h}.cfg" for h in configs))
    changed = sorted(Path(entry[3:]).stem for entry in status.split("\0") if entry)
    if not changed:
        return [], ""
    git(repo, "add", "--", *(f"{h}.cfg" for h in changed))
    more = f" and {len(changed) - 20} more" if len(changed) > 20 else ""
    shown = ", ".join(changed[:20]) + more
    git(repo, "commit", "-q", "-m", f"{message}: {len(changed)} changed: {shown}")
    return changed, git(repo, "rev-parse", "HEAD").strip()


def run_backup(nr: Nornir, repo: Path, message: str = "backup") -> BackupSummary:
    """Read every host's running config and commit the cleaned copies that changed."""
    results = nr.run(task=get_running_config, name="backup", on_failed=True)
    # a device that failed is reported here; the next run on this Nornir must still try it
    nr.data.reset_failed_hosts()
    summary = BackupSummary()
    configs: dict[str, str] = {}
    for host, multi in sorted(results.items()):
        if multi.failed:
            exc = multi[0].exception
            summary.failed[host] = why(exc) if exc else "failed"
            continue
        platform = driver_for(nr.inventory.hosts[host])
        configs[host] = clean_config(str(multi[0].result), platform)
    summary.changed, summary.commit = store(repo, configs, message)
    summary.unchanged = sorted(set(configs) - set(summary.changed))
    return summary
