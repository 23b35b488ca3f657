"""Options shared by every command that acts on devices."""

from __future__ import annotations

from typing import Annotated

import typer

FilterOption = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        "-f",
        help="Select devices: code=14797, role=switch, kind=phuong, group=NAME, host=NAME, "
        "site=N, model=M. Repeat to AND; a comma list means any of.",
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="table, json or csv.")]
