"""JUnit XML for CI: a test suite per commune (named by its province too when the report
covers several), a test case per device and feature.

An unreachable device is one `<error>` case (never a pass), a differing feature a `<failure>`
whose text uses the HTML report's sign convention (`-` on the device, `+` intended), names the
controls it breaks and the command that applies the fix.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from nornir_config.compliance.model import ComplianceReport, DeviceResult
from nornir_config.reports.findings import findings, local_time, reason_text, timezone_of
from nornir_config.reports.i18n import labels


def _case(suite: ET.Element, device: DeviceResult, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=device.host, name=name, time="0")


def render_junit(report: ComplianceReport, lang: str = "vi") -> bytes:
    t = labels(lang)
    found = {(f.device.host, f.feature.name): f for f in findings(report, lang)}
    root = ET.Element("testsuites", name="communelan compliance")
    moment = local_time(report.summary.time, timezone_of(report))
    root.set("timestamp", moment.isoformat() if moment else report.summary.time)
    several = len(report.provinces()) > 1
    devices = sorted(
        report.devices,
        key=lambda d: (d.province_code if several else "", d.commune_code, d.host),
    )
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for code, group in groupby(devices, key=lambda d: d.commune_code):
        members = list(group)
        name = f"{code} {members[0].commune}"
        if several:  # the province first, so CI groups and sorts the suites by province
            name = f"{members[0].province_code} {members[0].province} / {name}"
        suite = ET.SubElement(root, "testsuite", name=name)
        if several:
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", name="province", value=members[0].province_code)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for device in members:
            if device.status == "unknown":
                case = _case(suite, device, "running-config")
                error = ET.SubElement(case, "error", message=reason_text(device, lang))
                error.text = f"{t['technical']}: {device.error}"
                counts["tests"] += 1
                counts["errors"] += 1
                continue
            for feature in device.features:
                case = _case(suite, device, feature.name)
                counts["tests"] += 1
                if feature.compliant:
                    continue
                if feature.unverified:  # not passed, not failed: say why and how to verify
                    skipped = ET.SubElement(case, "skipped", message=t["unverified_means"])
                    skipped.text = "\n".join([*feature.notes, f"{t['fix']}:", *feature.remediation])
                    counts["skipped"] += 1
                    continue
                counts["failures"] += 1
                f = found[(device.host, feature.name)]
                rules = " ".join(c.rule for c in f.controls) or t["no_rule"]
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"{device.commune} ({device.commune_code}) {device.host} "
                    f"{feature.name}: {rules}",
                )
                failure.text = "\n".join(
                    [
                        f"{t['why']}: {f.purpose}",
                        *(
                            f"{t['control']}: {c.rule} {c.title} - {c.why} "
                            f"({'; '.join(c.references)})"
                            for c in f.controls
                        ),
                        t["legend"],
                        *(line for _, line in f.diff),
                        f"{t['fix']}:",
                        *feature.remediation,
                        f"{t['apply_with']}: {f.apply}",
                    ]
                )
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
