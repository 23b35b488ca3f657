"""Every corpus config replaced by its intended config in one NAPALM replace (configure
replace on the lab), keeping what the device owns; a second replace has nothing to do."""

from __future__ import annotations

import netmiko

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import TEST_CREDENTIALS, LabFactory
from nornir_config.push.state import Outcome
from tests.brownfield.conftest import BrownLab, config_paths, protected_rules, show_running


def test_replace_converges_and_keeps_protected_lines(brown_lab: BrownLab) -> None:
    first = brown_lab.push("replace")
    failed = {n: r.reason for n, r in first.reports.items() if r.outcome != Outcome.CHANGED}
    assert failed == {}
    intended = brown_lab.intended()
    defaults = protected_rules((), ("defaults",))
    for name in brown_lab.names:
        running = config_paths(show_running(brown_lab.lab, name))
        want = {p for p in config_paths(intended[name]) if not p.startswith(("version ", "boot-"))}
        assert want - running == set(), f"{name}: intended lines missing"
        rules = protected_rules(brown_lab.preserve(name))
        before = config_paths(brown_lab.configs[name])
        kept = {p for p in before if any(r.keeps(p, want) for r in rules)}
        lost = kept - running
        assert lost == set(), f"{name}: protected lines removed"
        left = {p for p in running - want - kept if not any(r.keeps(p, want) for r in defaults)}
        assert left == set(), f"{name}: lines neither intended nor protected"
        assert first.reports[name].protected, f"{name}: the report names the kept lines"
    second = brown_lab.push("replace")
    assert {r.outcome for r in second.reports.values()} == {Outcome.UNCHANGED}


def test_a_6500_keeps_printing_switchport_after_configure_replace(lab_factory: LabFactory) -> None:
    """A Catalyst 6500 (ports routed by default) prints `switchport` on its layer-2 ports, also
    after `configure replace`: per-model lab data, as the real box does."""
    printed = (
        "hostname SUP\n!\ninterface GigabitEthernet1/1\n switchport\n!\n"
        "line vty 0 4\n login local\n transport input ssh\n!\nend\n"
    )
    spec = LabDeviceSpec("SUP", "SUP", "WS-C6506-E", "switch", ("GigabitEthernet1/1",), printed)
    lab = lab_factory(specs=[spec], credentials=TEST_CREDENTIALS)
    with netmiko.ConnectHandler(**lab.netmiko_params("SUP")) as conn:
        conn.enable()
        booted = str(conn.send_command("show running-config"))
        conn.send_command("copy running-config flash:same.cfg", expect_string=r"\]\?")
        conn.send_command("\n", expect_string=r"#")
        done = str(conn.send_command("configure replace flash:same.cfg force"))
        replaced = str(conn.send_command("show running-config"))
    assert "\n switchport\n" in booted.replace("\r", "")
    assert "Rollback Done" in done
    assert "\n switchport\n" in replaced.replace("\r", "")
