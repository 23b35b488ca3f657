"""Reports an auditor can act on, built from text (no lab): every format, both languages."""

from __future__ import annotations

import csv
import io
import json
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from nornir_config.compliance.run import run_compliance
from nornir_config.project import open_project
from nornir_config.render import run_render
from nornir_config.reports import write_reports
from nornir_config.reports.json_report import load_schema
from nornir_config.secrets import Secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.reports.conftest import BAD_OFFICE, Built

ALL = ["html", "leadership", "json", "junit", "csv"]


def write(built: Built, out: Path, lang: str) -> dict[str, Path]:
    paths = write_reports(built.report, out, ALL, lang)
    return dict(zip(ALL, paths, strict=True))


def test_json_is_valid_and_names_the_control(built: Built, tmp_path: Path) -> None:
    for lang, coverage in (("vi", "6/7 thiết bị đã kiểm tra"), ("en", "6 of 7 devices checked")):
        document = json.loads(write(built, tmp_path / lang, lang)["json"].read_text("utf-8"))
        jsonschema.validate(document, load_schema())
        assert document["coverage"]["text"] == coverage
        assert document["coverage"]["checked"] == 6 and document["coverage"]["rate"] < 100
        assert document["time_local"].endswith("+07:00")
        assert document["timezone"] == "Asia/Ho_Chi_Minh"
        assert document["province"] == "Thanh Hóa"
        device = next(d for d in document["devices"] if d["host"] == built.bad_host)
        feature = next(f for f in device["features"] if f["name"] == "hardening")
        # Only the rule whose check names the drifted line, not every hardening rule.
        assert [c["rule"] for c in feature["controls"]] == ["IOS-SVC-001"]
        assert any("CIS" in r for r in feature["controls"][0]["references"])
        assert feature["apply"] == f"communelan push --limit {built.bad_host}"
        unknown = next(d for d in document["devices"] if d["host"] == built.unknown_host)
        assert unknown["reason"] == "timeout"
    vi = json.loads((tmp_path / "vi" / "compliance.json").read_text("utf-8"))
    unknown = next(d for d in vi["devices"] if d["host"] == built.unknown_host)
    assert unknown["reason_text"] == "không kết nối được: hết thời gian chờ"
    bad = next(d for d in vi["devices"] if d["host"] == built.bad_host)
    control = next(f for f in bad["features"] if f["name"] == "hardening")["controls"][0]
    assert control["title"] == "Tắt máy chủ HTTP"


def test_junit_uses_the_html_sign_convention(built: Built, tmp_path: Path) -> None:
    paths = write(built, tmp_path, "vi")
    root = ET.parse(paths["junit"]).getroot()
    assert root.get("failures") == "1" and root.get("errors") == "1"
    failure = next(
        c.find("failure") for c in root.iter("testcase") if c.find("failure") is not None
    )
    assert failure is not None and "IOS-SVC-001" in (failure.get("message") or "")
    text = failure.text or ""
    # `-` is the device's line, `+` the intended one, exactly as in the HTML diff.
    assert "\n-ip http server\n+no ip http server\n" in text
    assert "Chú giải" in text and f"communelan push --limit {built.bad_host}" in text
    html = paths["html"].read_text("utf-8")
    assert '<span class="del">-ip http server</span>' in html
    assert '<span class="add">+no ip http server</span>' in html
    error = next(c.find("error") for c in root.iter("testcase") if c.find("error") is not None)
    assert error is not None and error.get("message") == "không kết nối được: hết thời gian chờ"


def test_csv_is_localised_with_a_bom(built: Built, tmp_path: Path) -> None:
    for lang, host, status, no, reason in (
        ("vi", "Thiết bị", "Không tuân thủ", "không", "không kết nối được: hết thời gian chờ"),
        ("en", "Device", "Non-compliant", "no", "could not be read: timed out"),
    ):
        raw = write(built, tmp_path / lang, lang)["csv"].read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        header = list(rows[0])
        assert host in header and "host" not in header
        bad = [r for r in rows if r[host] == built.bad_host and r[header[7]] == no]
        assert len(bad) == 1 and bad[0][header[5]] == status
        assert bad[0][header[8]] == "IOS-SVC-001"
        assert bad[0][header[12]] == "-ip http server"
        assert bad[0][header[13]] == "+no ip http server"
        assert any(r[header[16]] == reason for r in rows if r[host] == built.unknown_host)
        assert "(UTC+07:00, Asia/Ho_Chi_Minh)" in rows[0][header[-1]]


def test_unknown_devices_never_read_as_a_clean_rate(built: Built, tmp_path: Path) -> None:
    """With the drift fixed but one device unread, the rate of the checked ones is 100% and
    the page says 6 of 7 were checked and that the data is incomplete."""
    bad = next(d for d in built.report.devices if d.host == built.bad_host)
    for f in bad.features:
        f.compliant = True
    bad.status = "compliant"
    built.report.summary.non_compliant, built.report.summary.compliant = 0, 6
    for lang, coverage, warning in (
        ("vi", "6/7 thiết bị đã kiểm tra", "Chưa đủ dữ liệu"),
        ("en", "6 of 7 devices checked", "Incomplete"),
    ):
        html = write(built, tmp_path / lang, lang)["html"].read_text("utf-8")
        assert f'<span class="coverage" id="coverage">{coverage}</span>' in html
        assert warning in html
        assert "Tất cả thiết bị được kiểm tra đều tuân thủ" not in html


