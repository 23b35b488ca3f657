"""Findings as text (path:line: RULE severity message), JSON, JUnit XML and SARIF 2.1.0."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from nornir_config import __version__
from nornir_config.lint.engine import LintReport
from nornir_config.lint.model import Finding, Rule
from nornir_config.lint.waivers import EXPIRED_RULE, UNUSED_RULE

FORMATS = ("text", "json", "junit", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_BUILTIN = {
    EXPIRED_RULE: (
        "error",
        "Waiver expired",
        "A waiver is granted until a date; after it the finding counts again.",
    ),
    UNUSED_RULE: (
        "warning",
        "Waiver unused",
        "A waiver that matches nothing hides the next real finding.",
    ),
}


def _suffix(f: Finding) -> str:
    parts = []
    if f.rendered and f.rendered != f.path:
        parts.append(f"at {f.rendered}")
    if len(f.devices) == 1 and f.rendered is None:
        parts.append(f"device {f.devices[0]}")
    if f.waived:
        parts.append(f"waived: {f.waiver}")
    return f" [{'; '.join(parts)}]" if parts else ""


def to_text(report: LintReport) -> str:
    lines = [
        f"{f.location()}: {f.rule} {f.severity}{' (waived)' if f.waived else ''} {f.message}"
        f"{_suffix(f)}"
        for f in report.findings
    ]
    errors = sum(f.counts for f in report.findings)
    waived = sum(f.waived for f in report.findings)
    others = len(report.findings) - errors - waived
    packs = ", ".join(f"{p.name} {p.version}" for p in report.packs)
    lines.append(
        f"{report.devices} devices, packs {packs}: {errors} errors, {others} other "
        f"findings, {waived} waived"
    )
    return "\n".join(lines) + "\n"


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "devices": list(f.devices),
        "rendered": f.rendered,
        "waived": f.waived,
        "waiver": f.waiver,
    }


def to_json(report: LintReport) -> str:
    data = {
        "packs": [
            {
                "name": p.name,
                "version": p.version,
                "effective": p.effective.isoformat(),
                "path": p.path,
            }
            for p in report.packs
        ],
        "devices": report.devices,
        "failed": report.failed,
        "findings": [_finding_dict(f) for f in report.findings],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _in_provinces(report: LintReport, finding: Finding) -> str:
    names = report.provinces_of(finding)
    return f" [{'; '.join(names)}]" if names else ""


def to_junit(report: LintReport) -> str:
    """One testsuite per pack, one testcase per rule; a finding that counts is a failure."""
    by_rule: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f)
    root = ET.Element("testsuites", name="communelan lint")
    suites: list[tuple[str, list[tuple[str, str]]]] = [
        (f"{p.name} {p.version}", [(r.id, r.title) for r in p.rules]) for p in report.packs
    ]
    suites.append(("waivers", [(k, v[1]) for k, v in _BUILTIN.items()]))
    total_fail = 0
    for name, rules in suites:
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(len(rules)))
        failures = 0
        for rule_id, title in rules:
            case = ET.SubElement(suite, "testcase", classname=name, name=f"{rule_id} {title}")
            found = by_rule.get(rule_id, [])
            failing = [f for f in found if f.counts]
            if failing:
                failures += 1
                failure = ET.SubElement(
                    case, "failure", message=f"{len(failing)} findings", type=rule_id
                )
                failure.text = "\n".join(
                    f"{f.location()}: {f.message}{_suffix(f)}{_in_provinces(report, f)}"
                    for f in failing
                )
            rest = [f for f in found if not f.counts]
            if rest:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(
                    f"{f.location()}: {f.severity}: {f.message}{_suffix(f)}" for f in rest
                )
        suite.set("failures", str(failures))
        total_fail += failures
    root.set("failures", str(total_fail))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.title,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\nReferences: {'; '.join(rule.references)}"},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"pack": rule.pack, "references": list(rule.references)},
    }


def to_sarif(report: LintReport) -> str:
    rules = [_sarif_rule(r) for r in report.rules()]
    for rule_id, (level, title, text) in _BUILTIN.items():
        rules.append(
            {
                "id": rule_id,
                "name": title,
                "shortDescription": {"text": title},
                "fullDescription": {"text": text},
                "defaultConfiguration": {"level": level},
            }
        )
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in report.findings:
        location: dict[str, Any] = {"artifactLocation": {"uri": f.path}}
        if f.line:
            location["region"] = {"startLine": f.line}
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": f.severity,
            "message": {"text": f.message},
            "locations": [{"physicalLocation": location}],
            "properties": {"devices": list(f.devices), "rendered": f.rendered},
        }
        if report.provinces:  # hosts/ holds several provinces: which ones the finding is in
            result["properties"]["provinces"] = report.provinces_of(f)
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.waived:
            result["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": f.waiver or ""}
            ]
        results.append(result)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "communelan lint", "version": __version__, "rules": rules}
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"


def render_report(report: LintReport, fmt: str) -> str:
    return {"text": to_text, "json": to_json, "junit": to_junit, "sarif": to_sarif}[fmt](report)
