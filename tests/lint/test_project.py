"""The lint over a whole project: shipped province clean, broken copies caught at the source line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from nornir_config.lint.engine import LintReport, run_lint
from nornir_config.lint.output import render_report
from nornir_config.lint.packs import select_packs
from tests.conftest import REPO, province_root

ONE = ["code=14797"]
PARTIALS = "templates/cisco_ios/partials"
TEXT_LINE = re.compile(r"^\S+:\d+: [A-Z][A-Z0-9-]+ (error|warning|note)( \(waived\))? \S")


def lint(root: Path, filters: list[str] | None = None, **kw: object) -> LintReport:
    return run_lint(root, select_packs([], root), ONE if filters is None else filters, **kw)  # type: ignore[arg-type]


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from nornir_config.cli import main; main()",
            "--root",
            str(root),
            "lint",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def by_rule(report: LintReport, rule: str) -> list[tuple[str, int | None]]:
    return [(f.path, f.line) for f in report.findings if f.rule == rule]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def write_waivers(root: Path, *entries: str) -> None:
    """Replace the copy's hosts/waivers.yaml with these entries (YAML flow mappings)."""
    body = "".join(f"  - {e}\n" for e in entries) if entries else ""
    text = "waivers:\n" + body if entries else "waivers: []\n"
    (root / "hosts" / "waivers.yaml").write_text(text, encoding="utf-8")


def test_generated_province_lints_clean() -> None:
    proc = cli(province_root(), "--format", "json")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    data = json.loads(proc.stdout)
    assert data["devices"] == 517 and not data["failed"]
    assert [f for f in data["findings"] if f["severity"] == "error"] == []
    assert data["findings"] == [], "the shipped province should not even warn"


def test_http_server_added_to_a_template(project_copy: Path) -> None:
    (project_copy / PARTIALS / "hardening.j2").open("a").write("ip http server\n")
    report = lint(project_copy)
    assert report.failed
    assert by_rule(report, "IOS-SVC-001") == [(f"{PARTIALS}/hardening.j2", 9)]
    finding = next(f for f in report.findings if f.rule == "IOS-SVC-001")
    assert len(finding.devices) == 4 and finding.rendered and ".cfg:" in finding.rendered


def test_bpduguard_dropped_from_a_template(project_copy: Path) -> None:
    edit(project_copy / PARTIALS / "access_ports.j2", " spanning-tree bpduguard enable\n", "")
    report = lint(project_copy)
    assert report.failed
    # The missing line is reported at the port it belongs to: `interface {{ port.name }}`.
    assert by_rule(report, "IOS-L2-001") == [(f"{PARTIALS}/access_ports.j2", 2)]


def test_text_output_and_exit_code(project_copy: Path) -> None:
    edit(project_copy / PARTIALS / "ssh_vty.j2", "ip ssh version 2", "ip ssh version 1")
    proc = cli(project_copy, "--filter", "code=14797")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert all(TEXT_LINE.match(line) for line in lines[:-1]), lines
    assert any(line.startswith(f"{PARTIALS}/ssh_vty.j2:7: IOS-SSH-001 error") for line in lines)


def test_expired_waiver_is_an_error(project_copy: Path) -> None:
    (project_copy / "hosts" / "waivers.yaml").write_text(
        "waivers:\n"
        "  - rule: IOS-SSH-001\n"
        "    device: hac-thanh-14797-*\n"
        "    reason: lab devices still on an old image\n"
        "    expires: 2025-01-31\n",
        encoding="utf-8",
    )
    report = lint(project_copy)
    assert report.failed
    assert by_rule(report, "LINT-WAIVER-EXPIRED") == [("hosts/waivers.yaml", 2)]
    assert [f.severity for f in report.findings if f.rule == "LINT-WAIVER-EXPIRED"] == ["error"]
    # An expired waiver waives nothing: the finding it covered counts again.
    edit(project_copy / PARTIALS / "ssh_vty.j2", "ip ssh version 2", "ip ssh version 1")
    ssh = [f for f in lint(project_copy).findings if f.rule == "IOS-SSH-001"]
    assert ssh and all(f.counts and not f.waived for f in ssh)


