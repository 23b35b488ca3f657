"""NAPALM's community `huawei_vrp` driver (napalm-huawei-vrp), unchanged, against the lab.

Each getter returns what the device's own config and cabling say. Where the driver itself
cannot (a stub, or a parser for another VRP's output), the test pins what it returns, so a
change on either side shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import napalm
import pytest
from netmiko import ConnectHandler

from nornir_config.lab.testing import RunningLab
from tests.huawei_vrp.conftest import netmiko_params

ROUTER_CONFIG = [
    "vlan batch 10 20",
    "interface Vlanif10",
    "description QUAN-LY",
    "ip address 10.160.7.1 255.255.255.224",
    "interface GigabitEthernet0/0/2",
    "description LAN hw-s1",
    "port link-type trunk",
    "port trunk allow-pass vlan 10 20",
    "interface GigabitEthernet0/0/0",
    "description TSLCD",
    "ip address 10.200.0.2 30",
    "ntp-service unicast-server 10.38.1.123",
]
SWITCH_CONFIG = [
    "vlan batch 10 20",
    "interface Vlanif10",
    "ip address 10.160.7.2 255.255.255.224",
    "interface XGigabitEthernet0/0/1",
    "port link-type trunk",
    "port trunk allow-pass vlan 10 20",
    "interface GigabitEthernet0/0/3",
    "shutdown",
]


def _open(lab: RunningLab, name: str) -> Any:
    args = lab.napalm_args(name)
    driver = napalm.get_network_driver("huawei_vrp")
    device = driver(
        args["hostname"],
        args["username"],
        args["password"],
        optional_args={"port": args["optional_args"]["port"]},
    )
    device.open()
    return device


@pytest.fixture
def office(hw_lab: RunningLab) -> Iterator[tuple[Any, Any]]:
    for name, lines in (("HW-R1", ROUTER_CONFIG), ("HW-S1", SWITCH_CONFIG)):
        with ConnectHandler(**netmiko_params(hw_lab, name)) as conn:
            conn.send_config_set(lines, exit_config_mode=True)
    router, switch = _open(hw_lab, "HW-R1"), _open(hw_lab, "HW-S1")
    yield router, switch
    router.close()
    switch.close()


def test_getters_read_the_devices_config(office: tuple[Any, Any], hw_lab: RunningLab) -> None:
    router, switch = office
    facts = switch.get_facts()
    assert facts["vendor"] == "Huawei"
    assert facts["hostname"] == "HW-S1"
    assert facts["model"] == "S5735-L24T4X-A"
    assert facts["os_version"] == "V200R022C00SPC500"
    assert facts["serial_number"] == [hw_lab.device("HW-S1").esn]
    assert facts["interface_list"][:2] == ["Vlanif10", "GigabitEthernet0/0/1"]
    assert "XGigabitEthernet0/0/4" in facts["interface_list"]
    router_facts = router.get_facts()
    assert router_facts["hostname"] == "HW-R1"
    # The driver reads the model with `S\S+` (S-series only): an AR router stays "Unknown".
    assert router_facts["model"] == "Unknown"

    assert " sysname HW-R1" in router.get_config()["running"].splitlines()

    interfaces = router.get_interfaces()
    assert interfaces["Vlanif10"]["description"] == "QUAN-LY"
    assert interfaces["Vlanif10"]["is_up"] is True
    assert interfaces["Vlanif10"]["mtu"] == 1500
    assert interfaces["GigabitEthernet0/0/2"]["is_up"] is True  # cabled to the switch
    assert interfaces["GigabitEthernet0/0/2"]["speed"] == 1000.0
    assert interfaces["GigabitEthernet0/0/5"]["is_up"] is False
    assert switch.get_interfaces()["GigabitEthernet0/0/3"]["is_enabled"] is False

    assert router.get_interfaces_ip() == {
        "Vlanif10": {"ipv4": {"10.160.7.1": {"prefix_length": 27}}},
        "GigabitEthernet0/0/0": {"ipv4": {"10.200.0.2": {"prefix_length": 30}}},
    }

    users = router.get_users()
    assert {"username": hw_lab.credentials.username, "state": "A", "type": "S"} in users

    lldp = router.get_lldp_neighbors()
    assert lldp == {"GE0/0/2": [{"hostname": "HW-S1", "port": "XGE0/0/1"}]}

    arp = {entry["ip"]: entry for entry in router.get_arp_table()}
    assert arp["10.160.7.2"]["interface"] == "Vlanif10"
    switch_mac = switch.get_interfaces()["Vlanif10"]["mac_address"]
    assert arp["10.160.7.2"]["mac"].upper() == switch_mac.upper()

    macs = switch.get_mac_address_table()
    assert any(m["vlan"] == 10 and m["interface"] == "XGE0/0/1" for m in macs)

    environment = switch.get_environment()
    assert environment["fans"] == {"0": {"status": True}}
    assert environment["power"]["PWR1-0"]["status"] is True
    assert environment["memory"]["used_ram"] == 187904819


def test_getters_the_driver_leaves_unimplemented(office: tuple[Any, Any]) -> None:
    """napalm-huawei-vrp 1.2.0: get_snmp_information and get_vlans are empty stubs, and
    get_ntp_servers parses another VRP's output (VRP5 prints `clock source:` blocks)."""
    router, _ = office
    assert router.get_snmp_information() is None
    assert router.get_vlans() is None
    assert router.get_ntp_servers() == {}
    assert (
        "clock source: 10.38.1.123"
        in router.cli(["display ntp-service sessions"])["display ntp-service sessions"]
    )
