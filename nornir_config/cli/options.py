"""Options shared by every command that acts on devices."""

from __future__ import annotations

from typing import Annotated

import typer

FilterOption = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        "-f",
        metavar="KEY=VALUE",
        help="Select devices: code=CODE, province=40, role=switch, kind=phuong|xa|dac-khu, "
        "group=NAME, host=NAME, site=N, model=M. Repeat to AND; a comma list means any of.",
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", metavar="FORMAT", help="table, json or csv.")
]

LimitOption = Annotated[
    str | None,
    typer.Option(
        "--limit",
        "-l",
        metavar="PATTERN",
        help="Select hosts as Ansible does: names, groups and globs, comma-separated; "
        "!PATTERN excludes, &PATTERN intersects (e.g. 'phuong,!*-sw02').",
    ),
]
CheckOption = Annotated[
    bool,
    typer.Option(
        "--check", "--dry-run", help="Show what would change; change nothing (exit 4 if any)."
    ),
]
WorkersOption = Annotated[int | None, typer.Option("--workers", help="Parallel devices.")]
CanaryOption = Annotated[
    int, typer.Option("--canary", help="Change N devices first; stop if any fails.")
]
MaxFailuresOption = Annotated[
    int | None, typer.Option("--max-failures", help="Stop once N devices failed.")
]
KeysOption = Annotated[
    bool, typer.Option("--accept-new-host-keys", help="Trust unknown (never changed) keys.")
]
DiffOption = Annotated[
    bool, typer.Option("--diff", help="Show a unified before/after diff per changed device.")
]

# Exit code of a dry run that found changes to make (README, "Exit codes").
EXIT_CHANGES_PENDING = 4
