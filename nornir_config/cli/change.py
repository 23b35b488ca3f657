"""`plan`, `approve`, `apply`, `restore` and `watch`: reviewed changes and a drift watch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nornir_config.cli.consoles import console
from nornir_config.cli.options import (
    CanaryOption,
    FilterOption,
    KeysOption,
    MaxFailuresOption,
    WorkersOption,
)
from nornir_config.errors import InputError
from nornir_config.project import Project, open_project

PlanArgument = Annotated[Path, typer.Argument(help="The plan.json that `plan` wrote.")]


def plan(
    filters: FilterOption = None,
    out: Annotated[Path, typer.Option("--out", help="Plan file (plan.md is written beside).")] = (
        Path("plan.json")
    ),
    accept_new_host_keys: KeysOption = False,
) -> None:
    """Record what a push would send to each device, for review before `apply`."""
    from nornir_config.change.plan import make_plan, write_plan

    project = open_project(filters or [])
    made = make_plan(project, filters or [], accept_new_host_keys)
    json_path, md_path = write_plan(made, out)
    changes = sum(bool(d.commands) for d in made.devices.values())
    errors = sorted(h for h, d in made.devices.items() if d.error)
    console.print(
        f"plan {made.id}: {len(made.devices)} devices, {changes} to change"
        + (f", {len(errors)} not read ({', '.join(errors)})" if errors else "")
        + f"; needs {made.approvals_required} approvals -> {json_path} ({md_path.name})",
        highlight=False,
    )
    raise typer.Exit(1 if errors else 0)


def approve(
    plan_file: PlanArgument,
    by: Annotated[str, typer.Option("--by", help="The approver's name.")],
) -> None:
    """Record an approval of the plan's exact content inside the plan file."""
    from nornir_config.change.plan import approve as approve_plan

    done = approve_plan(plan_file, by)
    console.print(
        f"plan {done.id}: approved by {by} "
        f"({len(done.valid_approvals())} of {done.approvals_required} required)",
        highlight=False,
    )


def apply(
    plan_file: PlanArgument,
    workers: WorkersOption = None,
    canary: CanaryOption = 0,
    max_failures: MaxFailuresOption = None,
    accept_new_host_keys: KeysOption = False,
) -> None:
    """Send exactly the plan's commands, only to devices still as planned."""
    from nornir_config.change.apply import apply_plan, plan_hosts
    from nornir_config.change.plan import check_ready, load_plan
    from nornir_config.cli.push import show_run
    from nornir_config.push import PushRun

    loaded = load_plan(plan_file)
    check_ready(loaded, plan_file)
    project = open_project([f"host={','.join(plan_hosts(loaded, plan_file))}"], workers)
    done = apply_plan(
        project,
        loaded,
        plan_file,
        canary=canary,
        max_failures=max_failures,
        workers=workers,
        accept_new_host_keys=accept_new_host_keys,
        progress=True,
    )
    show_run(PushRun(f"{done.plan_id} {done.run_id}", done.reports, done.stopped), False)
    raise typer.Exit(0 if done.ok else 1)


def restore(
    to: Annotated[
        str,
        typer.Option(
            "--to", help="A backup commit, a date (2026-12-01[T08:00]) or before-last-push."
        ),
    ],
    filters: FilterOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the replace diff; change nothing.")
    ] = False,
    workers: WorkersOption = None,
    canary: CanaryOption = 0,
    max_failures: MaxFailuresOption = None,
    accept_new_host_keys: KeysOption = False,
) -> None:
    """Put devices back to a backup (secrets from the intended config) by configure replace."""
    from nornir_config.change.restore import run_restore
    from nornir_config.cli.push import show_run
    from nornir_config.push import PushOptions

    options = PushOptions(
        dry_run=dry_run,
        workers=workers,
        canary=canary,
        max_failures=max_failures,
        accept_new_host_keys=accept_new_host_keys,
        progress=True,
    )
    done = run_restore(open_project(filters or [], workers), to, options)
    for host, rev in sorted(done.revisions.items()):
        console.print(f"{host}: backup {rev[:10]}", highlight=False)
    assert done.push is not None
    show_run(done.push, dry_run)
    raise typer.Exit(0 if done.ok else 1)


