"""`communelan watch`: every round back up, run compliance, and tell what changed.

A round reads each device once: the text is both the backup (build/backups, a commit when
anything changed) and the running side of the compliance run (against build/intended). It
then compares what is wrong now with what was wrong after the last round (state.json):

- `non_compliant/<host>/<feature>`: a feature that stopped matching its intended config;
- `unreachable/<host>`: a device not read for `unreachable_after` rounds in a row (so a
  device that flaps for one round is not reported);
- `changed_outside/<host>/<commit>`: a backup that changed with no push of that device in
  the audit log since its previous backup (a hand-made change);
- `recovered`: a non-compliance or unreachability that ended.

While a device is unreachable its non-compliances stay open (nothing is known of them).
Each event becomes one notification per channel, kept in the state's outbox until sent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nornir_config import audit
from nornir_config.backup import clean_config, store
from nornir_config.change.notify import Channel, Email, Retry, Webhook, deliver
from nornir_config.change.restore import backup_history
from nornir_config.change.state import Notification, WatchState, load_state, save_state
from nornir_config.change.timeline import EVENTS_FILE
from nornir_config.compliance.model import ComplianceReport, FeatureResult
from nornir_config.compliance.run import run_compliance, running_live
from nornir_config.connection import prepare_connections
from nornir_config.errors import InputError
from nornir_config.platforms import driver_for
from nornir_config.project import Project
from nornir_config.push.intended import intended_configs
from nornir_config.reports import publish
from nornir_config.secrets import Secrets
from nornir_config.sot.schema import WatchSettings

CHANGING = ("changed", "rolled back", "needs attention")  # push results that touch a device
EVERY = re.compile(r"(\d+)([smh])")
SECONDS = {"s": 1, "m": 60, "h": 3600}


def parse_every(text: str) -> float:
    """`30m`, `1h`, `90s`, `1h30m` -> seconds."""
    parts = EVERY.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text or text.startswith("0"):
        raise InputError.one("--every", text, "not a period", "e.g. 30m, 1h or 1h30m")
    return float(sum(int(n) * SECONDS[u] for n, u in parts))


def channels(settings: WatchSettings, secrets: Secrets) -> list[Channel]:
    """The configured channels; none at all is bad input (a watch that tells nobody)."""
    found: list[Channel] = []
    if settings.webhook:
        found.append(Webhook(settings.webhook))
    if settings.email:
        found.append(Email(settings.email, secrets.values.get("smtp_password", "")))
    if not found:
        raise InputError.one(
            "hosts/defaults.yaml",
            "watch",
            "no notification channel",
            "set watch.webhook or watch.email there, or pass --webhook / --email-to",
        )
    return found


@dataclass(frozen=True)
class WatchOptions:
    settings: WatchSettings
    state_file: Path
    retry: Retry = field(default_factory=Retry)
    accept_new_host_keys: bool = False


@dataclass
class RoundResult:
    notifications: list[Notification] = field(default_factory=list)  # new this round
    failing: dict[str, str] = field(default_factory=dict)  # channel -> why
    backup_commit: str = ""
    report: ComplianceReport | None = None


def _detail(feature: FeatureResult) -> str:
    parts = [f"missing: {line.strip()}" for line in feature.missing[:3]]
    parts += [f"extra: {line.strip()}" for line in feature.extra[:3]]
    return "; ".join(parts) or "differs from the intended config"


def conditions(
    state: WatchState, report: ComplianceReport, unreachable_after: int
) -> dict[str, str]:
    """What is wrong now: event key -> detail (updates the unreachable counters)."""
    found: dict[str, str] = {}
    for device in report.devices:
        host = device.host
        if device.status == "unknown":
            rounds = state.down_rounds.get(host, 0) + 1
            state.down_rounds[host] = rounds
            if rounds >= unreachable_after:
                found[f"unreachable/{host}"] = device.error or "not read"
            for key, value in state.open.items():
                if key.startswith(f"non_compliant/{host}/"):
                    found[key] = value["detail"]
            continue
        state.down_rounds.pop(host, None)
        for feature in device.features:
            if feature.status == "non_compliant":
                found[f"non_compliant/{host}/{feature.name}"] = _detail(feature)
    return found


def changed_outside(repo: Path, changed: list[str], log: Path, seen: int = 0) -> dict[str, str]:
    """Host -> backup commit, for backups that changed with no push since the previous one.

    Pushes are the audit records after the `seen` first (those the previous round had read):
    times are whole seconds, and a push and a backup can share one.
    """
    records = audit.read(log)[seen:]
    found: dict[str, str] = {}
    for host in changed:
        history = backup_history(repo, host)
        if len(history) < 2:  # the first backup of a device: nothing to compare
            continue
        previous = history[1][1]
        pushed = any(
            r.get("device") == host
            and r.get("action") == "push"
            and r.get("result") in CHANGING
            and datetime.fromisoformat(str(r["when"])) >= previous
            for r in records
        )
        if not pushed:
            found[host] = history[0][0]
    return found


def _summary(kind: str, key: str) -> str:
    _, host, *rest = key.split("/")
    what = rest[0] if rest else ""
    return {
        "non_compliant": f"{host}: not compliant ({what})",
        "unreachable": f"{host}: unreachable",
        "changed_outside": f"{host}: config changed outside communelan (backup {what[:10]})",
    }[kind]


def events(
    state: WatchState,
    hosts: list[str],
    found: dict[str, str],
    outside: dict[str, str],
    now: str,
    report: str,
    channel_names: list[str],
) -> list[Notification]:
    """New problems, recoveries and outside changes; `state.open` updated to match."""
    made: list[Notification] = []
    known = set(state.sent) | {n.id for n in state.outbox}

    def note(kind: str, key: str, since: str, summary: str, detail: str) -> None:
        ident = hashlib.sha256(f"{kind}|{key}|{since}".encode()).hexdigest()[:16]
        if ident not in known:
            host = key.split("/")[1]
            made.append(
                Notification(ident, kind, key, host, summary, detail, now, report, [*channel_names])
            )

    watched = set(hosts)
    for key in sorted(set(state.open) - set(found)):
        if key.split("/")[1] not in watched:  # outside this watch's --filter: left alone
            continue
        opened = state.open.pop(key)
        kind = key.split("/")[0]
        summary = f"recovered: {_summary(kind, key)}"
        note("recovered", key, opened["since"], summary, f"open since {opened['since']}")
    for key, detail in sorted(found.items()):
        if key not in state.open:
            state.open[key] = {"since": now, "detail": detail}
            kind = key.split("/")[0]
            note(kind, key, now, _summary(kind, key), detail)
    for host, commit in sorted(outside.items()):
        key = f"changed_outside/{host}/{commit}"
        note(
            "changed_outside",
            key,
            commit,
            _summary("changed_outside", key),
            "no push in the audit log",
        )
    return made


def watch_round(project: Project, options: WatchOptions) -> RoundResult:
    """One round: read, back up, check, record events, deliver the outbox."""
    settings = project.settings
    state = load_state(options.state_file)
    secrets = project.secrets()
    sinks = channels(options.settings, secrets)
    nr = project.nr
    hosts = sorted(nr.inventory.hosts)
    intended_dir = settings.build_dir / "intended"
    intended_configs(project, hosts, intended_dir)  # rendered first when stale
    prepare_connections(nr, settings, accept_new_host_keys=options.accept_new_host_keys)
    fetched = running_live(nr)
    repo = settings.build_dir / "backups"
    texts = {
        h: clean_config(text, driver_for(nr.inventory.hosts[h]))
        for h, (text, _) in fetched.items()
        if text is not None
    }
    changed, commit = store(repo, texts, f"watch round {state.rounds + 1}")
    report = run_compliance(
        nr,
        project.province,
        secrets,
        settings.templates_dir,
        intended_dir=intended_dir,
        running=fetched,
    )
    reports_dir = settings.build_dir / "reports"
    publish(report, reports_dir, ["html", "json"], lang="en", build_dir=settings.build_dir)
    link = options.settings.report_url or (reports_dir / "compliance.html").resolve().as_uri()
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    found = conditions(state, report, options.settings.unreachable_after)
    outside = changed_outside(repo, changed, settings.build_dir / "audit.jsonl", state.audit_seen)
    state.audit_seen = len(audit.read(settings.build_dir / "audit.jsonl"))
    made = events(state, hosts, found, outside, now, link, [c.name for c in sinks])
    state.outbox += made
    state.rounds += 1
    state.last_round_at = now
    save_state(options.state_file, state)  # the events are kept before anything is sent
    for note in made:  # and logged for the per-device timeline
        audit.append(settings.build_dir / EVENTS_FILE, note.payload())

    failing = deliver(state, sinks, lambda: save_state(options.state_file, state), options.retry)
    state.last_error = "; ".join(failing.values())
    save_state(options.state_file, state)
    return RoundResult(made, failing, commit, report)


def run_watch(
    open_round: Callable[[], Project],
    options: WatchOptions,
    every: float,
    rounds: int | None,
    say: Callable[[str], None],
    sleep: Callable[[float], None],
) -> int:
    """Round after round (`rounds` of them, or forever); a failing round is said, never fatal.

    Returns the number of rounds that failed.
    """
    failed = 0
    done = 0
    while rounds is None or done < rounds:
        try:
            result = watch_round(open_round(), options)
            failing = ", ".join(result.failing.values())
            problems = f"; delivery failing: {failing}" if failing else ""
            say(
                f"round {done + 1}: {len(result.notifications)} new events"
                + "".join(f"\n  {n.summary}" for n in result.notifications)
                + problems
            )
        except Exception as exc:  # a bad round (hosts/ mid-edit, git, disk): say so, go on
            failed += 1
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            say(f"round {done + 1} failed: {type(exc).__name__}: {message}")
            _remember_error(options.state_file, message)
        done += 1
        if rounds is None or done < rounds:
            sleep(every)
    return failed


def _remember_error(path: Path, message: str) -> None:
    try:
        state = load_state(path)
        state.last_error = message
        save_state(path, state)
    except Exception:  # the state itself is the problem: the next round says so again
        pass
