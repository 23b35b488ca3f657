"""`push`, `backup` and `run`: change devices safely, keep their configs, run playbooks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nornir_config.cli.consoles import console
from nornir_config.cli.options import (
    EXIT_CHANGES_PENDING,
    CanaryOption,
    CheckOption,
    DiffOption,
    FilterOption,
    KeysOption,
    LimitOption,
    MaxFailuresOption,
    WorkersOption,
)
from nornir_config.project import open_project

if TYPE_CHECKING:
    from nornir_config.playbook import StepResult
    from nornir_config.push import PushRun
    from nornir_config.push.state import DeviceReport

# Heavy modules (NAPALM, Netmiko) are imported inside the commands that use them, so that
# `communelan render` and `lint` start fast.
STYLE = {
    "unchanged": "dim",
    "would change": "cyan",
    "changed": "green",
    "rolled back": "yellow",
    "failed": "red",
    "unreachable": "red",
    "needs attention": "bold red",
    "skipped": "dim",
}


def push(
    filters: FilterOption = None,
    limit: LimitOption = None,
    method: Annotated[str, typer.Option("--method", help="merge or replace.")] = "merge",
    dry_run: CheckOption = False,
    show_diff: DiffOption = False,
    workers: WorkersOption = None,
    canary: CanaryOption = 0,
    first: Annotated[
        int | None,
        typer.Option(
            "--first", metavar="N", help="Change only the first N; --retry-failed does the rest."
        ),
    ] = None,
    max_failures: MaxFailuresOption = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Redo only what the last push left.")
    ] = False,
    accept_new_host_keys: KeysOption = False,
) -> None:
    """Push the intended configs; every device ends changed, unchanged or as it was.

    Exit 0 done, 1 a device failed, 2 bad input, 4 a --check run found changes to make.
    """
    from nornir_config.filters import limit_specs
    from nornir_config.push import PushOptions, run_push

    options = PushOptions(
        method=method,
        dry_run=dry_run,
        workers=workers,
        canary=canary,
        first=first,
        max_failures=max_failures,
        retry_failed=retry_failed,
        accept_new_host_keys=accept_new_host_keys,
        progress=True,
    )
    project = open_project([*(filters or []), *limit_specs(limit)], num_workers=workers)
    run = run_push(project, options)
    show_run(run, dry_run, show_diff)
    raise typer.Exit(push_exit_code(run, dry_run))


def push_exit_code(run: PushRun, dry_run: bool) -> int:
    """1 when a device failed; in a dry run, 4 when some device would change; else 0."""
    from nornir_config.push import Outcome

    if not run.ok:
        return 1
    pending = any(r.outcome == Outcome.WOULD_CHANGE for r in run.reports.values())
    return EXIT_CHANGES_PENDING if dry_run and pending else 0


def show_run(run: PushRun, dry_run: bool, show_diff: bool = False) -> None:
    from nornir_config.push import Outcome

    for report in sorted(run.reports.values(), key=lambda r: r.host):
        if show_diff and report.diff and report.outcome != Outcome.UNCHANGED:
            console.rule(f"{report.host} ({report.method}): {report.outcome.value}")
            console.print(report.diff, highlight=False, markup=False)
        elif dry_run and report.outcome == Outcome.WOULD_CHANGE:
            console.rule(f"{report.host} ({report.method})")
            console.print("\n".join(report.commands) or report.diff, highlight=False, markup=False)
            show_kept_and_unowned(report)
    table = Table(title=f"push {run.run_id}")
    for column in ("device", "result", "method", "commands", "seconds", "why / now"):
        table.add_column(column)
    for host, r in sorted(run.reports.items()):
        detail = r.reason + (f"\n{r.now}" if r.now else "")
        table.add_row(
            host,
            f"[{STYLE.get(r.outcome.value, '')}]{r.outcome.value}[/]",
            r.method,
            str(len(r.commands)) if r.commands else "",
            f"{r.seconds:.2f}",
            detail,
        )
    console.print(table)
    console.print(outcome_counts(run), highlight=False)
    if run.stopped:
        console.print(f"[red]{run.stopped}[/red]")


def outcome_counts(run: PushRun) -> str:
    """`1 changed (a-rt01); 1 rolled back (b-sw02)`: every count names its devices."""
    from nornir_config.playbook import named_counts

    hosts: dict[str, list[str]] = {}
    for r in run.reports.values():
        hosts.setdefault(r.outcome.value, []).append(r.host)
    return named_counts(hosts)


def show_kept_and_unowned(report: DeviceReport) -> None:
    """A first push's review lists: lines kept on purpose, removals no feature owns."""
    if report.protected:
        console.print(f"kept (protected, {len(report.protected)} lines):", style="cyan")
        console.print("\n".join(f"  {line}" for line in report.protected), highlight=False)
    if report.unowned:
        console.print(f"removed, owned by no feature ({len(report.unowned)}):", style="yellow")
        console.print("\n".join(f"  {line}" for line in report.unowned), highlight=False)


def backup(
    filters: FilterOption = None,
    limit: LimitOption = None,
    repo: Annotated[
        Path | None, typer.Option("--repo", help="Git repository (default build/backups).")
    ] = None,
    accept_new_host_keys: KeysOption = False,
) -> None:
    """Commit the running configs (sanitised, volatile lines dropped) to a git repository."""
    from nornir_config.backup import run_backup
    from nornir_config.connection import prepare_connections
    from nornir_config.filters import limit_specs

    project = open_project([*(filters or []), *limit_specs(limit)])
    prepare_connections(project.nr, project.settings, accept_new_host_keys)
    target = (repo or project.settings.build_dir / "backups").resolve()
    try:
        summary = run_backup(project.nr, target)
    finally:
        project.nr.close_connections()
    for host, reason in sorted(summary.failed.items()):
        console.print(f"[red]{host}[/red]: {reason}", highlight=False)
    commit = f" (commit {summary.commit[:10]})" if summary.commit else " (no commit)"
    console.print(
        f"backup: {len(summary.changed)} changed, {len(summary.unchanged)} unchanged, "
        f"{len(summary.failed)} failed -> {target}{commit}",
        highlight=False,
    )
    raise typer.Exit(1 if summary.failed else 0)


def run(
    playbook: Annotated[Path, typer.Argument(help="playbooks/NAME.yaml")],
    filters: FilterOption = None,
    limit: LimitOption = None,
    check: CheckOption = False,
    show_diff: DiffOption = False,
) -> None:
    """Run a playbook's steps in order, stopping at the first that fails.

    With --check pushes are dry runs and backups skipped; exit 4 when a push would change.
    """
    from nornir_config.filters import limit_specs
    from nornir_config.playbook import load_playbook, run_playbook

    book = load_playbook(playbook)
    pending = False

    def report(label: str, result: StepResult) -> None:
        nonlocal pending
        mark = "[green]ok[/green]" if result.ok else "[red]FAILED[/red]"
        console.print(f"{label}: {mark} {result.summary}", highlight=False)
        for line in result.details:
            console.print(line, highlight=False, markup=False)
        pending = pending or result.pending

    ok = run_playbook(
        book, [*(filters or []), *limit_specs(limit)], report, check=check, diff=show_diff
    )
    raise typer.Exit(1 if not ok else EXIT_CHANGES_PENDING if check and pending else 0)


def register(app: typer.Typer) -> None:
    app.command()(push)
    app.command()(backup)
    app.command()(run)