def test_live_waiver_keeps_the_finding_visible(project_copy: Path) -> None:
    edit(project_copy / PARTIALS / "ssh_vty.j2", "ip ssh version 2", "ip ssh version 1")
    report = lint(project_copy)
    assert report.failed and by_rule(report, "IOS-SSH-001")
    write_waivers(
        project_copy,
        "{rule: IOS-SSH-001, code: '14797', reason: lab devices still on an old image,"
        " expires: 2099-01-31}",
    )
    report = lint(project_copy)
    assert not report.failed
    waived = [f for f in report.findings if f.rule == "IOS-SSH-001"]
    assert waived and all(f.waived and "old image" in (f.waiver or "") for f in waived)
    assert all("hosts/waivers.yaml:2" in (f.waiver or "") for f in waived)
    assert by_rule(report, "LINT-WAIVER-UNUSED") == []  # filtered run: no unused verdict


def test_template_syntax_undefined_and_unused(project_copy: Path) -> None:
    (project_copy / PARTIALS / "banner.j2").open("a").write("{{ no_such_variable }}\n")
    edit(
        project_copy / PARTIALS / "snmp.j2",
        "snmp-server group {{ snmp.group }} v3",
        "snmp-server group NOC-RO v3",
    )
    report = lint(project_copy)
    assert by_rule(report, "CORE-TPL-002") == [(f"{PARTIALS}/banner.j2", 6)]
    unused = [f.message for f in report.findings if f.rule == "CORE-TPL-003"]
    assert any("'snmp.group'" in m for m in unused)
    (project_copy / PARTIALS / "ntp.j2").open("a").write("{% if %}\n")
    report = lint(project_copy)
    assert (f"{PARTIALS}/ntp.j2", 8) in by_rule(report, "CORE-TPL-001")


