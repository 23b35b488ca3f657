"""NAPALM's community h3c_comware driver, unchanged, against the lab's Comware devices."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import napalm
import pytest
from netmiko import ConnectHandler

from nornir_config.lab.testing import RunningLab
from tests.comware.conftest import netmiko_params

SWITCH_SETUP = [
    "vlan 10", "name QUAN-LY", "quit",
    "vlan 20", "name CAN-BO", "quit",
    "interface Vlan-interface10", "ip address 10.160.4.2 255.255.255.224", "quit",
    "interface Ten-GigabitEthernet1/0/25", "description UPLINK H3C-R1",
    "port link-type trunk", "undo port trunk permit vlan 1", "port trunk permit vlan 10 20",
    "quit",
    "interface GigabitEthernet1/0/3", "port access vlan 20", "quit",
    "interface GigabitEthernet1/0/24", "shutdown", "quit",
]  # fmt: skip
ROUTER_SETUP = [
    "interface GigabitEthernet0/2.10", "vlan-type dot1q vid 10",
    "ip address 10.160.4.1 255.255.255.224", "quit",
    "interface GigabitEthernet0/2.20", "vlan-type dot1q vid 20",
    "ip address 10.160.5.1 255.255.255.0", "quit",
    "interface GigabitEthernet0/0", "description TSLCD", "ip address 10.250.60.2 255.255.255.252",
]  # fmt: skip


def _driver(lab: RunningLab, name: str) -> Any:
    cls = napalm.get_network_driver("h3c_comware")
    args = lab.napalm_args(name)
    return cls(**args)


@pytest.fixture
def office(h3c: RunningLab) -> Iterator[RunningLab]:
    for name, lines in (("H3C-S1", SWITCH_SETUP), ("H3C-R1", ROUTER_SETUP)):
        with ConnectHandler(**netmiko_params(h3c, name)) as conn:
            conn.send_config_set(lines)
    yield h3c


def test_facts_and_config(office: RunningLab) -> None:
    with _driver(office, "H3C-S1") as device:
        facts = device.get_facts()
        assert facts["hostname"] == "H3C-S1"
        assert facts["vendor"] == "H3C"
        assert facts["model"] == "S5130S-28S-EI"
        assert facts["os_version"] == "Release 6328P03"
        assert facts["serial_number"].startswith("219801A")
        assert "Ten-GigabitEthernet1/0/25" in facts["interface_list"]
        assert "Vlan-interface10" in facts["interface_list"]
        assert facts["uptime"] >= 0
        config = device.get_config()
        assert " sysname H3C-S1" in config["running"]
        assert config["running"].rstrip().endswith("return")
        assert config["startup"].startswith("#")


def test_interfaces_and_addresses(office: RunningLab) -> None:
    with _driver(office, "H3C-S1") as device:
        interfaces = device.get_interfaces()
        uplink = interfaces["Ten-GigabitEthernet1/0/25"]
        assert uplink["description"] == "UPLINK H3C-R1"
        assert uplink["is_up"] is True and uplink["speed"] == 10_000_000
        assert interfaces["GigabitEthernet1/0/24"]["is_up"] is False
        assert interfaces["GigabitEthernet1/0/3"]["is_up"] is False  # nothing cabled
        assert interfaces["Vlan-interface10"]["is_up"] is True
        ips = device.get_interfaces_ip()
        assert ips == {"Vlan-interface10": {"ipv4": {"10.160.4.2": {"prefix_length": 27}}}}
    with _driver(office, "H3C-R1") as device:
        ips = device.get_interfaces_ip()
        assert ips["GigabitEthernet0/2.20"] == {"ipv4": {"10.160.5.1": {"prefix_length": 24}}}
        assert ips["GigabitEthernet0/0"] == {"ipv4": {"10.250.60.2": {"prefix_length": 30}}}


def test_vlans_lldp_arp_mac(office: RunningLab) -> None:
    with _driver(office, "H3C-S1") as device:
        vlans = device.get_vlans()
        assert vlans[20]["name"] == "CAN-BO"
        assert vlans[10]["name"] == "QUAN-LY"
        assert "GigabitEthernet1/0/3" in vlans[20]["interfaces"]
        assert "Ten-GigabitEthernet1/0/25" in vlans[20]["interfaces"]
        assert vlans[1]["name"] == "VLAN 0001"
        lldp = device.get_lldp_neighbors()
        assert lldp["Ten-GigabitEthernet1/0/25"] == [
            {"hostname": "H3C-R1", "port": "GigabitEthernet0/2"}
        ]
        detail = device.get_lldp_neighbors_detail()
        assert "Router" in detail["Ten-GigabitEthernet1/0/25"][0]["remote_system_capab"]
        macs = device.get_mac_address_table()
        assert any(m["interface"] == "Ten-GigabitEthernet1/0/25" and m["vlan"] == 10 for m in macs)
    with _driver(office, "H3C-R1") as device:
        arp = device.get_arp_table()
        assert [(a["ip"], a["interface"]) for a in arp] == [("10.160.4.2", "GigabitEthernet0/2.10")]


def test_environment(office: RunningLab) -> None:
    with _driver(office, "H3C-R1") as device:
        env = device.get_environment()
        assert env["cpu"]["Slot 1 cpu 0"]["%usage"] == 4.0
        assert env["memory"]["available_ram"] == 438068
        assert env["fans"]["Slot 1 Fan 1"]["status"] is True
        assert env["temperature"]["slot 1 sensor hotspot 1"]["temperature"] == 41.0
        assert env["power"]["slot 1 power 1"]["status"] is True
