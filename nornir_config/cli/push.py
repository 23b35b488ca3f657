"""`push`, `backup` and `run`: change devices safely, keep their configs, run playbooks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nornir_config.cli.consoles import console
from nornir_config.cli.options import FilterOption
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
    method: Annotated[str, typer.Option("--method", help="merge or replace.")] = "merge",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the commands/diff; change nothing.")
    ] = False,
    workers: Annotated[int | None, typer.Option("--workers", help="Parallel devices.")] = None,
    canary: Annotated[
        int, typer.Option("--canary", help="Change N devices first; stop if any fails.")
    ] = 0,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="Change only the first N; --retry-failed does the rest."),
    ] = None,
    max_failures: Annotated[
        int | None, typer.Option("--max-failures", help="Stop once N devices failed.")
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Redo only what the last push left.")
    ] = False,
    accept_new_host_keys: Annotated[
        bool, typer.Option("--accept-new-host-keys", help="Trust unknown (never changed) keys.")
    ] = False,
) -> None:
    """Push the intended configs; every device ends changed, unchanged or as it was."""
    from nornir_config.push import PushOptions, run_push

    options = PushOptions(
        method=method,
        dry_run=dry_run,
        workers=workers,
        canary=canary,
        limit=limit,
        max_failures=max_failures,
        retry_failed=retry_failed,
        accept_new_host_keys=accept_new_host_keys,
        progress=True,
    )
    project = open_project(filters or [], num_workers=workers)
    run = run_push(project, options)
    show_run(run, dry_run)
    raise typer.Exit(0 if run.ok else 1)


def show_run(run: PushRun, dry_run: bool) -> None:
    from nornir_config.push import Outcome

    if dry_run:
        for report in run.reports.values():
            if report.outcome == Outcome.WOULD_CHANGE:
                console.rule(f"{report.host} ({report.method})")
                console.print(report.diff or "\n".join(report.commands), highlight=False)
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
    counts: dict[str, int] = {}
    for r in run.reports.values():
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    console.print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no devices")
    if run.stopped:
        console.print(f"[red]{run.stopped}[/red]")


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
    repo: Annotated[
        Path | None, typer.Option("--repo", help="Git repository (default build/backups).")
    ] = None,
    accept_new_host_keys: Annotated[bool, typer.Option("--accept-new-host-keys")] = False,
) -> None:
    """Commit the running configs (sanitised, volatile lines dropped) to a git repository."""
    from nornir_config.backup import run_backup
    from nornir_config.connection import prepare_connections

    project = open_project(filters or [])
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
) -> None:
    """Run a playbook's steps in order, stopping at the first that fails."""
    from nornir_config.playbook import load_playbook, run_playbook

    book = load_playbook(playbook)

    def report(label: str, result: StepResult) -> None:
        mark = "[green]ok[/green]" if result.ok else "[red]FAILED[/red]"
        console.print(f"{label}: {mark} {result.summary}", highlight=False)

    ok = run_playbook(book, filters or [], report)
    raise typer.Exit(0 if ok else 1)


def register(app: typer.Typer) -> None:
    app.command()(push)
    app.command()(backup)
    app.command()(run)
