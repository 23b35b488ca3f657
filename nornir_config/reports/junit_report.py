"""JUnit XML for CI: a test suite per commune, a test case per device and feature.

An unreachable device is one `<error>` case (never a pass), a differing feature a `<failure>`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from nornir_config.compliance.model import ComplianceReport, DeviceResult


def _case(suite: ET.Element, device: DeviceResult, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=device.host, name=name, time="0")


def render_junit(report: ComplianceReport) -> bytes:
    root = ET.Element("testsuites", name="communelan compliance")
    devices = sorted(report.devices, key=lambda d: (d.commune_code, d.host))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for code, group in groupby(devices, key=lambda d: d.commune_code):
        members = list(group)
        suite = ET.SubElement(root, "testsuite", name=f"{code} {members[0].commune}")
        counts = {"tests": 0, "failures": 0, "errors": 0}
        for device in members:
            if device.status == "unknown":
                case = _case(suite, device, "running-config")
                error = ET.SubElement(case, "error", message="unknown: running config not read")
                error.text = device.error
                counts["tests"] += 1
                counts["errors"] += 1
                continue
            for feature in device.features:
                case = _case(suite, device, feature.name)
                counts["tests"] += 1
                if not feature.compliant:
                    counts["failures"] += 1
                    failure = ET.SubElement(
                        case,
                        "failure",
                        message=f"{feature.name}: {len(feature.missing)} missing, "
                        f"{len(feature.extra)} extra",
                    )
                    failure.text = "\n".join(
                        [
                            *(f"- {line}" for line in feature.missing),
                            *(f"+ {line}" for line in feature.extra),
                            "remediation:",
                            *feature.remediation,
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
