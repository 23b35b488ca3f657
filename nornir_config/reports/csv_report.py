"""CSV, one row per device and feature, UTF-8 with a BOM so spreadsheet programs show the
commune names' diacritics correctly."""

from __future__ import annotations

import csv
import io

from nornir_config.compliance.model import ComplianceReport

COLUMNS = (
    "commune_code",
    "commune",
    "kind",
    "host",
    "role",
    "status",
    "feature",
    "feature_compliant",
    "missing",
    "extra",
    "remediation",
    "error",
)


def render_csv(report: ComplianceReport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for d in report.devices:
        base = [d.commune_code, d.commune, d.kind, d.host, d.role, d.status]
        if not d.features:
            writer.writerow([*base, "", "", "", "", "", d.error])
        for f in d.features:
            writer.writerow(
                [
                    *base,
                    f.name,
                    "yes" if f.compliant else "no",
                    "\n".join(f.missing),
                    "\n".join(f.extra),
                    "\n".join(f.remediation),
                    d.error,
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")