def watch(
    filters: FilterOption = None,
    every: Annotated[str, typer.Option("--every", help="Period between rounds: 30m, 1h.")] = "30m",
    rounds: Annotated[
        int | None, typer.Option("--rounds", help="Stop after N rounds (default: never).")
    ] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="URL to POST each event to (JSON).")
    ] = None,
    email_to: Annotated[
        list[str] | None, typer.Option("--email-to", help="Mail each event to (repeatable).")
    ] = None,
    smtp: Annotated[
        str | None, typer.Option("--smtp", help="SMTP server HOST[:PORT] (default localhost:25).")
    ] = None,
    email_from: Annotated[str | None, typer.Option("--email-from", help="Sender.")] = None,
    report_url: Annotated[
        str | None, typer.Option("--report-url", help="Where readers open the HTML report.")
    ] = None,
    state: Annotated[
        Path | None, typer.Option("--state", help="State file (default build/watch/state.json).")
    ] = None,
    accept_new_host_keys: KeysOption = False,
) -> None:
    """Back up and check compliance every period; notify new problems and recoveries."""
    import time

    from nornir_config.change.watch import WatchOptions, channels, parse_every, run_watch
    from nornir_config.sot.schema import WatchEmail

    period = parse_every(every)
    if rounds is not None and rounds < 1:
        raise InputError.one("--rounds", str(rounds), "must be 1 or more", "e.g. --rounds 3")
    project = open_project(filters or [])
    settings = project.province.defaults.watch
    update: dict[str, object] = {}
    if webhook:
        update["webhook"] = webhook
    if report_url:
        update["report_url"] = report_url
    if email_to or smtp or email_from:
        mail = settings.email.model_dump() if settings.email else {}
        if email_to:
            mail["to"] = email_to
        if smtp:
            host, _, port = smtp.partition(":")
            mail["smtp_host"] = host
            if port:
                if not port.isdigit():
                    raise InputError.one("--smtp", smtp, "port is not a number", "HOST:PORT")
                mail["smtp_port"] = int(port)
        if email_from:
            mail["sender"] = email_from
        if not mail.get("to"):
            raise InputError.one("--email-to", "", "no recipient", "--email-to noc@example.org")
        update["email"] = WatchEmail.model_validate(mail)
    settings = settings.model_copy(update=update)
    channels(settings, project.secrets())  # no channel at all: bad input before any round
    options = WatchOptions(
        settings,
        (state or project.settings.build_dir / "watch" / "state.json").resolve(),
        accept_new_host_keys=accept_new_host_keys,
    )
    first = [project]

    def open_round() -> Project:
        return first.pop() if first else open_project(filters or [])

    def say(line: str) -> None:
        console.print(line, highlight=False, markup=False)

    failed = run_watch(open_round, options, period, rounds, say, time.sleep)
    raise typer.Exit(1 if failed else 0)


def timeline(
    filters: FilterOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Per device: backups, pushes, applies (plan ids), restores and watch events, by time."""
    import json

    from nornir_config.change.timeline import device_timeline

    if output not in ("text", "json"):
        raise InputError.one("--format", output, "unknown format", "use text or json")
    project = open_project(filters or [], connections=False)
    found = device_timeline(project.settings.build_dir, sorted(project.nr.inventory.hosts))
    if output == "json":
        data = {h: [e.to_dict() for e in entries] for h, entries in found.items()}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for host, entries in found.items():
        console.rule(host)
        for e in entries:
            plan = f" [{e.plan}]" if e.plan else ""
            console.print(f"{e.when}  {e.kind:<15} {e.what}{plan}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(plan)
    app.command()(approve)
    app.command()(apply)
    app.command()(restore)
    app.command()(watch)
    app.command()(timeline)
