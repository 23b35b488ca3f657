"""A push never leaves an office cut off from the NOC: devices change farthest-first, and a
change after which a fresh login to the device, or to a device behind it, fails is rolled back
and said so. One commune's office cabled in the lab as hosts/ says, pushed with real Netmiko
and NAPALM; every end state read back over a fresh SSH login.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from nornir_config.cli.lab import inventory_specs
from nornir_config.connection import TIMEOUTS
from nornir_config.lab.testing import LabFactory, RunningLab
from nornir_config.platforms import driver
from nornir_config.project import open_project
from nornir_config.push import PushOptions, revert, run_push
from nornir_config.push.diff import remediation
from nornir_config.push.state import Outcome
from nornir_config.render import render_device
from nornir_config.secrets import load_secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.comware.conftest import h3c_root
from tests.conftest import province_root, write_intended
from tests.huawei_vrp.province import huawei_root

CODE = "14797"  # Hac Thanh: router rt01, core sw01, access sw02 and sw03
CORE, ACCESS = f"hac-thanh-{CODE}-sw01", f"hac-thanh-{CODE}-sw02"
ROUTER = f"hac-thanh-{CODE}-rt01"


class Office:
    def __init__(self, root: Path, lab: RunningLab, code: str = CODE) -> None:
        self.root, self.lab, self.code = root, lab, code
        self.intended: dict[str, str] = {}

    def push(self, method: str = "merge") -> dict[str, tuple[Outcome, str]]:
        set_run_settings(RunSettings(root=self.root, lab=True))
        run = run_push(open_project([f"code={self.code}"]), PushOptions(method=method))
        return {h: (r.outcome, r.reason) for h, r in run.reports.items()}

    def write(self, name: str, text: str) -> None:
        write_intended(self.root, {name: text})
        self.intended[name] = text

    def answers(self, name: str) -> bool:
        kind = driver(self.lab.device(name).spec.driver).netmiko_device_type
        params = self.lab.netmiko_params(name, conn_timeout=5, device_type=kind)
        try:
            with ConnectHandler(**params) as conn:
                return conn.find_prompt().endswith(("#", ">"))
        except Exception:
            return False

    def running(self, name: str) -> str:
        """The running config as the device prints it, read over a fresh SSH login."""
        platform = driver(self.lab.device(name).spec.driver)
        params = self.lab.netmiko_params(name, device_type=platform.netmiko_device_type)
        with ConnectHandler(**params) as conn:
            return str(conn.send_command(platform.commands.show_config))


@pytest.fixture
def office(tmp_path: Path, lab_factory: LabFactory) -> Iterator[Office]:
    yield from _office(tmp_path, lab_factory, CODE)


def _office(
    tmp_path: Path, lab_factory: LabFactory, code: str, base: Path | None = None
) -> Iterator[Office]:
    root = tmp_path / "root"
    root.mkdir()
    for item in ("hosts", "templates", "config.yaml"):
        (root / item).symlink_to((base or province_root()) / item)
    previous = run_settings()
    set_run_settings(RunSettings(root=root, lab=True))
    specs = inventory_specs(RunSettings(root=root), [f"code={code}"])
    assert any(s.links for s in specs)  # cabled as hosts/ says
    lab = lab_factory(specs=specs)
    (root / ".lab").symlink_to(lab.lab_dir)
    (root / "build" / "intended").mkdir(parents=True)
    office = Office(root, lab, code)
    project = open_project([f"code={code}"])
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


# -- interface ACLs on the path, and the merge's device-side revert timer ------------------
# IOS: `ip access-group NAME in|out` filters what crosses the interface (Cisco "Security
# Configuration Guide: Access Control Lists, IOS XE 17"); `configure terminal revert timer N`
# with `configure confirm` is the device's own way back from a change that cut the operator
# off (Cisco "Configuration Rollback Confirmed Change", Managing Configuration Files
# Configuration Guide, IOS XE 16/17; it needs `archive` with a `path`, which the templates set).

MGMT_SVI = "\ninterface Vlan10\n"


def _with_svi_acl(text: str, acl: str) -> str:
    """The access switch's management SVI gets `ip access-group ACL-PATH in`."""
    head = text.index(MGMT_SVI)
    end = text.index("\n!\n", head)
    return (
        text[:end]
        + "\n ip access-group ACL-PATH in"
        + text[end:].replace("\nend", f"\n!\n{acl}\nend", 1)
    )


def _expire_revert_timer(office: Office, name: str, stop: threading.Event) -> None:
    """The lab clock runs the device's timer out once a change has cut it off and the push,
    having lost its session, tries to log in again (no test waits minutes)."""

    def last_refusal() -> str | None:
        log = office.lab.device(name).login_log
        return log[-1] if log else None

    while not stop.wait(0.5):
        pending = office.lab.call(lambda: office.lab.device(name).pending is not None)
        if pending and not office.answers(name):
            break
    else:
        return
    seen = office.lab.call(last_refusal)  # the refusal of our own probe
    while not stop.wait(0.5):
        if office.lab.call(last_refusal) is not seen:  # the push's own login, refused
            office.lab.call(lambda: office.lab.device(name).advance_clock(5 * 60 + 1))
            return


