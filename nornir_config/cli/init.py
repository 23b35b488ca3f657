"""`communelan init`: hosts/ for any province (or several) from the bundled national list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nornir_config.cli.consoles import console
from nornir_config.errors import InputError
from nornir_config.settings import run_settings
from nornir_config.sot.national import national_units, select_provinces, short_province
from nornir_config.sot.scaffold import add_from, init_hosts


def init(
    province: Annotated[
        list[str] | None,
        typer.Option(
            "--province",
            "-p",
            help="Province code (40), name ('Nghệ An' or 'nghe an'), a comma list, or all.",
        ),
    ] = None,
    add_from_csv: Annotated[
        Path | None,
        typer.Option(
            "--add-from",
            help="Merge a later list (columns province_code,province,code,kind,name) into hosts/: "
            "new communes take the next free site, nobody is renumbered.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing hosts/.")] = False,
) -> None:
    """Write hosts/ for a province from the national commune list (Công văn 1027/CTK-CSCL)."""
    hosts_dir = run_settings().hosts_dir
    if add_from_csv is not None:
        if province:
            raise InputError.one(
                "--add-from",
                str(add_from_csv),
                "cannot be combined with --province",
                "run init --province first, then init --add-from",
            )
        merged = add_from(hosts_dir, add_from_csv)
        console.print(
            f"{hosts_dir}/communes.yaml: {len(merged.added)} communes added, "
            f"{len(merged.updated)} updated, no site renumbered",
            highlight=False,
        )
        if merged.kept:
            shown = ", ".join(merged.kept[:5]) + (", ..." if len(merged.kept) > 5 else "")
            console.print(
                f"{len(merged.kept)} communes of hosts/ are not in {add_from_csv} ({shown}): "
                "kept as they are; delete an entry from hosts/communes.yaml to remove a commune",
                highlight=False,
            )
        if merged.renamed:
            shown = ", ".join(merged.renamed[:5]) + (", ..." if len(merged.renamed) > 5 else "")
            console.print(
                f"{len(merged.renamed)} renamed communes keep their short_name, so their "
                f"hostnames, backups and history ({shown}); set short_name in "
                f"{hosts_dir}/communes.yaml to rename their devices",
                highlight=False,
            )
        return
    if not province:
        raise InputError.one(
            "--province", "(none)", "no province given", "give e.g. --province 40 or --province all"
        )
    units = national_units()
    codes = select_provinces(units, province)
    count = init_hosts(hosts_dir, units, codes, force)
    shown = ", ".join(
        f"{c} {short_province(next(u.province for u in units if u.province_code == c))}"
        for c in codes[:5]
    ) + (", ..." if len(codes) > 5 else "")
    console.print(
        f"wrote {hosts_dir}: {len(codes)} province(s) ({shown}), {count} communes. Next: set the "
        "device secrets (README, Secrets), then `communelan render` and `communelan lint`.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(init)
