"""`compliance`: does every device run what the province decided? Reports for auditors and CI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nornir_config.cli.consoles import err_console as console
from nornir_config.cli.options import FilterOption
from nornir_config.project import open_project


def compliance(
    filters: FilterOption = None,
    from_backup: Annotated[
        bool,
        typer.Option(
            "--from-backup", help="Read the latest backups (build/backups/<host>.cfg), not SSH."
        ),
    ] = False,
    backups: Annotated[
        Path | None,
        typer.Option("--backups", help="Backup folder for --from-backup (default build/backups)."),
    ] = None,
    intended: Annotated[
        Path | None,
        typer.Option(
            "--intended", help="Read intended configs from this folder instead of rendering."
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Comma list of html, json, junit, csv.")
    ] = "html,json,junit,csv",
    out: Annotated[
        Path | None, typer.Option("--out", help="Report folder (default build/reports).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: vi or en.")] = "vi",
    accept_new_host_keys: Annotated[
        bool,
        typer.Option("--accept-new-host-keys", help="Record keys of hosts not yet known."),
    ] = False,
) -> None:
    """Compare each device's running config with its intended one, feature by feature.

    Exit 0 when every reachable device is compliant, 1 when any is not, 2 on bad input.
    Unreachable devices are reported as unknown, never as compliant.
    """
    # Imported here: Netmiko and the report machinery load only when this command runs.
    from nornir_config.compliance.run import run_compliance
    from nornir_config.connection import prepare_connections
    from nornir_config.reports import parse_formats, publish
    from nornir_config.reports.i18n import labels

    formats = parse_formats(fmt)
    labels(lang)
    project = open_project(filters or [])
    settings = project.settings
    out_dir = (out or settings.build_dir / "reports").resolve()
    backups_dir = (backups or settings.build_dir / "backups").resolve() if from_backup else None
    if backups_dir is None:
        prepare_connections(project.nr, settings, accept_new_host_keys=accept_new_host_keys)
    report = run_compliance(
        project.nr,
        project.province,
        project.secrets(),
        settings.templates_dir,
        backups_dir=backups_dir,
        intended_dir=intended.resolve() if intended else None,
    )
    paths = publish(report, out_dir, formats, lang)
    s = report.summary
    for device in report.devices:
        if device.status == "non_compliant":
            console.print(
                f"[red]non-compliant[/red] {device.host}: {', '.join(device.failed_features())}",
                highlight=False,
            )
        elif device.status == "unknown":
            console.print(
                f"[yellow]unknown[/yellow] {device.host}: {device.error}", highlight=False
            )
    console.print(
        f"{s.devices} devices: {s.compliant} compliant, {s.non_compliant} non-compliant, "
        f"{s.unknown} unknown ({s.source}, {s.seconds:.2f} s) -> "
        + ", ".join(str(p) for p in paths),
        highlight=False,
    )
    if s.devices and s.compliant + s.non_compliant == 0:  # nothing could be checked
        console.print(f"[red]no device could be checked[/red] ({s.unknown} unknown)")
        raise typer.Exit(1)
    raise typer.Exit(report.exit_code)


def register(app: typer.Typer) -> None:
    app.command()(compliance)
