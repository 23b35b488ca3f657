"""The JSON report: versioned, described by `compliance.schema.json` (shipped alongside)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nornir_config.compliance.model import ComplianceReport, device_to_dict
from nornir_config.reports.findings import (
    coverage_text,
    findings,
    local_time,
    rate,
    reason_text,
    timezone_of,
)

SCHEMA_ID = "urn:communelan:schema:compliance-1"
SCHEMA_VERSION = "1.3"  # 1.3: status unverified (devices, features, summary); 1.2: province
SCHEMA_FILE = Path(__file__).with_name("compliance.schema.json")


def report_document(report: ComplianceReport, lang: str = "vi") -> dict[str, Any]:
    zone = timezone_of(report)
    local = local_time(report.summary.time, zone)
    found = {(f.device.host, f.feature.name): f for f in findings(report, lang)}
    devices = []
    for device in report.devices:
        data = device_to_dict(device)
        data["reason_text"] = reason_text(device, lang)
        for feature in data["features"]:
            f = found.get((device.host, feature["name"]))
            feature["controls"] = [c.to_dict() for c in f.controls] if f else []
            feature["why"] = f.purpose if f else ""
            feature["apply"] = f.apply if f else ""
        devices.append(data)
    s = report.summary
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "lang": lang,
        "province": report.province,
        "timezone": zone.key,
        "time_local": local.isoformat() if local else s.time,
        "coverage": {
            "checked": s.compliant + s.non_compliant + s.unverified,
            "devices": s.devices,
            "rate": rate(report),
            "text": coverage_text(report, lang),
        },
        "summary": s.to_dict(),
        "devices": devices,
        "history": report.history,
    }


def render_json(report: ComplianceReport, lang: str = "vi") -> bytes:
    text = json.dumps(report_document(report, lang), ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


def load_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data
