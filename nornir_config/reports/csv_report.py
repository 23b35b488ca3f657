"""CSV, one row per device and feature (grouped by province when there are several), in the
report's language, UTF-8 with a byte-order mark so spreadsheet programs show the commune names'
diacritics correctly (`encode_csv`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from nornir_config.compliance.model import ComplianceReport
from nornir_config.platforms import driver
from nornir_config.reports.findings import (
    apply_command,
    feature_controls,
    feature_diff,
    feature_purpose,
    reason_text,
    shown_time,
    timezone_of,
)
from nornir_config.reports.i18n import labels

# First, when the report covers several provinces (rows are then grouped by province).
PROVINCE_COLUMNS = ("province_code", "province")
COLUMNS = (
    "commune_code",
    "commune",
    "kind",
    "host",
    "role",
    "status",
    "feature",
    "feature_compliant",
    "rules",
    "control",
    "references",
    "why",
    "on_device",
    "intended",
    "remediation",
    "apply",
    "reason",
    "error",
    "checked_at",
)


def encode_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV bytes with a BOM and CRLF line ends: what spreadsheet programs open correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def render_csv(report: ComplianceReport, lang: str = "vi") -> bytes:
    t = labels(lang)
    when = shown_time(report.summary.time, timezone_of(report))
    rows: list[list[str]] = []
    several = len(report.provinces()) > 1
    devices = sorted(report.devices, key=lambda d: d.province_code) if several else report.devices
    for d in devices:
        status = t[d.status] if d.status != "unknown" else t["unknown_short"]
        base = [
            *((d.province_code, d.province) if several else ()),
            d.commune_code,
            d.commune,
            t.get(f"kind_{d.kind}", d.kind),
            d.host,
            t.get(f"role_{d.role}", d.role),
            status,
        ]
        if not d.features:
            blank = [""] * 10
            rows.append([*base, *blank, reason_text(d, lang), d.error, when])
        for f in d.features:
            controls = (
                feature_controls(driver(d.platform), f.name, lang, f.missing, f.extra)
                if not f.compliant
                else ()
            )
            diff = feature_diff(f.actual, f.intended) if not f.compliant else []
            rows.append(
                [
                    *base,
                    f.name,
                    {"compliant": t["word_yes"], "unverified": t["word_unverified"]}.get(
                        f.status, t["word_no"]
                    ),
                    " ".join(c.rule for c in controls),
                    "\n".join(f"{c.rule} {c.title}" for c in controls),
                    "\n".join(r for c in controls for r in c.references),
                    feature_purpose(driver(d.platform), f.name, lang) if not f.compliant else "",
                    "\n".join(line for kind, line in diff if kind == "del"),
                    "\n".join(line for kind, line in diff if kind == "add"),
                    "\n".join(f.remediation),
                    apply_command(d) if not f.compliant else "",
                    "",
                    d.error,
                    when,
                ]
            )
    columns = (*PROVINCE_COLUMNS, *COLUMNS) if several else COLUMNS
    return encode_csv([t[f"csv_{c}"] for c in columns], rows)
