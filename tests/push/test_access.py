"""A push never leaves an office cut off from the NOC: devices change farthest-first, and a
change after which a fresh login to the device, or to a device behind it, fails is rolled back
and said so. One commune's office cabled in the lab as hosts/ says, pushed with real Netmiko
and NAPALM; every end state read back over a fresh SSH login.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from nornir_config.cli.lab import inventory_specs
from nornir_config.lab.testing import LabFactory, RunningLab
from nornir_config.platforms import driver
from nornir_config.project import open_project
from nornir_config.push import PushOptions, run_push
from nornir_config.push.diff import remediation
from nornir_config.push.state import Outcome
from nornir_config.render import render_device
from nornir_config.secrets import load_secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import province_root

from .conftest import _write_intended

CODE = "14797"  # Hac Thanh: router rt01, core sw01, access sw02 and sw03
CORE, ACCESS = f"hac-thanh-{CODE}-sw01", f"hac-thanh-{CODE}-sw02"
ROUTER = f"hac-thanh-{CODE}-rt01"


class Office:
    def __init__(self, root: Path, lab: RunningLab) -> None:
        self.root, self.lab = root, lab
        self.intended: dict[str, str] = {}

    def push(self, method: str = "merge") -> dict[str, tuple[Outcome, str]]:
        set_run_settings(RunSettings(root=self.root, lab=True))
        run = run_push(open_project([f"code={CODE}"]), PushOptions(method=method))
        return {h: (r.outcome, r.reason) for h, r in run.reports.items()}

    def write(self, name: str, text: str) -> None:
        _write_intended(self.root / "build" / "intended", name, text)
        self.intended[name] = text

    def answers(self, name: str) -> bool:
        try:
            with ConnectHandler(**self.lab.netmiko_params(name, conn_timeout=5)) as conn:
                return conn.find_prompt().endswith("#")
        except Exception:
            return False

    def running(self, name: str) -> str:
        return self.lab.call(lambda: self.lab.device(name).body())


@pytest.fixture
def office(tmp_path: Path, lab_factory: LabFactory) -> Iterator[Office]:
    root = tmp_path / "root"
    root.mkdir()
    for item in ("hosts", "templates", "config.yaml"):
        (root / item).symlink_to(province_root() / item)
    previous = run_settings()
    set_run_settings(RunSettings(root=root, lab=True))
    specs = inventory_specs(RunSettings(root=root), [f"code={CODE}"])
    assert any(s.links for s in specs)  # cabled as hosts/ says
    lab = lab_factory(specs=specs)
    (root / ".lab").symlink_to(lab.lab_dir)
    (root / "build" / "intended").mkdir(parents=True)
    office = Office(root, lab)
    project = open_project([f"code={CODE}"])
    for spec in specs:
        device = project.province.device(spec.name)
        office.write(
            spec.name, render_device(device, project.province, load_secrets(), root / "templates")
        )
    # the first push: factory boxes, nothing routes yet; farthest-first still gets them all
    assert {o for o, _ in office.push().values()} == {Outcome.CHANGED}
    assert all(office.answers(s.name) for s in specs)
    yield office
    set_run_settings(previous)


def _prune_management_vlan(core: str) -> str:
    """The core's downlink to the access switch loses VLAN 10 (management)."""
    head = f"interface GigabitEthernet1/1/2\n description DOWNLINK {ACCESS}"
    block = core[core.index(head) :]
    block = block[: block.index("\n!\n")]
    pruned = re.sub(r"allowed vlan 10,", "allowed vlan ", block)
    assert pruned != block
    return core.replace(block, pruned)


@pytest.mark.parametrize("method", ["merge", "replace"])
def test_a_push_pruning_the_management_vlan_is_rolled_back(office: Office, method: str) -> None:
    before = office.running(CORE)
    office.write(CORE, _prune_management_vlan(office.intended[CORE]))
    reports = office.push(method)
    outcome, reason = reports[CORE]
    assert outcome == Outcome.ROLLED_BACK, reason
    assert "lost management access" in reason and ACCESS in reason, reason
    assert "answers again" in reason, reason
    assert not remediation(office.running(CORE), before, driver("cisco_ios"))
    assert reports[ACCESS][0] == Outcome.UNCHANGED
    assert all(office.answers(n) for n in (ROUTER, CORE, ACCESS))


@pytest.mark.parametrize("method", ["merge", "replace"])
def test_a_push_locking_the_noc_out_of_the_vty_lines_is_rolled_back(
    office: Office, method: str
) -> None:
    before = office.running(ACCESS)
    text = office.intended[ACCESS]
    locked = re.sub(
        r"(ip access-list standard ACL-VTY\n)(?: permit .*\n)+",
        r"\1 permit 10.99.0.0 0.0.255.255\n",
        text,
    )
    assert locked != text
    office.write(ACCESS, locked)
    outcome, reason = office.push(method)[ACCESS]
    assert outcome == Outcome.ROLLED_BACK, reason
    assert "a fresh login to it failed" in reason and "answers again" in reason, reason
    assert not remediation(office.running(ACCESS), before, driver("cisco_ios"))
    assert office.answers(ACCESS)
