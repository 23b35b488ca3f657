"""Compliance against lab devices over SSH with the real Netmiko: push, drift, fix, report."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import netmiko
import pytest

from nornir_config.compliance.engine import compare_texts
from nornir_config.compliance.history import append_history, read_history
from nornir_config.compliance.model import ComplianceReport
from nornir_config.compliance.run import run_compliance
from nornir_config.compliance.secrets import tokens
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab
from nornir_config.platforms import driver
from nornir_config.reports import write_reports
from nornir_config.reports.json_report import load_schema
from tests.compliance.conftest import Commune
from tests.conftest import TEST_SECRETS


def start(commune: Commune, lab_factory: LabFactory) -> RunningLab:
    """The commune's devices in the lab, and its Nornir hosts pointed at them."""
    province = commune.project.province
    specs = [
        LabDeviceSpec(host, host, d.model, d.role, d.interfaces)
        for host in sorted(commune.intended)
        for d in [province.device(host)]
    ]
    lab = lab_factory(specs=specs)
    lab.point(commune.project.nr)
    return lab


def check(commune: Commune) -> ComplianceReport:
    p = commune.project
    return run_compliance(p.nr, p.province, commune.secrets, p.settings.templates_dir)


def push_remediation(lab: RunningLab, commune: Commune, host: str) -> None:
    """What a push does: the (unredacted) remediation through Netmiko's send_config_set."""
    with netmiko.ConnectHandler(**lab.netmiko_params(host)) as conn:
        running = str(conn.send_command("show running-config"))
        results = compare_texts(
            commune.intended[host],
            running,
            commune.features(host),
            driver("cisco_ios"),
            commune.verifier(),
        )
        commands = [line for r in results for line in r.remediation]
        if commands:
            conn.send_config_set(commands, cmd_verify=False)


def oob(lab: RunningLab, host: str, commands: list[str]) -> None:
    with netmiko.ConnectHandler(**lab.netmiko_params(host)) as conn:
        conn.send_config_set(commands, cmd_verify=False)


def failed(report: ComplianceReport) -> dict[str, list[str]]:
    return {d.host: d.failed_features() for d in report.devices if d.status != "compliant"}


def test_push_drift_fix_and_reports(
    commune: Commune, lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = start(commune, lab_factory)
    rt, sw1, sw2 = (commune.host(s) for s in ("rt01", "sw01", "sw02"))

    day0 = check(commune)
    assert {d.status for d in day0.devices} == {"non_compliant"}
    assert "hardening" in day0.devices[0].failed_features()  # day 0 runs `ip http server`

    for host in (rt, sw1, sw2):
        push_remediation(lab, commune, host)
    configured = check(commune)
    baseline = {d.host: set(d.failed_features()) for d in configured.devices}
    assert baseline == {rt: set(), sw1: set(), sw2: set()}  # the full configs, as pushed

    ntp = next(line for line in commune.intended[rt].splitlines() if line.startswith("ntp server"))
    oob(lab, rt, [f"no {ntp}"])
    oob(lab, sw1, ["vlan 77", "name ROGUE"])
    oob(lab, sw2, ["ip http server"])
    drifted = check(commune)
    new = {d.host: set(d.failed_features()) - baseline[d.host] for d in drifted.devices}
    assert new == {rt: {"ntp"}, sw1: {"vlans"}, sw2: {"hardening"}}
    assert drifted.exit_code == 1
    by_host = {d.host: {f.name: f for f in d.features} for d in drifted.devices}
    assert by_host[rt]["ntp"].missing == [ntp] and by_host[rt]["ntp"].extra == []
    assert by_host[rt]["ntp"].remediation == [ntp]
    assert by_host[sw1]["vlans"].extra == ["vlan 77", " name ROGUE"]
    assert by_host[sw1]["vlans"].remediation == ["no vlan 77"]
    assert by_host[sw2]["hardening"].missing == ["no ip http server"]
    assert by_host[sw2]["hardening"].extra == ["ip http server"]
    assert by_host[sw2]["hardening"].remediation == ["no ip http server"]

    # Reports of a run with an unreachable device, after a history of one run.
    lab.set_faults(sw2, refuse_connections=True)
    broken = check(commune)
    assert {d.host: d.status for d in broken.devices}[sw2] == "unknown"
    assert {d.host: d.reason for d in broken.devices}[sw2] == "refused", broken.devices
    assert broken.summary.unknown == 1 and broken.summary.compliant == 0
    out = tmp_path / "reports"
    append_history(out, configured.summary)
    broken.history = [*read_history(out), broken.summary.to_dict()]
    paths = write_reports(broken, out, ["html", "json", "junit", "csv"], "vi")
    hidden = {
        token
        for text in commune.intended.values()
        for line in text.splitlines()
        for _, token in tokens(line, driver("cisco_ios"))[1]
    }
    assert len(hidden) >= 4  # the type 9 hashes and type 7 keys of the intended configs
    assert_reports(paths, sw1, hidden, tmp_path)
    lab.clear_faults(sw2)

    for host in (rt, sw1, sw2):
        push_remediation(lab, commune, host)
    fixed = check(commune)
    assert {d.host: set(d.failed_features()) for d in fixed.devices} == baseline


def assert_reports(paths: list[Path], bad: str, hidden: set[str], tmp: Path) -> None:
    html, js, junit, csv_path = paths
    every = b"".join(p.read_bytes() for p in paths).decode("utf-8", "replace")
    for secret in TEST_SECRETS.values():
        assert secret not in every
    assert "$9$" not in every
    for token in hidden:
        assert token not in every
    document = json.loads(js.read_text(encoding="utf-8"))
    jsonschema.validate(document, load_schema())
    assert document["summary"]["unknown"] == 1 and len(document["history"]) == 2
    tree = ET.parse(junit)
    cases = tree.getroot().iter("testcase")
    failures = {(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None}
    assert (bad, "vlans") in failures
    assert tree.getroot().get("errors") == "1"
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert any(  # the CSV speaks the report's language (vi)
        r["Thiết bị"] == bad and r["Chức năng"] == "vlans" and r["Chức năng tuân thủ"] == "không"
        for r in rows
    )
    assert "Xã An Nông" in {r["Xã/phường"] for r in rows}
    page = html.read_text(encoding="utf-8")
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    shot, dom = chromium(html, tmp)
    assert shot.stat().st_size > 10_000
    assert 'data-js="ready"' in dom
    assert f'id="row-{bad}" data-status="non_compliant"' in dom
    assert "Không tuân thủ" in dom


def chromium(html: Path, tmp: Path) -> tuple[Path, str]:
    shot = tmp / "report.png"
    base = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp / 'chromium'}",
        "--window-size=1280,2000",
    ]
    url = html.resolve().as_uri()
    subprocess.run(
        [*base, f"--screenshot={shot}", url], check=True, capture_output=True, timeout=120
    )
    dom = subprocess.run(
        [*base, "--dump-dom", url], check=True, capture_output=True, timeout=120, text=True
    ).stdout
    return shot, dom


@pytest.fixture(autouse=True)
def _keep_screenshot(tmp_path: Path) -> None:
    """The screenshot stays in tmp_path for a human to look at (pytest keeps the last runs)."""