def test_inventory_problems_become_findings(project_copy: Path) -> None:
    edit(project_copy / "hosts" / "communes.yaml", 'code: "16522"', 'code: "14797"')
    proc = cli(project_copy, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert findings and {f["rule"] for f in findings} == {"CORE-SOT-001"}
    assert all(f["path"] == "hosts/communes.yaml" and f["line"] for f in findings)


def test_bad_input_exits_2(project_copy: Path) -> None:
    assert cli(project_copy, "--rules", "no-such-pack").returncode == 2
    assert cli(project_copy, "--format", "xml").returncode == 2
    (project_copy / "hosts" / "waivers.yaml").write_text(
        "waivers:\n  - rule: IOS-SSH-001\n    device: x\n", encoding="utf-8"
    )
    proc = cli(project_copy)
    assert proc.returncode == 2 and "hosts/waivers.yaml:2" in proc.stderr


def test_project_pack_is_loaded_and_selectable(project_copy: Path) -> None:
    rules = project_copy / "rules"
    rules.mkdir()
    (rules / "th-local.yaml").write_text(
        "pack: th-local\nversion: '0.1'\neffective: 2026-01-01\nrules:\n"
        "  - id: TH-DNS-001\n    severity: warning\n    title: Province resolvers\n"
        "    rationale: Offices resolve through the province DNS.\n"
        "    references: ['So TTTT Thanh Hoa circular']\n"
        "    check: {kind: required_line, pattern: '^ip name-server 10\\.99\\.'}\n",
        encoding="utf-8",
    )
    packs = select_packs(["th-local"], project_copy)
    assert [p.name for p in packs] == ["communelan-core", "th-local"]
    report = run_lint(project_copy, packs, ONE)
    assert not report.failed and len(by_rule(report, "TH-DNS-001")) == 4
    (rules / "broken.yaml").write_text(
        "pack: broken\nversion: '1.0'\neffective: 2026-01-01\nrules:\n"
        "  - {id: TH-X-001, severity: error, title: t, rationale: r, references: [x],"
        " check: {kind: grep}}\n",
        encoding="utf-8",
    )
    proc = cli(project_copy, "--rules", str(rules / "broken.yaml"))
    assert proc.returncode == 2 and "unknown check kind 'grep'" in proc.stderr


def test_list_rules_shows_id_and_reference() -> None:
    proc = cli(province_root(), "--list-rules")
    assert proc.returncode == 0
    for text in (
        "VN2-ZONE-001",
        "VN2-BAK-001",
        "IOS-SVC-004",
        "IOS-L2-001",
        "CORE-SOT-001",
        "TCVN 11930:2017",
        "vn-level2 1.1.0",
    ):
        assert text in proc.stdout


@pytest.fixture(scope="module")
def report_with_findings(tmp_path_factory: pytest.TempPathFactory) -> LintReport:
    import shutil

    root = tmp_path_factory.mktemp("fmt") / "project"
    root.mkdir()
    shutil.copytree(province_root() / "hosts", root / "hosts")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    (root / PARTIALS / "hardening.j2").open("a").write("ip http server\n")
    edit(root / PARTIALS / "ssh_vty.j2", "ip ssh version 2", "ip ssh version 1")
    write_waivers(
        root,
        "{rule: IOS-SSH-001, code: '14797', reason: lab devices still on an old image,"
        " expires: 2099-01-31}",
    )
    report = lint(root)
    assert report.failed
    assert {f.rule for f in report.findings if f.waived} == {"IOS-SSH-001"}
    assert {f.rule for f in report.findings if f.counts} == {"IOS-SVC-001"}
    return report


def test_sarif_validates_against_the_schema(report_with_findings: LintReport) -> None:
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    sarif = json.loads(render_report(report_with_findings, "sarif"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "IOS-SVC-001" and r["level"] == "error" for r in results)
    assert any("suppressions" in r for r in results)
    # And the validator really checks: a wrong level is refused.
    results[0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(sarif)


def test_junit_parses(report_with_findings: LintReport) -> None:
    root = ET.fromstring(render_report(report_with_findings, "junit"))
    assert root.tag == "testsuites" and int(root.get("failures", "0")) >= 1
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert any(name and name.startswith("IOS-SVC-001") for name in failed)
    cases = list(root.iter("testcase"))
    assert len(cases) > 40


def test_json_output(report_with_findings: LintReport) -> None:
    data = json.loads(render_report(report_with_findings, "json"))
    assert data["failed"] is True
    assert {p["name"] for p in data["packs"]} == {
        "communelan-core",
        "cisco-ios-baseline",
        "vn-level2",
    }
    assert any(f["rule"] == "IOS-SVC-001" and f["line"] == 9 for f in data["findings"])


def test_province_finding_names_template_and_commune_entry(project_copy: Path) -> None:
    # A template that hard-codes the management address gives every switch the same one.
    edit(
        project_copy / PARTIALS / "mgmt_svi.j2",
        " ip address {{ mgmt_ip }} {{ zone.mgmt.netmask }}",
        " ip address 10.160.0.2 {{ zone.mgmt.netmask }}",
    )
    report = lint(project_copy, ["code=14797,16522"])
    dup = [f for f in report.findings if f.rule == "VN2-ADDR-001"]
    assert dup and {(f.path, f.line) for f in dup} == {(f"{PARTIALS}/mgmt_svi.j2", 6)}
    assert any("(commune 14797, hosts/communes.yaml:7)" in f.message for f in dup)
    assert any("of commune 16522 is also used by commune 14797" in f.message for f in dup)


def test_unused_waiver_is_a_warning(project_copy: Path) -> None:
    write_waivers(
        project_copy,
        "{rule: IOS-SSH-001, code: '14797', reason: lab devices still on an old image,"
        " expires: 2099-01-31}",
        "{rule: IOS-SNMP-001, group: mien-nui, reason: nothing breaks this rule any more,"
        " expires: 2099-01-31}",
    )
    edit(project_copy / PARTIALS / "ssh_vty.j2", "ip ssh version 2", "ip ssh version 1")
    report = lint(project_copy, [])
    unused = [f for f in report.findings if f.rule == "LINT-WAIVER-UNUSED"]
    # The SSH waiver is used (on 14797); the SNMP one waives nothing: only it is reported.
    assert [(f.severity, f.path, f.line) for f in unused] == [("warning", "hosts/waivers.yaml", 3)]
    assert "IOS-SNMP-001 for group mien-nui" in unused[0].message
    # The SSH finding stays for the 165 other offices: the run fails on them, not on 14797.
    ssh = [f for f in report.findings if f.rule == "IOS-SSH-001"]
    assert {f.waived for f in ssh} == {True, False}
    assert report.failed
