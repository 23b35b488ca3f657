"""The third status, unverified, in every report format (built from text, no lab).

A Huawei router whose HWTACACS key the device shows in VRP's own `cipher` form (`%^%#...%^%#`,
no public algorithm): with no fingerprint from a push the feature is unverified, never
compliant; with the fingerprint of the cipher the last push left it is compliant; with another
cipher text it is non-compliant. The live versions of these cases, with the real clients, are
tests/huawei_vrp/test_push.py and tests/comware/test_push.py."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from nornir_config.compliance.fingerprints import FILE, Fingerprints
from nornir_config.compliance.model import ComplianceReport
from nornir_config.compliance.run import run_compliance
from nornir_config.platforms import driver
from nornir_config.project import open_project
from nornir_config.render import run_render
from nornir_config.reports import write_reports
from nornir_config.reports.json_report import load_schema
from nornir_config.reports.leadership import office_progress
from nornir_config.secrets import Secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.huawei_vrp.province import HUAWEI_CODE, huawei_root

ROUTER = "hac-thanh-14797-rt01"
INTENDED_KEY = " hwtacacs-server shared-key cipher <secret:tacacs_key>\n"
# A VRP cipher of the key as the lab prints one (any text of that form: nothing decodes it).
CIPHER = "%^%#Qm3x.Ae9Z+L1vPs0tN7gRfYhK2bWcD4uJ8iXoE6nq%^%#"
ALL = ["html", "leadership", "json", "junit", "csv"]


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "root"
    root.mkdir()
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(huawei_root() / name)
    previous = run_settings()
    set_run_settings(RunSettings(root=root))
    yield root
    set_run_settings(previous)


def _report(secrets: Secrets, cipher: str = CIPHER) -> tuple[ComplianceReport, dict[str, str]]:
    project = open_project([f"code={HUAWEI_CODE}"])
    configs = run_render(
        project.nr, project.province, secrets, project.settings.templates_dir, None
    ).configs
    assert INTENDED_KEY in configs[ROUTER]
    running = {h: (t, "") for h, t in configs.items()}
    shown = configs[ROUTER].replace(INTENDED_KEY, f" hwtacacs-server shared-key cipher {cipher}\n")
    running[ROUTER] = (shown, "")
    report = run_compliance(
        project.nr, project.province, secrets, project.settings.templates_dir, running=running
    )
    return report, {ROUTER: shown, "intended": configs[ROUTER]}


def _tacacs(report: ComplianceReport):  # type: ignore[no-untyped-def]
    device = next(d for d in report.devices if d.host == ROUTER)
    feature = next(f for f in device.features if any("shared-key" in x for x in f.intended))
    return device, feature


def test_no_fingerprint_is_unverified_in_every_format(
    root: Path, test_secrets: Secrets, tmp_path: Path
) -> None:
    report, _ = _report(test_secrets)
    device, feature = _tacacs(report)
    assert device.status == "unverified" and feature.status == "unverified"
    assert not feature.compliant  # never compliant
    assert "  hwtacacs-server shared-key cipher <removed>" in feature.remediation
    assert any("cannot be verified offline" in n for n in feature.notes)
    s = report.summary
    assert (s.unverified, s.non_compliant) == (1, 0) and s.compliant == s.devices - 1
    assert report.exit_code == 5

    paths = dict(zip(ALL, write_reports(report, tmp_path / "en", ALL, "en"), strict=True))
    html = paths["html"].read_text("utf-8")
    assert '<option value="unverified">Unverified</option>' in html
    assert 'id="unverified"' in html and "no push has fingerprinted it" in html
    assert f'data-status="unverified"><td><a href="#dev-{ROUTER}">' in html
    document = json.loads(paths["json"].read_text("utf-8"))
    jsonschema.validate(document, load_schema())
    assert document["schema_version"] == "1.3" and document["summary"]["unverified"] == 1
    entry = next(d for d in document["devices"] if d["host"] == ROUTER)
    assert entry["status"] == "unverified"
    assert {f["status"] for f in entry["features"]} == {"compliant", "unverified"}
    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text("utf-8-sig"))))
    flagged = [r for r in rows if r["Feature compliant"] == "unverified"]
    assert [r["Feature"] for r in flagged] == [feature.name]
    suites = ET.parse(paths["junit"]).getroot()
    skipped = [c for c in suites.iter("testcase") if c.find("skipped") is not None]
    assert len(skipped) == 1 and feature.name in str(skipped[0].get("name"))
    assert suites.get("skipped") == "1" and suites.get("failures") == "0"
    assert "shared-key cipher <removed>" in (skipped[0].find("skipped").text or "")  # type: ignore[union-attr]
    office = next(r for r in office_progress(report) if r.code == HUAWEI_CODE)
    assert office.lan is False  # an unverified device: the LAN is not done yet
    vi = write_reports(report, tmp_path / "vi", ["html"], "vi")[0].read_text("utf-8")
    assert "Chưa xác minh được" in vi
    for path in paths.values():  # the cipher text is the device's: no report shows it
        assert CIPHER not in path.read_text("utf-8-sig")


def test_fingerprint_of_the_last_push_verifies_and_another_cipher_drifts(
    root: Path, test_secrets: Secrets
) -> None:
    _, texts = _report(test_secrets)
    vrp = driver("huawei_vrp")
    # What a push records right after it sent the key line and re-read the device.
    proof = Fingerprints.load(root / "build", ROUTER, vrp, test_secrets)
    sent = ["hwtacacs-server template TACACS-TH", "  hwtacacs-server shared-key cipher <x>"]
    assert proof.record(sent, texts[ROUTER], texts["intended"]) == 1
    proof.save()
    stored = (root / "build" / FILE).read_text("utf-8")
    assert CIPHER not in stored and test_secrets.get("tacacs_key") not in stored
    assert (root / "build" / FILE).stat().st_mode & 0o777 == 0o600

    report, _ = _report(test_secrets)
    device, feature = _tacacs(report)
    assert device.status == "compliant" and feature.status == "compliant"
    assert any("verified against the last push" in n for n in feature.notes)
    assert report.exit_code == 0

    other, _ = _report(test_secrets, CIPHER.replace("Qm3x", "Zz9y"))
    device, feature = _tacacs(other)
    assert device.status == "non_compliant" and feature.status == "non_compliant"
    assert any("secret changed since the last push" in n for n in feature.notes)
    assert "  hwtacacs-server shared-key cipher <removed>" in feature.remediation
    assert other.exit_code == 1

    changed = Secrets({**test_secrets.values, "tacacs_key": "An0therKey"})
    report, _ = _report(changed)
    assert _tacacs(report)[1].status == "non_compliant"  # the store's key changed
