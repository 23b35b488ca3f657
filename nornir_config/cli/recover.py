"""`communelan recover`: find devices a killed push left mid-change; put them back or forward."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from nornir_config.cli.consoles import console
from nornir_config.cli.options import FilterOption
from nornir_config.project import open_project


def recover(
    filters: FilterOption = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="before: the device's own copy from before the change; intended: the "
            "intended config. Without it, only show where each device stands.",
        ),
    ] = None,
) -> None:
    """Devices a stopped push left mid-change: where each stands, and (with --to) fix them.

    Exit 0 when every device is as before or as intended, 1 when any is still between.
    """
    from nornir_config.push.recover import run_recover

    project = open_project(filters or [])
    found = run_recover(project, to)
    if not found:
        console.print("recover: no device was left mid-change")
        return
    table = Table(title="recover")
    for column in ("device", "run", "found", "now", "detail"):
        table.add_column(column)
    for r in found:
        table.add_row(r.host, r.run, r.found, r.now, r.detail)
    console.print(table)
    between = [r.host for r in found if not r.settled]
    if between:
        hint = "" if to else "; put them back or forward with --to before|intended"
        console.print(f"{len(between)} device(s) between: {', '.join(between)}{hint}")
        raise typer.Exit(1)
    console.print(f"{len(found)} device(s) as before or as intended; journal cleared")


def register(app: typer.Typer) -> None:
    app.command()(recover)