def test_leadership_page_counts_offices(built: Built, tmp_path: Path) -> None:
    page = write(built, tmp_path, "vi")["leadership"].read_text("utf-8")
    # An Nông: LAN not compliant (its switch), video QoS and one-stop zone fine.
    # Đông Tiến: its router was not read, so nothing about it is known.
    assert (
        "0/2 đơn vị hoàn thành mạng LAN; 1/2 kết nối hội nghị truyền hình; "
        "1/2 bộ phận một cửa được tách vùng an toàn; 1/2 đơn vị chưa kiểm tra được"
    ) in page
    assert "Tỉnh Thanh Hóa" in page


def test_leadership_qos_drift_and_open_lint_finding(built: Built) -> None:
    from nornir_config.reports.leadership import office_progress

    router = next(
        d for d in built.report.devices if d.commune_code == BAD_OFFICE[0] and d.role == "router"
    )
    qos = next(f for f in router.features if f.name == "qos")
    qos.compliant = False
    built.report.lint_open = {router.host: {"VN2-ZONE-003"}}
    rows = {r.code: r for r in office_progress(built.report, built.report.lint_open)}
    assert rows[BAD_OFFICE[0]].video_qos is False
    assert rows[BAD_OFFICE[0]].onestop_isolated is False  # the open lint finding
    assert rows[BAD_OFFICE[0]].lan is False


def test_province_name_and_time_zone_come_from_hosts(
    project_copy: Path, test_secrets: Secrets, tmp_path: Path
) -> None:
    path = project_copy / "hosts" / "defaults.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["province"]["name"] = "Nghệ An"
    data["site"]["timezone"]["iana"] = "Asia/Bangkok"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = run_settings()
    set_run_settings(RunSettings(root=project_copy))
    try:
        project = open_project([f"code={BAD_OFFICE[0]}"])
        configs = run_render(
            project.nr, project.province, test_secrets, project.settings.templates_dir, None
        ).configs
        report = run_compliance(
            project.nr,
            project.province,
            test_secrets,
            project.settings.templates_dir,
            running={h: (t, "") for h, t in configs.items()},
        )
    finally:
        set_run_settings(before)
    paths = write_reports(report, tmp_path, ["html", "leadership"], "vi")
    for path in paths:
        text = path.read_text("utf-8")
        assert "Tỉnh Nghệ An" in text and "Thanh Hóa" not in text
    assert "Asia/Bangkok" in paths[0].read_text("utf-8")


# --- Screenshots in headless Chromium -----------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (PNG spec, section 11.2.2)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def chromium(url: str, tmp: Path, width: int, name: str) -> tuple[Path, str]:
    shot = tmp / f"{name}.png"
    base = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp / ('profile-' + name)}",
        f"--window-size={width},1600",
    ]
    subprocess.run(
        [*base, f"--screenshot={shot}", url], check=True, capture_output=True, timeout=120
    )
    dom = subprocess.run(
        [*base, "--dump-dom", url], check=True, capture_output=True, timeout=120, text=True
    ).stdout
    return shot, dom


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots(built: Built, tmp_path: Path, lang: str, width: int) -> None:
    html = write(built, tmp_path / "out", lang)["html"]
    shot, dom = chromium(html.resolve().as_uri(), tmp_path, width, f"{lang}-{width}")
    assert png_size(shot) == (width, 1600)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    assert 'data-js="ready"' in dom
    coverage = "6/7 thiết bị đã kiểm tra" if lang == "vi" else "6 of 7 devices checked"
    assert coverage in dom
    # The non-compliant office and its control come before every summary table.
    office = dom.index(f"{BAD_OFFICE[1]} ({BAD_OFFICE[0]})")
    control = dom.index("IOS-SVC-001")
    first_table = dom.index("<table")
    assert office < control < first_table
    # On the phone every table cell carries its column name (stacked rows, nothing cut off).
    assert f'id="row-{built.bad_host}" data-status="non_compliant"' in dom
    assert 'data-label="' in dom


def test_leadership_reads_each_routers_own_driver(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An office mixing vendors: what carries an indicator is the router's driver's data, not
    that of whichever device comes first (here an H3C switch)."""
    from nornir_config.reports import leadership

    code = BAD_OFFICE[0]
    office = [d for d in built.report.devices if d.commune_code == code]
    router = next(d for d in office if d.role == "router")
    switch = next(d for d in office if d.role != "router")
    switch.platform = "hp_comware"
    built.report.devices.remove(switch)
    built.report.devices.insert(0, switch)  # the office's first device
    carriers = {"cisco_ios": {"video_qos": ["qos"]}, "hp_comware": {"video_qos": ["no-such"]}}
    monkeypatch.setattr(leadership, "leadership_features", lambda p: carriers[p.name])
    next(f for f in router.features if f.name == "qos").compliant = False
    rows = {r.code: r for r in leadership.office_progress(built.report)}
    assert rows[code].video_qos is False
