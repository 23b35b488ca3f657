"""NAPALM's ios getters, unchanged, against the cabled office in conftest.py.

Each expected value is read off the configs an engineer typed there (and the cabling), never
computed by the lab's own code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from napalm import get_network_driver

from nornir_config.lab.testing import RunningLab

from .office import office_fixture  # noqa: F401  (the module-scoped cabled office)


def _driver(office: RunningLab, name: str) -> Iterator[Any]:
    device = get_network_driver("ios")(**office.napalm_args(name))
    device.open()
    yield device
    device.close()


@pytest.fixture(scope="module")
def router(office: RunningLab) -> Iterator[Any]:
    yield from _driver(office, "LAB-R1")


@pytest.fixture(scope="module")
def core(office: RunningLab) -> Iterator[Any]:
    yield from _driver(office, "LAB-S1")


def test_facts(router: Any, core: Any) -> None:
    facts = router.get_facts()
    assert facts["hostname"] == "LAB-R1"
    assert facts["fqdn"] == "LAB-R1.office.example"
    assert "GigabitEthernet0/0/1.10" in facts["interface_list"]
    assert "Loopback0" in facts["interface_list"]
    assert core.get_facts()["model"] == "C9200L-24P-4G"


def test_interfaces_follow_config_and_cabling(router: Any, core: Any) -> None:
    interfaces = router.get_interfaces()
    wan = interfaces["GigabitEthernet0/0/0"]
    # described and enabled, but nothing is cabled to it: up/down
    assert (wan["description"], wan["is_enabled"], wan["is_up"]) == ("WAN to provider", True, False)
    lan = interfaces["GigabitEthernet0/0/1"]
    assert (lan["description"], lan["is_enabled"], lan["is_up"]) == ("LAN trunk", True, True)
    assert interfaces["GigabitEthernet0/0/1.10"]["description"] == "DATA gateway"
    assert interfaces["GigabitEthernet0/0/1.10"]["is_up"] is True
    # day-0 `shutdown` left in place
    assert interfaces["GigabitEthernet0/0/2"]["is_enabled"] is False
    assert interfaces["GigabitEthernet0/0/2"]["is_up"] is False
    assert lan["speed"] == 1000.0 and lan["mtu"] == 1500
    switch = core.get_interfaces()
    assert switch["GigabitEthernet1/0/24"]["is_enabled"] is False  # `shutdown`
    assert switch["GigabitEthernet1/0/1"]["is_up"] is False  # nothing cabled
    assert switch["GigabitEthernet1/1/2"]["is_up"] is True  # cabled to LAB-S2
    assert switch["Vlan99"]["description"] == "management"
    assert switch["Vlan99"]["is_up"] is True  # autostate: VLAN 99 is carried by an up trunk


def test_interfaces_ip(router: Any, core: Any) -> None:
    addresses = router.get_interfaces_ip()
    ipv6 = addresses["GigabitEthernet0/0/1.10"].pop("ipv6")
    assert ipv6["2001:db8:10::1"] == {"prefix_length": 64}
    assert [a for a in ipv6 if a.startswith("fe80::")], ipv6  # and its link-local address
    assert addresses == {
        "GigabitEthernet0/0/0": {"ipv4": {"203.0.113.2": {"prefix_length": 30}}},
        "GigabitEthernet0/0/1.10": {"ipv4": {"10.1.10.1": {"prefix_length": 24}}},
        "GigabitEthernet0/0/1.99": {"ipv4": {"10.1.99.1": {"prefix_length": 24}}},
        "Loopback0": {"ipv4": {"10.255.0.1": {"prefix_length": 32}}},
    }
    assert core.get_interfaces_ip() == {"Vlan99": {"ipv4": {"10.1.99.2": {"prefix_length": 24}}}}


def test_interfaces_counters(router: Any) -> None:
    counters = router.get_interfaces_counters()
    assert counters["GigabitEthernet0/0/1"]["rx_unicast_packets"] > 0  # up: traffic
    assert counters["GigabitEthernet0/0/0"]["rx_unicast_packets"] == 0  # down: none
    assert counters["GigabitEthernet0/0/0"]["tx_errors"] == 0


def test_vlans_with_members_and_trunks(core: Any, router: Any) -> None:
    vlans = core.get_vlans()
    assert vlans["10"]["name"] == "DATA" and vlans["99"]["name"] == "MGMT"
    # access ports of VLAN 10 plus the two up trunks allowing it (`show vlan all-ports`)
    assert vlans["10"]["interfaces"] == [
        "GigabitEthernet1/0/1",
        "GigabitEthernet1/0/2",
        "GigabitEthernet1/1/1",
        "GigabitEthernet1/1/2",
    ]
    assert vlans["99"]["interfaces"] == ["GigabitEthernet1/1/1", "GigabitEthernet1/1/2"]
    assert "GigabitEthernet1/0/3" in vlans["1"]["interfaces"]
    assert "GigabitEthernet1/0/1" not in vlans["1"]["interfaces"]
    assert router.get_vlans() == {}


def test_snmp(router: Any, core: Any, office: RunningLab) -> None:
    snmp = router.get_snmp_information()
    assert snmp["contact"] == "NOC team"
    assert snmp["location"] == "Commune hall, rack 1"
    assert snmp["community"] == {"OfficeRO": {"mode": "ro", "acl": "10"}}
    # no `snmp-server chassis-id`: the serial number, as `show version` gives it
    assert snmp["chassis_id"] == router.get_facts()["serial_number"]
    assert core.get_snmp_information()["chassis_id"] == "CORE-CHASSIS-7"


def test_arp_and_mac_tables_follow_cabling(router: Any, core: Any) -> None:
    arp = {(e["ip"], e["interface"]) for e in router.get_arp_table()}
    assert ("10.1.99.2", "GigabitEthernet0/0/1.99") in arp  # the core's SVI, across the trunk
    assert ("10.1.99.3", "GigabitEthernet0/0/1.99") in arp  # the access switch, two hops
    assert ("10.1.10.1", "GigabitEthernet0/0/1.10") in arp  # its own address
    assert not any(ip == "203.0.113.1" for ip, _ in arp)  # WAN is down
    router_macs = {e["ip"]: e["mac"] for e in router.get_arp_table() if e["ip"] in ("10.1.99.1",)}
    table = core.get_mac_address_table()
    learned = {(e["mac"], e["vlan"], e["interface"]) for e in table if not e["static"]}
    assert (router_macs["10.1.99.1"], 99, "Gi1/1/1") in learned
    core_arp = {e["ip"]: e["mac"] for e in core.get_arp_table()}
    assert (core_arp["10.1.99.3"], 99, "Gi1/1/2") in learned


def test_lldp(router: Any, core: Any) -> None:
    assert router.get_lldp_neighbors() == {
        "GigabitEthernet0/0/1": [{"hostname": "LAB-S1", "port": "Gi1/1/1"}]
    }
    detail = core.get_lldp_neighbors_detail()
    up = detail["GigabitEthernet1/1/1"][0]
    assert up["remote_system_name"] == "LAB-R1"
    assert up["remote_port_description"] == "LAN trunk"
    assert "router" in up["remote_system_enable_capab"]
    assert detail["GigabitEthernet1/1/2"][0]["remote_system_name"] == "LAB-S2"


def test_environment_users_ntp_config(router: Any) -> None:
    env = router.get_environment()
    assert 0 < env["memory"]["used_ram"] < env["memory"]["available_ram"]
    assert 0 <= env["cpu"][0]["%usage"] < 100
    assert all(t["temperature"] > 0 for t in env["temperature"].values())
    assert "cisco" in router.get_users()  # the day-0 user
    assert router.get_ntp_servers() == {"192.0.2.10": {}, "192.0.2.11": {}}
    assert set(router.get_ntp_peers()) == {"192.0.2.10", "192.0.2.11"}
    assert "ntp server 192.0.2.10" in router.get_config()["running"]
    instances = router.get_network_instances()
    assert "GigabitEthernet0/0/1.99" in instances["default"]["interfaces"]["interface"]
    oob = instances["OOB"]
    assert oob["type"] == "L3VRF" and oob["state"]["route_distinguisher"] == "65000:9"
    assert oob["interfaces"]["interface"] == {"GigabitEthernet0/0/3": {}}
    assert "GigabitEthernet0/0/3" not in instances["default"]["interfaces"]["interface"]
    assert router.get_ipv6_neighbors_table() == []
