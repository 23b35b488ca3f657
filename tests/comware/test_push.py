"""H3C-only push cases: a key Comware keeps as `cipher $c$3$` is fingerprinted, resent when
it changes, and found nowhere after a run. Merge, replace, dry run, faults, drift and backup
run for every driver in tests/push/test_drivers.py."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nornir_config.compliance.fingerprints import Fingerprints
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab
from nornir_config.platforms import driver
from nornir_config.project import Project, open_project
from nornir_config.push import Outcome, PushOptions, PushRun, run_push
from nornir_config.push.diff import remediation
from nornir_config.render import render_device
from nornir_config.secrets import load_secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.comware.conftest import h3c_root
from tests.conftest import write_intended

CODE = "15853"  # Phường Đông Tiến on H3C: an MSR2630 and three S5130S-28S-EI


@dataclass
class H3cEnv:
    root: Path
    lab: RunningLab
    names: list[str]
    intended: dict[str, str]

    def project(self) -> Project:
        set_run_settings(RunSettings(root=self.root, lab=True))
        return open_project([f"code={CODE}"])

    def push(self, **options: object) -> PushRun:
        return run_push(self.project(), PushOptions(**options))  # type: ignore[arg-type]

    def running(self, name: str) -> str:
        return str(self.lab.call(lambda: self.lab.device(name).text()))

    def is_intended(self, name: str) -> bool:
        """Nothing left to send, with what the pushes fingerprinted (compliance.fingerprints)."""
        comware = driver("hp_comware")
        proven = Fingerprints.load(self.root / "build", name, comware, load_secrets())
        return not remediation(self.running(name), self.intended[name], comware, proven=proven)


@pytest.fixture
def h3c_env(tmp_path: Path, lab_factory: LabFactory) -> Iterator[H3cEnv]:
    root = tmp_path / "root"
    root.mkdir()
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(h3c_root() / name)
    previous = run_settings()
    set_run_settings(RunSettings(root=root, lab=True))
    probe = open_project([f"code={CODE}"])
    specs = []
    for name in sorted(probe.nr.inventory.hosts):
        device = probe.province.device(name)
        links = tuple(
            (port, peer.split()[0], peer.split()[1])
            for port, peer in device.peers.items()
            if len(peer.split()) == 2
        )
        specs.append(
            LabDeviceSpec(name, name, device.model, device.role, device.interfaces, links=links)
        )
    lab = lab_factory(specs=specs)
    (root / ".lab").symlink_to(lab.lab_dir)
    secrets = load_secrets()
    province, templates = probe.province, probe.settings.templates_dir
    intended = write_intended(
        root,
        {
            name: render_device(province.device(name), province, secrets, templates)
            for name in probe.nr.inventory.hosts
        },
    )
    yield H3cEnv(root, lab, [s.name for s in specs], intended)
    set_run_settings(previous)


def test_changed_key_is_resent_and_flagged(
    h3c_env: H3cEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Comware keeps a key sent `simple` as `cipher $c$3$...` (no public algorithm): the push
    fingerprints what it left (compliance.fingerprints), so a key changed in the secrets store
    is drift and is sent again; the clear key reaches no report and no file."""
    from nornir_config.compliance.fingerprints import FILE
    from nornir_config.compliance.run import run_compliance
    from nornir_config.secrets import FILE_ENV, write_secrets_file
    from tests.conftest import TEST_SECRETS

    router = next(n for n in h3c_env.names if n.endswith("rt01"))
    assert h3c_env.push().reports[router].outcome == Outcome.CHANGED
    new = {**TEST_SECRETS, "tacacs_key": "N3wTacacsKey"}
    monkeypatch.setenv(FILE_ENV, str(write_secrets_file(tmp_path / "new.yaml", new)))
    project = h3c_env.project()
    secrets = load_secrets()
    path = h3c_env.root / "build" / "intended" / f"{router}.cfg"
    text = render_device(
        project.province.device(router), project.province, secrets, project.settings.templates_dir
    )
    path.write_text(text, encoding="utf-8")
    os.utime(path, (time.time() + 7200, time.time() + 7200))
    h3c_env.intended[router] = text
    h3c_env.lab.point(project.nr)
    report = run_compliance(
        project.nr,
        project.province,
        secrets,
        project.settings.templates_dir,
        intended_dir=path.parent,
    )
    device = next(d for d in report.devices if d.host == router)
    assert device.status == "non_compliant"
    flagged = [f for f in device.features if f.status == "non_compliant"]
    assert any("secret changed since the last push" in n for f in flagged for n in f.notes)
    run = h3c_env.push()
    sent = run.reports[router].commands
    assert run.reports[router].outcome == Outcome.CHANGED, run.reports[router].reason
    assert any(c.strip().startswith("key authentication ") for c in sent), sent
    assert not any("N3wTacacsKey" in c for c in sent)  # redacted in the report
    assert h3c_env.is_intended(router)
    assert "N3wTacacsKey" not in (h3c_env.root / "build" / FILE).read_text(encoding="utf-8")
    assert h3c_env.push().reports[router].outcome == Outcome.UNCHANGED


def test_no_secret_anywhere_after_a_run(h3c_env: H3cEnv) -> None:
    """The safety sweep (tests/safety/sweep.py) on an H3C office: a dry run, a push, a backup
    and every compliance report. Keys go to the device as
    `simple` (Comware takes no other form we can compute), named in the intended configs
    (`simple <secret:NAME>`): no file holds them in clear."""
    # Comware's `key {accounting|authentication|authorization} {cipher|simple} string`: a
    # cipher key must be the device's own ciphertext, and every key is saved as ciphertext
    # (HPE MSR Router Series Security Command Reference (V7), "key (HWTACACS scheme view)").
    from nornir_config.backup import run_backup
    from nornir_config.compliance.run import run_compliance
    from nornir_config.reports import write_reports
    from tests.conftest import TEST_SECRETS
    from tests.safety.sweep import device_tokens, leaks

    router = next(n for n in h3c_env.names if n.endswith("rt01"))
    runs = [h3c_env.push(dry_run=True)]
    runs.append(h3c_env.push())
    assert runs[-1].reports[router].outcome == Outcome.CHANGED
    # (a rolled-back merge is swept on Cisco and Huawei; here the router refuses the next
    # SSH login after a rollback and a push, in the lab: noticed, not yet explained)
    project = h3c_env.project()
    h3c_env.lab.point(project.nr)
    build = h3c_env.root / "build"
    assert not run_backup(project.nr, build / "backups").failed
    secrets = load_secrets()
    report = run_compliance(project.nr, project.province, secrets, project.settings.templates_dir)
    write_reports(report, build / "reports", ["html", "leadership", "json", "junit", "csv"])
    tokens = device_tokens(
        [*(h3c_env.running(n) for n in h3c_env.names), *h3c_env.intended.values()]
    )
    assert any(t.startswith("$c$3$") for t in tokens) and any(t.startswith("$h$6$") for t in tokens)
    shown = {
        f"run {i} {name}": "\n".join([r.reason, r.diff, *r.commands])
        for i, run in enumerate(runs)
        for name, r in run.reports.items()
    }
    assert any("<removed>" in text for text in shown.values())
    assert not leaks(build, tokens, shown)
    # Intended configs name the keys; the clear value went only to the device.
    intended = (build / "intended" / f"{router}.cfg").read_text(encoding="utf-8")
    assert "key authentication simple <secret:tacacs_key>" in intended
    assert not any(v in intended for v in TEST_SECRETS.values())
