"""What one hardware model does its own way, from the lab's own per-model data, and a few IOS
habits every model shares: secondary addresses, and the caret under an interface a show command
does not know. Typed over real Netmiko, read back with NAPALM where it has a getter.
"""

from __future__ import annotations

from napalm import get_network_driver
from netmiko import ConnectHandler

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab

C6506 = LabDeviceSpec(
    "LAB-C6506",
    "LAB-C6506",
    "WS-C6506-E",
    "switch",
    interfaces=("GigabitEthernet1/1", "GigabitEthernet1/2", "GigabitEthernet5/1"),
)
C887 = LabDeviceSpec(
    "LAB-C887",
    "LAB-C887",
    "C887VA",
    "router",
    interfaces=("Ethernet0", "ATM0", "FastEthernet0", "FastEthernet3"),
)
C9200 = LabDeviceSpec("LAB-S1", "LAB-S1", "C9200L-24P-4G", "switch")


def _send(lab: RunningLab, name: str, lines: list[str]) -> str:
    with ConnectHandler(**lab.netmiko_params(name)) as conn:
        conn.enable()
        return str(conn.send_config_set(lines, cmd_verify=False))


def _running(lab: RunningLab, name: str) -> str:
    return lab.call(lambda: lab.device(name).body())


def test_a_catalyst_6500_prints_switchport_and_a_9200_does_not(lab_factory: LabFactory) -> None:
    lab = lab_factory(specs=[C6506, C9200])
    lines = ["interface GigabitEthernet1/1", " switchport", " switchport mode access"]
    _send(lab, "LAB-C6506", lines)
    _send(
        lab, "LAB-S1", ["interface GigabitEthernet1/0/1", " switchport", " switchport mode access"]
    )
    assert "interface GigabitEthernet1/1\n switchport\n switchport mode access\n" in _running(
        lab, "LAB-C6506"
    )
    assert "interface GigabitEthernet1/0/1\n switchport mode access\n" in _running(lab, "LAB-S1")
    # and a configure replace keeps it, as the 6500 prints it
    with ConnectHandler(**lab.netmiko_params("LAB-C6506")) as conn:
        conn.enable()
        conn.send_command("copy running-config flash:keep.cfg", expect_string=r"\?|#")
        conn.send_command("", expect_string="#")
        out = conn.send_command("configure replace flash:keep.cfg force", read_timeout=30)
        assert "Rollback Done" in out, out
    assert "interface GigabitEthernet1/1\n switchport\n" in _running(lab, "LAB-C6506")


def test_an_isr_887_refuses_routed_lines_on_its_switch_ports(lab_factory: LabFactory) -> None:
    lab = lab_factory(specs=[C887])
    before = _running(lab, "LAB-C887")
    output = _send(
        lab, "LAB-C887", ["interface FastEthernet3", " ip address 10.0.0.1 255.255.255.0"]
    )
    assert "% Invalid input detected at '^' marker." in output, output
    caret = next(line for line in output.splitlines() if line.strip() == "^")
    typed = next(
        line for line in output.splitlines() if line.endswith("ip address 10.0.0.1 255.255.255.0")
    )
    assert typed[caret.index("^") :].startswith("address")
    output = _send(lab, "LAB-C887", ["interface FastEthernet3.10"])
    assert "% Invalid input detected" in output, output
    assert _running(lab, "LAB-C887") == before
    # the way an 887 routes its LAN: a trunk on the switch port and an SVI per VLAN
    output = _send(
        lab,
        "LAB-C887",
        [
            "interface FastEthernet3",
            " switchport mode trunk",
            "interface Vlan10",
            " ip address 10.0.10.1 255.255.255.0",
            "interface Ethernet0",
            " ip address 10.250.0.2 255.255.255.252",
        ],
    )
    assert "Invalid" not in output, output
    running = _running(lab, "LAB-C887")
    assert "interface Vlan10\n ip address 10.0.10.1 255.255.255.0\n" in running
    assert "interface Ethernet0\n ip address 10.250.0.2 255.255.255.252\n" in running


def test_a_secondary_address_adds_to_the_primary(lab: RunningLab) -> None:
    output = _send(
        lab,
        "LAB-R1",
        [
            "interface GigabitEthernet0/0/1",
            " ip address 10.0.1.1 255.255.255.0 secondary",
            " ip address 10.0.0.1 255.255.255.0",
            " ip address 10.0.2.1 255.255.255.0 secondary",
            " no shutdown",
        ],
    )
    assert "Invalid" not in output, output
    assert (
        "interface GigabitEthernet0/0/1\n ip address 10.0.0.1 255.255.255.0\n"
        " ip address 10.0.1.1 255.255.255.0 secondary\n"
        " ip address 10.0.2.1 255.255.255.0 secondary\n"
    ) in _running(lab, "LAB-R1")
    device = get_network_driver("ios")(**lab.napalm_args("LAB-R1"))
    device.open()
    try:
        addresses = device.get_interfaces_ip()["GigabitEthernet0/0/1"]["ipv4"]
    finally:
        device.close()
    assert addresses == {f"10.0.{n}.1": {"prefix_length": 24} for n in range(3)}


def test_a_show_command_puts_the_caret_under_an_interface_the_device_lacks(
    lab: RunningLab,
) -> None:
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        for command in (
            "show interfaces GigabitEthernet1/0/99",
            "show ip interface Gi1/0/99",
            "show running-config interface Gi9/0/1",
        ):
            output = conn.send_command(command, strip_command=False)
            lines = output.splitlines()
            assert lines[-1] == "% Invalid input detected at '^' marker.", output
            token = command.split()[-1]
            under = command.rindex(token) + next(i for i, c in enumerate(token) if c.isdigit())
            assert lines[-2] == " " * (len("LAB-S1#") + under) + "^", output
