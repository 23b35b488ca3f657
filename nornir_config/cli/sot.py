"""`render`, `inventory`, `ipplan` and `whois`: the source of truth and its intended configs."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.table import Table

from nornir_config.cli.consoles import console
from nornir_config.cli.options import FilterOption, FormatOption
from nornir_config.errors import InputError
from nornir_config.manifest import input_paths, inputs_hash, record
from nornir_config.project import open_project
from nornir_config.render import run_render
from nornir_config.settings import run_settings
from nornir_config.sot.ipplan import plan_rows, whois


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise InputError.one("--format", fmt, "unknown format", f"use one of: {', '.join(allowed)}")


def render(
    filters: FilterOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for <host>.cfg (default build/intended).")
    ] = None,
) -> None:
    """Render the intended config of every selected device."""
    started = time.perf_counter()
    inputs = inputs_hash(input_paths(run_settings()))  # before reading them
    project = open_project(filters or [], connections=False)
    out_dir = (out or project.settings.build_dir / "intended").resolve()
    summary = run_render(
        project.nr,
        project.province,
        project.secrets(),
        project.settings.templates_dir,
        out_dir,
        progress=True,
        prune=not filters,
    )
    record(out_dir, inputs, summary)
    total = len(summary.written) + len(summary.unchanged)
    removed = f", {len(summary.removed)} stale removed" if summary.removed else ""
    console.print(
        f"rendered {total} devices: {len(summary.written)} written, "
        f"{len(summary.unchanged)} unchanged{removed} -> {out_dir} "
        f"({time.perf_counter() - started:.2f} s)",
        highlight=False,
    )


INVENTORY_COLUMNS = ("host", "province", "code", "commune", "kind", "role", "model", "mgmt ip")


def inventory(filters: FilterOption = None, fmt: FormatOption = "table") -> None:
    """List the devices of the selected communes."""
    _check_format(fmt, ("table", "json", "csv"))
    project = open_project(filters or [], connections=False)
    hosts = project.nr.inventory.hosts
    if fmt == "json":
        rows = [
            {"name": h.name, "hostname": h.hostname, "platform": h.platform, **h.data}
            for h in hosts.values()
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = [
        [
            host.name,
            host.data["province"],
            host.data["code"],
            host.data["commune"],
            host.data["kind"],
            host.data["role"],
            host.data["model"],
            str(host.hostname),
        ]
        for host in hosts.values()
    ]
    if fmt == "csv":
        # A BOM, so that spreadsheet programs read the Vietnamese names as UTF-8.
        from nornir_config.reports.csv_report import encode_csv

        sys.stdout.flush()
        sys.stdout.buffer.write(encode_csv(INVENTORY_COLUMNS, table))
        return
    print_columns(f"{len(hosts)} devices", INVENTORY_COLUMNS, table)


def print_columns(title: str, headers: Sequence[str], rows: list[list[str]]) -> None:
    """A plain aligned table: rich's Table costs ~2 ms a row, too slow for a national
    inventory of 10,000 devices."""

    def width(text: str) -> int:
        return len(text) if text.isascii() else cell_len(text)

    widths = [max([width(h), *(width(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    out = [title, line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in rows)
    sys.stdout.write("\n".join(out) + "\n")


def ipplan(filters: FilterOption = None, fmt: FormatOption = "table") -> None:
    """Print the province address plan."""
    _check_format(fmt, ("table", "csv", "json"))
    project = open_project(filters or [], connections=False)
    codes = {h.data["code"] for h in project.nr.inventory.hosts.values()}
    rows = [r for r in plan_rows(project.province) if r.code in codes]
    if fmt == "csv":  # with a byte-order mark, like every CSV communelan writes
        from nornir_config.reports.csv_report import encode_csv

        header = ["province", "code", "commune", "kind", "site", "zone", "vlan", "subnet"]
        sys.stdout.buffer.write(
            encode_csv(
                [*header, "gateway", "dhcp_range"],
                (
                    [
                        r.province,
                        r.code,
                        r.commune,
                        r.kind,
                        r.site,
                        r.zone,
                        r.vlan or "",
                        r.subnet,
                        r.gateway,
                        r.dhcp_range,
                    ]
                    for r in rows
                ),
            )
        )
        return
    if fmt == "json":
        sys.stdout.write(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title="address plan")
    for column in ("province", "code", "commune", "zone", "vlan", "subnet", "gateway", "DHCP"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.province,
            r.code,
            r.commune,
            r.zone,
            str(r.vlan or ""),
            r.subnet,
            r.gateway,
            r.dhcp_range,
        )
    console.print(table)


def whois_cmd(
    address: Annotated[str, typer.Argument(help="An IPv4 address, e.g. 10.160.4.25")],
) -> None:
    """Name the commune, zone, subnet and device an address belongs to."""
    project = open_project([], connections=False)
    try:
        answer = whois(project.province, address)
    except ValueError:
        raise InputError.one(
            "argument", address, "is not an IPv4 address", "give e.g. 10.160.4.25"
        ) from None
    if answer is None:
        console.print(f"{address}: not in the province address plan", highlight=False)
        raise typer.Exit(1)
    device = f", device {answer.device}" if answer.device else ""
    console.print(
        f"{answer.address}: commune {answer.code} {answer.commune}, zone {answer.zone}, "
        f"subnet {answer.subnet}, {answer.use}{device}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(render)
    app.command()(inventory)
    app.command()(ipplan)
    app.command("whois")(whois_cmd)
