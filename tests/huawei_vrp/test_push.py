"""Huawei-only push cases: a key VRP keeps in its own `cipher` form is fingerprinted, resent
when it changes, and found nowhere after a run. Merge, replace, dry run, faults, drift and
backup run for every driver in tests/push/test_drivers.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from nornir_config.compliance.fingerprints import Fingerprints
from nornir_config.compliance.model import DeviceResult, FeatureResult
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab
from nornir_config.platforms import driver
from nornir_config.platforms.huawei_vrp.lab.edit import decipher
from nornir_config.project import Project, open_project
from nornir_config.push import PushOptions, PushRun, run_push
from nornir_config.push.diff import remediation
from nornir_config.push.state import Outcome
from nornir_config.render import render_device
from nornir_config.secrets import load_secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import write_intended
from tests.huawei_vrp.province import HUAWEI_CODE, huawei_root

VRP = driver("huawei_vrp")


@dataclass
class HuaweiOffice:
    root: Path
    lab: RunningLab
    names: list[str]
    intended: dict[str, str]

    def project(self) -> Project:
        set_run_settings(RunSettings(root=self.root, lab=True))
        return open_project([f"code={HUAWEI_CODE}"])

    def push(self, **options: object) -> PushRun:
        return run_push(self.project(), PushOptions(**options))  # type: ignore[arg-type]

    def running(self, name: str) -> str:
        return str(self.lab.call(lambda: self.lab.device(name).current_configuration()))

    def residual(self, name: str) -> list[str]:
        """What a push would still send, with what the pushes fingerprinted (a device cipher
        no push left counts as different: compliance.fingerprints)."""
        proven = Fingerprints.load(self.root / "build", name, VRP, load_secrets())
        return remediation(self.running(name), self.intended[name], VRP, proven=proven)

    def netmiko(self, name: str) -> dict[str, object]:
        return self.lab.netmiko_params(name, device_type="huawei")


@pytest.fixture
def office(tmp_path: Path, lab_factory: LabFactory) -> Iterator[HuaweiOffice]:
    root = tmp_path / "root"
    root.mkdir()
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(huawei_root() / name)
    previous = run_settings()
    set_run_settings(RunSettings(root=root, lab=True))
    probe = open_project([f"code={HUAWEI_CODE}"])
    devices = [probe.province.device(n) for n in sorted(probe.nr.inventory.hosts)]
    specs = [
        LabDeviceSpec(d.name, d.name, d.model, d.role, tuple(d.interfaces), driver=d.platform)
        for d in devices
    ]
    lab = lab_factory(specs=specs)
    (root / ".lab").symlink_to(lab.lab_dir)
    secrets = load_secrets()
    templates = probe.settings.templates_dir
    intended = write_intended(
        root, {d.name: render_device(d, probe.province, secrets, templates) for d in devices}
    )
    yield HuaweiOffice(root, lab, [s.name for s in specs], intended)
    set_run_settings(previous)


def _compliance(office: HuaweiOffice) -> dict[str, DeviceResult]:
    from nornir_config.compliance.run import run_compliance
    from nornir_config.connection import prepare_connections

    project = office.project()
    prepare_connections(project.nr, project.settings)
    report = run_compliance(
        project.nr, project.province, project.secrets(), project.settings.templates_dir
    )
    return {d.host: d for d in report.devices}


def _feature(device: DeviceResult, text: str) -> FeatureResult:
    """The feature of `device` whose intended lines hold `text`."""
    return next(f for f in device.features if any(text in line for line in f.intended))


def test_changed_key_is_resent_and_flagged(
    office: HuaweiOffice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VRP's `cipher` cannot be checked offline, but the cipher text the push left can be
    recognised (compliance.fingerprints): a key changed in the secrets store, or on the
    device by hand, is drift, and the push sends it again."""
    from nornir_config.compliance.fingerprints import FILE
    from nornir_config.secrets import FILE_ENV, write_secrets_file
    from tests.conftest import TEST_SECRETS

    router = "hac-thanh-14797-rt01"
    assert office.push().reports[router].outcome == Outcome.CHANGED
    store = (office.root / "build" / FILE).read_text(encoding="utf-8")
    assert "%^%#" not in store and TEST_SECRETS["tacacs_key"] not in store  # fingerprints only
    assert (office.root / "build" / FILE).stat().st_mode & 0o777 == 0o600
    tacacs = _feature(_compliance(office)[router], "hwtacacs-server shared-key")
    assert tacacs.status == "compliant", tacacs.notes

    new = {**TEST_SECRETS, "tacacs_key": "N3wTacacsKey"}
    monkeypatch.setenv(FILE_ENV, str(write_secrets_file(tmp_path / "new.yaml", new)))
    changed = _compliance(office)[router]
    tacacs = _feature(changed, "hwtacacs-server shared-key")
    assert changed.status == "non_compliant" and tacacs.status == "non_compliant"
    assert any("secret changed since the last push" in n for n in tacacs.notes), tacacs.notes
    assert "  hwtacacs-server shared-key cipher <removed>" in tacacs.remediation
    run = office.push()
    assert run.reports[router].outcome == Outcome.CHANGED, run.reports[router].reason
    assert "  hwtacacs-server shared-key cipher <removed>" in run.reports[router].commands
    shown = office.running(router)
    token = next(ln.split()[-1] for ln in shown.splitlines() if "shared-key cipher" in ln)
    assert decipher(token) == "N3wTacacsKey"
    assert office.push().reports[router].commands == []  # fingerprinted: nothing to resend

    # A technician sets another key on the device: a new cipher text, so drift.
    with ConnectHandler(**office.netmiko(router)) as conn:
        conn.send_config_set(
            ["hwtacacs-server template TACACS-TH", "hwtacacs-server shared-key cipher Other1"]
        )
    tacacs = _feature(_compliance(office)[router], "hwtacacs-server shared-key")
    assert tacacs.status == "non_compliant", tacacs.notes

    # With no fingerprint (a device no push has reached yet) nothing is claimed.
    assert office.push().reports[router].outcome == Outcome.CHANGED
    (office.root / "build" / FILE).unlink()
    blind = _compliance(office)[router]
    tacacs = _feature(blind, "hwtacacs-server shared-key")
    assert blind.status == "unverified" and tacacs.status == "unverified"
    assert not tacacs.compliant and tacacs.unverified
    assert any("cannot be verified offline" in n for n in tacacs.notes)
    assert "  hwtacacs-server shared-key cipher <removed>" in tacacs.remediation


