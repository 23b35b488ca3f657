"""Reports over a hosts/ with two provinces: grouped by province, each named in the headers."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from nornir_config.compliance.model import ComplianceReport
from nornir_config.compliance.run import run_compliance
from nornir_config.project import open_project
from nornir_config.render import run_render
from nornir_config.reports import write_reports
from nornir_config.reports.json_report import load_schema
from nornir_config.secrets import Secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import QUANG_NINH, THANH_HOA, province_root


@pytest.fixture(scope="module")
def two_provinces() -> Iterator[None]:
    before = run_settings()
    set_run_settings(RunSettings(root=province_root(THANH_HOA + QUANG_NINH)))
    yield
    set_run_settings(before)


def _report(test_secrets: Secrets) -> ComplianceReport:
    """One office of each province; Quảng Ninh's router runs `ip http server`."""
    whole = open_project([], connections=False)
    first: dict[str, str] = {}
    for commune in whole.province.communes:
        first.setdefault(str(commune.province), commune.code)
    project = open_project([f"code={','.join(first.values())}"], connections=False)
    configs = run_render(
        project.nr, project.province, test_secrets, project.settings.templates_dir, None
    ).configs
    bad = next(h for h in configs if h.endswith(f"{first['22']}-rt01"))
    running: dict[str, tuple[str | None, str]] = {h: (text, "") for h, text in configs.items()}
    running[bad] = (configs[bad].replace("no ip http server\n", "ip http server\n"), "")
    return run_compliance(
        project.nr, project.province, test_secrets, project.settings.templates_dir, running=running
    )


def test_every_report_groups_and_names_the_provinces(
    two_provinces: None, test_secrets: Secrets, tmp_path: Path
) -> None:
    report = _report(test_secrets)
    assert [code for code, _ in report.provinces()] == ["22", "38"]
    write_reports(report, tmp_path, ["html", "leadership", "json", "junit", "csv"])

    html = (tmp_path / "compliance.html").read_text(encoding="utf-8")
    meta = re.search(r'<div class="meta">(.*?) ·', html)
    assert meta and meta.group(1) == "Tỉnh Quảng Ninh, Tỉnh Thanh Hóa"
    assert "<h3>Theo tỉnh</h3>" in html
    rows = re.findall(r'<tr class="device-row"[^>]*><td>.*?</td><td>(Tỉnh [^<]+)</td>', html)
    assert rows and rows == sorted(rows, key=lambda name: name != "Tỉnh Quảng Ninh")
    assert re.search(r"<h3>[^<]+\(\d{5}\) — Tỉnh Quảng Ninh</h3>", html)

    lead = (tmp_path / "leadership.html").read_text(encoding="utf-8")
    sections = re.findall(r'<h2 class="province" id="province-(\d+)">([^<]+)</h2>', lead)
    assert sections == [("22", "Tỉnh Quảng Ninh"), ("38", "Tỉnh Thanh Hóa")]
    assert "— Tỉnh Quảng Ninh, Tỉnh Thanh Hóa</title>" in lead
    assert lead.count('<p class="headline">0/1 ') == 1  # Quảng Ninh's office is not done

    table = list(
        csv.reader(io.StringIO((tmp_path / "compliance.csv").read_bytes().decode("utf-8-sig")))
    )
    assert table[0][:3] == ["Mã tỉnh", "Tỉnh", "Mã xã/phường"]
    provinces = [row[0] for row in table[1:]]
    assert provinces == sorted(provinces) and set(provinces) == {"22", "38"}

    suites = ET.parse(tmp_path / "compliance-junit.xml").getroot().findall("testsuite")
    assert [s.get("name", "").split(" / ")[0] for s in suites] == ["22 Quảng Ninh", "38 Thanh Hóa"]
    assert suites[0].find("properties/property[@name='province']").get("value") == "22"  # type: ignore[union-attr]
    assert suites[0].get("failures") == "1" and suites[1].get("failures") == "0"

    document = json.loads((tmp_path / "compliance.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, load_schema())
    devices = document["devices"]
    assert {(d["province_code"], d["province"]) for d in devices} == {
        ("22", "Quảng Ninh"),
        ("38", "Thanh Hóa"),
    }


def test_one_province_keeps_its_reports_as_they_were(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_reports(built.report, tmp_path, ["html", "leadership", "csv", "junit"])
    html = (tmp_path / "compliance.html").read_text(encoding="utf-8")
    assert "Theo tỉnh" not in html and "Tỉnh Thanh Hóa ·" in html
    assert 'class="province"' not in (tmp_path / "leadership.html").read_text(encoding="utf-8")
    header = (tmp_path / "compliance.csv").read_bytes().decode("utf-8-sig").split("\r\n")[0]
    assert header.startswith("Mã xã/phường,")
    junit = (tmp_path / "compliance-junit.xml").read_text(encoding="utf-8")
    assert " / " not in junit.split("<testsuite ", 2)[1].split(">")[0]