def test_a_merge_whose_svi_acl_cuts_the_device_off_is_reverted_by_the_device(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 5)  # the cut session shows as a read timeout
    monkeypatch.setattr(revert, "POLL", 0.5)
    before = office.running(ACCESS)
    office.write(
        ACCESS,
        _with_svi_acl(
            office.intended[ACCESS],
            "ip access-list extended ACL-PATH\n permit tcp 10.99.0.0 0.0.255.255 any eq 22",
        ),
    )
    stop = threading.Event()
    clock = threading.Thread(target=_expire_revert_timer, args=(office, ACCESS, stop))
    clock.start()
    try:
        outcome, reason = office.push()[ACCESS]
    finally:
        stop.set()
        clock.join()
    assert outcome == Outcome.ROLLED_BACK, reason
    assert "reverted the change by itself (device revert timer, 5 min)" in reason, reason
    assert not remediation(office.running(ACCESS), before, driver("cisco_ios"))
    startup = office.lab.call(lambda: office.lab.device(ACCESS).startup)
    assert "ACL-PATH" not in startup  # nothing was saved before the confirmation
    assert office.lab.call(lambda: office.lab.device(ACCESS).pending) is None
    assert office.answers(ACCESS)


def test_a_merge_with_an_svi_acl_that_permits_the_noc_is_kept_and_confirmed(
    office: Office,
) -> None:
    acl = "ip access-list extended ACL-PATH\n permit tcp any any eq 22\n deny ip any any log"
    office.write(ACCESS, _with_svi_acl(office.intended[ACCESS], acl))
    outcome, reason = office.push()[ACCESS]
    assert outcome == Outcome.CHANGED, reason
    running = office.running(ACCESS)
    assert " ip access-group ACL-PATH in" in running
    assert office.lab.call(lambda: office.lab.device(ACCESS).pending) is None  # confirmed
    assert "ACL-PATH" in office.lab.call(lambda: office.lab.device(ACCESS).startup)
    assert office.answers(ACCESS)


def test_a_merge_whose_router_acl_cuts_the_office_off_is_rolled_back(office: Office) -> None:
    """An outbound list on the router's management sub-interface drops the NOC's SSH to the
    switches behind it; the router itself still answers, and rolls back on its session."""
    before = office.running(ROUTER)
    text = office.intended[ROUTER]
    head = text.index("\ninterface GigabitEthernet0/0/2.10\n")
    end = text.index("\n!\n", head)
    locked = (
        text[:end]
        + "\n ip access-group 20 out"
        + text[end:].replace("\nend", "\n!\naccess-list 20 permit 10.99.0.0 0.0.255.255\nend", 1)
    )
    office.write(ROUTER, locked)
    outcome, reason = office.push()[ROUTER]
    assert outcome == Outcome.ROLLED_BACK, reason
    assert "lost management access" in reason and "(behind it)" in reason, reason
    assert "answers again" in reason, reason
    assert not remediation(office.running(ROUTER), before, driver("cisco_ios"))
    assert office.lab.call(lambda: office.lab.device(ROUTER).pending) is None
    assert all(office.answers(n) for n in (ROUTER, CORE, ACCESS))


# -- the device's own replace (Huawei VRP, H3C Comware) checks access too ----------------
# VRP: `user-interface vty 0 4` / `acl 2000 inbound` (Huawei "Configuring the VTY User
# Interface"); Comware: `line vty 0 63` / `acl 2000 inbound` (H3C "Login Management").
# Office 14797 on each.
VENDOR_ROOTS = {"huawei_vrp": huawei_root, "hp_comware": h3c_root}


@pytest.mark.parametrize("vendor", list(VENDOR_ROOTS))
def test_a_device_replace_locking_the_noc_out_is_rolled_back(
    tmp_path: Path, lab_factory: LabFactory, vendor: str
) -> None:
    """Rolled back on the session still open, and verified over a fresh login."""
    made = _office(tmp_path, lab_factory, CODE, VENDOR_ROOTS[vendor]())
    office = next(made)
    try:
        access = next(n for n in office.intended if n.endswith("-sw02"))
        before = office.running(access)
        text = office.intended[access]
        locked = re.sub(
            r"(acl (?:number |basic )?200[01]\n(?: description .*\n)?)(?: rule .*\n)+",
            r"\1 rule 5 permit source 10.99.0.0 0.0.255.255\n",
            text,
        )
        assert locked != text
        office.write(access, locked)
        # and the device will not delete the candidate (secrets in clear): the report names it
        candidate = str(driver(vendor).data("push")["replace_file"])
        refused = rf"^\s*delete .*{re.escape(candidate)}\s*$"
        office.lab.set_faults(access, reject_commands=[refused])
        outcome, reason = office.push("replace")[access]
        assert outcome == Outcome.ROLLED_BACK, reason
        assert "lost management access after the replace" in reason, reason
        assert f"; could not delete {candidate}: " in reason, reason
        assert "a fresh login to it failed" in reason and "answers again" in reason, reason
        assert not remediation(office.running(access), before, driver(vendor))
        assert office.answers(access)
    finally:
        made.close()