def test_no_secret_anywhere_after_a_run(office: HuaweiOffice) -> None:
    """The safety sweep (tests/safety/sweep.py) on a Huawei office: a dry run with its diff, a
    push with one device rolled back, a push, a backup and every compliance report."""
    from nornir_config.backup import run_backup
    from nornir_config.compliance.run import run_compliance
    from nornir_config.connection import prepare_connections
    from nornir_config.reports import write_reports
    from tests.safety.sweep import device_tokens, leaks

    switch = "hac-thanh-14797-sw01"
    runs = [office.push(dry_run=True)]
    office.lab.set_faults(switch, reject_commands=[r"^\s*ntp-service unicast-server "])
    runs.append(office.push())
    assert runs[-1].reports[switch].outcome == Outcome.ROLLED_BACK
    office.lab.clear_faults()
    runs.append(office.push())
    project = office.project()
    prepare_connections(project.nr, project.settings)
    assert not run_backup(project.nr, office.root / "build" / "backups").failed
    report = run_compliance(
        project.nr, project.province, project.secrets(), project.settings.templates_dir
    )
    build = office.root / "build"
    write_reports(report, build / "reports", ["html", "leadership", "json", "junit", "csv"])
    tokens = device_tokens(office.running(n) for n in office.names)
    assert any(t.startswith("$1a$") for t in tokens) and any("%^%#" in t for t in tokens)
    shown = {
        f"run {i} {name}": "\n".join([r.reason, r.diff, *r.commands])
        for i, run in enumerate(runs)
        for name, r in run.reports.items()
    }
    assert any("<removed>" in text for text in shown.values())
    assert not leaks(build, tokens, shown)
