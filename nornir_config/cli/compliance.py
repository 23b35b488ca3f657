"""`compliance`: does every device run what the province decided? Reports for auditors and CI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nornir_config.cli.consoles import err_console as console
from nornir_config.cli.options import FilterOption, LimitOption
from nornir_config.project import open_project


def compliance(
    filters: FilterOption = None,
    limit: LimitOption = None,
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
        str,
        typer.Option(
            "--format", metavar="FORMATS", help="Comma list of html, leadership, json, junit, csv."
        ),
    ] = "html,leadership,json,junit,csv",
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

    Exit 0 when every reachable device is compliant, 1 when any differs, 5 when none differs
    but some are unverified (a device cipher no push has fingerprinted), 2 on bad input.
    Unreachable devices are reported as unknown, never as compliant.
    """
    # Imported here: Netmiko and the report machinery load only when this command runs.
    from nornir_config.compliance.run import run_compliance
    from nornir_config.connection import prepare_connections
    from nornir_config.filters import limit_specs
    from nornir_config.reports import open_lint_findings, parse_formats, publish
    from nornir_config.reports.findings import coverage_text, reason_text
    from nornir_config.reports.i18n import labels

    formats = parse_formats(fmt)
    labels(lang)
    selection = [*(filters or []), *limit_specs(limit)]
    project = open_project(selection)
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
    if "leadership" in formats:  # the one-stop indicator also reads the lint's zone checks
        report.lint_open = open_lint_findings(selection)
    paths = publish(report, out_dir, formats, lang, build_dir=settings.build_dir)
    s = report.summary
    for device in report.devices:
        if device.status == "non_compliant":
            console.print(
                f"[red]non-compliant[/red] {device.host}: {', '.join(device.failed_features())}",
                highlight=False,
            )
        elif device.status == "unverified":
            console.print(
                f"[yellow]unverified[/yellow] {device.host}: {', '.join(device.failed_features())}"
                " (a device cipher no push has fingerprinted: push to verify)",
                highlight=False,
            )
        elif device.status == "unknown":
            console.print(
                f"[yellow]unknown[/yellow] {device.host}: {reason_text(device, lang)} "
                f"({device.error})",
                highlight=False,
            )
    console.print(
        f"{s.devices} devices: {s.compliant} compliant, {s.non_compliant} non-compliant, "
        f"{s.unverified} unverified, {s.unknown} unknown; {coverage_text(report, lang)} "
        f"({s.source}, {s.seconds:.2f} s) -> " + ", ".join(str(p) for p in paths),
        highlight=False,
    )
    if s.devices and s.compliant + s.non_compliant + s.unverified == 0:  # nothing could be checked
        console.print(f"[red]no device could be checked[/red] ({s.unknown} unknown)")
        raise typer.Exit(1)
    raise typer.Exit(report.exit_code)


def register(app: typer.Typer) -> None:
    app.command()(compliance)
