"""Compliance reports for auditors and CI: HTML, JSON (versioned schema), JUnit XML, CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from nornir_config.compliance.model import ComplianceReport
from nornir_config.errors import InputError
from nornir_config.reports.csv_report import render_csv
from nornir_config.reports.files import write_atomic
from nornir_config.reports.html_report import render_html
from nornir_config.reports.i18n import labels
from nornir_config.reports.json_report import render_json
from nornir_config.reports.junit_report import render_junit
from nornir_config.reports.leadership import render_leadership

FORMATS: dict[str, tuple[str, Callable[[ComplianceReport, str], bytes]]] = {
    "html": ("compliance.html", render_html),
    "leadership": ("leadership.html", render_leadership),
    "json": ("compliance.json", render_json),
    "junit": ("compliance-junit.xml", render_junit),
    "csv": ("compliance.csv", render_csv),
}


def parse_formats(spec: str) -> list[str]:
    """`html,json` -> ["html", "json"]; an unknown name is bad input."""
    wanted = [f.strip() for f in spec.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise InputError.one(
            "--format", spec, "unknown report format", f"use a comma list of: {', '.join(FORMATS)}"
        )
    return wanted


def write_reports(
    report: ComplianceReport, out_dir: Path, formats: Iterable[str], lang: str = "vi"
) -> list[Path]:
    """Render every format first, then write each file whole (nothing half-written)."""
    labels(lang)  # bad language before anything is written
    rendered = [(FORMATS[f][0], FORMATS[f][1](report, lang)) for f in formats]
    return [write_atomic(out_dir / name, data) for name, data in rendered]


def open_lint_findings(filters: list[str]) -> dict[str, set[str]]:
    """Host -> ids of the unwaived lint errors on it, for the leadership summary."""
    from nornir_config.lint.engine import run_lint
    from nornir_config.lint.packs import select_packs
    from nornir_config.settings import run_settings

    root = run_settings().root
    found: dict[str, set[str]] = {}
    for finding in run_lint(root, select_packs([], root), filters).findings:
        if finding.counts:
            for host in finding.devices:
                found.setdefault(host, set()).add(finding.rule)
    return found


def publish(
    report: ComplianceReport,
    out_dir: Path,
    formats: Iterable[str],
    lang: str = "vi",
    build_dir: Path | None = None,
) -> list[Path]:
    """Write the reports with the trend of earlier runs, then record this run in the history.

    With `build_dir` (backups, audit log, watch events), the HTML also shows each device's
    timeline: backups, pushes/applies/restores with their plan ids, compliance changes.
    """
    from nornir_config.compliance.history import append_history, read_history

    statuses = {d.host: d.status for d in report.devices}
    runs = read_history(out_dir, last=200)
    trend = [{k: v for k, v in run.items() if k != "statuses"} for run in runs[-19:]]
    report.history = [*trend, report.summary.to_dict()]
    if build_dir is not None:
        from nornir_config.change.timeline import device_timeline, with_compliance

        now = {**report.summary.to_dict(), "statuses": statuses}
        found = with_compliance(device_timeline(build_dir, sorted(statuses)), [*runs, now])
        report.timeline = {h: [e.to_dict() for e in entries] for h, entries in found.items()}
    paths = write_reports(report, out_dir, formats, lang)
    append_history(out_dir, report.summary, statuses)
    return paths


__all__ = ["FORMATS", "open_lint_findings", "parse_formats", "publish", "write_reports"]
