"""The JSON report: versioned, described by `compliance.schema.json` (shipped alongside)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nornir_config.compliance.model import ComplianceReport, device_to_dict

SCHEMA_ID = "urn:communelan:schema:compliance-1"
SCHEMA_VERSION = "1.0"
SCHEMA_FILE = Path(__file__).with_name("compliance.schema.json")


def report_document(report: ComplianceReport) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "summary": report.summary.to_dict(),
        "devices": [device_to_dict(d) for d in report.devices],
        "history": report.history,
    }


def render_json(report: ComplianceReport) -> bytes:
    text = json.dumps(report_document(report), ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


def load_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data
