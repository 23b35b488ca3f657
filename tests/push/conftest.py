"""A project root whose .lab/ is an in-process lab holding one commune's devices, and
intended configs that are a small, known change from the devices' day-0 configs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab, lab_factory  # noqa: F401
from nornir_config.platforms import driver
from nornir_config.platforms.cisco_ios.lab import hconfig
from nornir_config.project import Project, open_project
from nornir_config.push import PushOptions, PushRun, run_push
from nornir_config.push.diff import remediation
from nornir_config.render import render_device
from nornir_config.secrets import load_secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import province_root, write_intended

CODE = "14797"  # Hac Thanh: one router and three switches
REPO = Path(__file__).resolve().parents[2]


@dataclass
class PushEnv:
    root: Path
    lab: RunningLab
    names: list[str]
    before: dict[str, str]
    intended: dict[str, str]

    @property
    def settings(self) -> RunSettings:
        return RunSettings(root=self.root, lab=True)

    def project(self, filters: list[str] | None = None) -> Project:
        set_run_settings(self.settings)
        return open_project([f"code={CODE}", *(filters or [])])

    def push(self, filters: list[str] | None = None, **options: object) -> PushRun:
        return run_push(self.project(filters), PushOptions(**options))  # type: ignore[arg-type]

    def running(self, name: str) -> str:
        return self.lab.call(lambda: self.lab.device(name).body())

    def is_before(self, name: str) -> bool:
        return not remediation(self.running(name), self.before[name], driver("cisco_ios"))

    def is_intended(self, name: str) -> bool:
        return not remediation(self.running(name), self.intended[name], driver("cisco_ios"))

    def use_rendered(self) -> None:
        """Intended configs = the full configs `communelan render` writes for these devices."""
        project = self.project()
        secrets = load_secrets()
        province, templates = project.province, project.settings.templates_dir
        rendered = {
            n: render_device(province.device(n), province, secrets, templates) for n in self.names
        }
        self.intended.update(write_intended(self.root, rendered))


def _intended(day0: str, community: str) -> str:
    """day-0 plus a domain, logging, an SNMP community (a secret), an interface description,
    with `no ip http server`: a change of a handful of lines, removals included."""
    tree = hconfig.parse(day0)
    http = tree.get_child(equals="ip http server")
    if http is not None:
        http.delete()
    tree.add_child("no ip http server")  # IOS keeps this negation in the running config
    tree.add_child("ip domain name thanhhoa.gov.vn")
    tree.add_child("logging buffered 64000 informational")
    tree.add_child(f"snmp-server community {community} RO")
    interface = tree.get_child(startswith="interface GigabitEthernet")
    assert interface is not None
    interface.add_child("description PUSH-TEST uplink")
    return hconfig.render(tree)


@pytest.fixture
def push_env(tmp_path: Path, lab_factory: LabFactory) -> Iterator[PushEnv]:  # noqa: F811
    root = tmp_path / "root"
    root.mkdir()
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(province_root() / name)
    set_run_settings(RunSettings(root=root, lab=True))
    probe = open_project([f"code={CODE}"])
    specs = [
        LabDeviceSpec(n, n, probe.province.device(n).model, probe.province.device(n).role)
        for n in sorted(probe.nr.inventory.hosts)
    ]
    lab = lab_factory(specs=specs)
    (root / ".lab").symlink_to(lab.lab_dir)
    names = [s.name for s in specs]
    before = {n: lab.call(lambda n=n: lab.device(n).body()) for n in names}
    community = load_secrets().get("snmp_auth_key")
    intended = write_intended(root, {n: _intended(before[n], community) for n in names})
    previous = run_settings()
    yield PushEnv(root, lab, names, before, intended)
    set_run_settings(previous)
