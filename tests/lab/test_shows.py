"""The show commands an engineer types, parsed by ntc-templates through Netmiko (use_textfsm).

Layouts follow IOS-XE 17.9 output as Cisco's command references show it (Catalyst 9200 and
ISR 4300 "show interfaces", "show ip interface", "show vlan", "show inventory", "show ip route",
"show lldp neighbors", "show cdp neighbors", "show arp", "show mac address-table", "dir");
the values asserted are the ones the office's configs in conftest.py imply.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler

from nornir_config.lab.testing import RunningLab

from .office import office_fixture  # noqa: F401  (the module-scoped cabled office)


@pytest.fixture(scope="module")
def r1(office: RunningLab) -> Iterator[Any]:
    with ConnectHandler(**office.netmiko_params("LAB-R1")) as conn:
        yield conn


@pytest.fixture(scope="module")
def s1(office: RunningLab) -> Iterator[Any]:
    with ConnectHandler(**office.netmiko_params("LAB-S1")) as conn:
        yield conn


def parsed(conn: Any, command: str) -> list[dict[str, Any]]:
    rows = conn.send_command(command, use_textfsm=True)
    assert isinstance(rows, list), f"ntc-templates could not parse {command!r}: {rows!r}"
    return rows


def test_show_interfaces(r1: Any, s1: Any) -> None:
    rows = {r["interface"]: r for r in parsed(r1, "show interfaces")}
    assert rows["GigabitEthernet0/0/0"]["ip_address"] == "203.0.113.2"
    assert rows["GigabitEthernet0/0/0"]["prefix_length"] == "30"
    assert rows["GigabitEthernet0/0/0"]["description"] == "WAN to provider"
    assert rows["GigabitEthernet0/0/0"]["link_status"] == "down"  # enabled, nothing cabled
    assert rows["GigabitEthernet0/0/0"]["protocol_status"] == "down"
    assert rows["GigabitEthernet0/0/2"]["link_status"] == "administratively down"
    assert rows["GigabitEthernet0/0/1.10"]["vlan_id"] == "10"
    one = parsed(s1, "show interfaces Gi1/0/24")
    assert [r["interface"] for r in one] == ["GigabitEthernet1/0/24"]
    assert one[0]["link_status"] == "administratively down"


def test_show_ip_interface(r1: Any) -> None:
    rows = {r["interface"]: r for r in parsed(r1, "show ip interface")}
    assert rows["GigabitEthernet0/0/1.99"]["ip_address"] == ["10.1.99.1"]
    assert rows["GigabitEthernet0/0/1.99"]["prefix_length"] == ["24"]
    assert rows["GigabitEthernet0/0/2"]["ip_address"] == []
    brief = {r["interface"]: r for r in parsed(r1, "show ip interface brief")}
    assert brief["GigabitEthernet0/0/1.10"]["ip_address"] == "10.1.10.1"
    assert brief["GigabitEthernet0/0/2"]["status"] == "administratively down"
    assert brief["Loopback0"]["proto"] == "up"


def test_show_vlan_and_run_interface(s1: Any) -> None:
    vlans = {r["vlan_id"]: r for r in parsed(s1, "show vlan")}
    assert vlans["10"]["vlan_name"] == "DATA"
    assert vlans["10"]["interfaces"] == ["Gi1/0/1", "Gi1/0/2"]  # trunks are not listed here
    assert vlans["99"]["interfaces"] == []
    block = s1.send_command("show running-config interface GigabitEthernet1/1/2")
    lines = block.splitlines()
    start = lines.index("interface GigabitEthernet1/1/2")
    assert set(lines[start + 1 : -1]) == {
        " description DOWNLINK LAB-S2",
        " switchport trunk allowed vlan 10,99",
        " switchport mode trunk",
    }
    assert lines[-1] == "end"
    assert "interface GigabitEthernet1/1/1" not in block


def test_show_inventory_route_neighbours(r1: Any, s1: Any) -> None:
    inventory = parsed(r1, "show inventory")
    assert inventory[0]["pid"] == "ISR4331/K9"
    assert (
        inventory[0]["sn"] == r1.send_command("show version | include Processor board").split()[-1]
    )
    routes = {
        (r["protocol"], r["network"], r["prefix_length"]): r for r in parsed(r1, "show ip route")
    }
    assert ("C", "10.1.99.0", "24") in routes
    assert routes[("S", "10.50.0.0", "16")]["nexthop_ip"] == "10.1.99.2"
    assert not any(r[1] == "203.0.113.0" for r in routes)  # WAN down: not connected
    lldp = parsed(s1, "show lldp neighbors")
    assert {(r["neighbor_name"], r["local_interface"], r["neighbor_interface"]) for r in lldp} == {
        ("LAB-R1", "Gi1/1/1", "Gi0/0/1"),
        ("LAB-S2", "Gi1/1/2", "Gi1/1/1"),
    }
    detail = parsed(s1, "show lldp neighbors detail")
    assert {r["neighbor_name"]: r["mgmt_address"] for r in detail}["LAB-S2"] == "10.1.99.3"
    cdp = parsed(r1, "show cdp neighbors")
    assert [(r["neighbor_name"], r["neighbor_interface"]) for r in cdp] == [("LAB-S1", "Gig 1/1/1")]
    cdp_detail = parsed(s1, "show cdp neighbors detail")
    assert {r["neighbor_name"] for r in cdp_detail} == {"LAB-R1", "LAB-S2"}


def test_show_arp_mac_cpu_dir(r1: Any, s1: Any) -> None:
    arp = {r["address"]: r for r in parsed(r1, "show arp")}
    assert arp["10.1.99.2"]["interface"] == "GigabitEthernet0/0/1.99"
    assert arp["10.1.99.1"]["age_min"] == "-"
    macs = parsed(s1, "show mac address-table")
    learned = {(r["vlan_id"], r["destination_port"][0]) for r in macs if r["type"] == "DYNAMIC"}
    assert ("99", "Gi1/1/1") in learned and ("99", "Gi1/1/2") in learned
    cpu = parsed(r1, "show processes cpu")
    assert cpu[0]["cpu_usage_1_min"].isdigit()
    r1.send_command("copy running-config flash:backup.cfg", expect_string=r"\?|#")
    r1.send_command("\n", expect_string=r"#")
    files = parsed(r1, "dir flash:")
    assert "backup.cfg" in {f["name"] for f in files}
    assert r1.send_command("show snmp chassis").strip() == parsed(r1, "show inventory")[0]["sn"]


def test_show_interfaces_status_switchport_trunk(s1: Any) -> None:
    status = {r["port"]: r for r in parsed(s1, "show interfaces status")}
    assert (status["Gi1/0/1"]["status"], status["Gi1/0/1"]["vlan_id"]) == ("notconnect", "10")
    assert status["Gi1/0/24"]["status"] == "disabled"
    assert (status["Gi1/1/1"]["status"], status["Gi1/1/1"]["vlan_id"]) == ("connected", "trunk")
    assert status["Gi1/1/1"]["name"] == "UPLINK LAB-R1"
    ports = {r["interface"]: r for r in parsed(s1, "show interfaces switchport")}
    assert ports["Gi1/0/2"]["access_vlan"] == "10"
    assert ports["Gi1/1/2"]["admin_mode"] == "trunk"
    assert ports["Gi1/1/2"]["trunking_vlans"] == ["10", "99"]
    one = parsed(s1, "show interfaces Gi1/0/3 switchport")
    assert [(r["interface"], r["access_vlan"]) for r in one] == [("Gi1/0/3", "1")]
    trunk = s1.send_command("show interfaces trunk")
    assert "Gi1/1/2     10,99" in trunk.splitlines()
    assert "Gi1/0/1" not in trunk
    flash = s1.send_command("show flash:")
    assert flash.startswith("Directory of flash:/")


def test_show_version_matches_what_neighbours_see(r1: Any, s1: Any) -> None:
    version = parsed(s1, "show version")[0]
    assert version["hardware"] == ["C9200L-24P-4G"]
    assert version["hostname"] == "LAB-S1"
    chassis = {
        r["neighbor_name"]: r["chassis_id"] for r in parsed(r1, "show lldp neighbors detail")
    }

    def digits(mac: str) -> str:
        return mac.replace(":", "").replace(".", "").lower()

    # the core's LLDP chassis id, as the router sees it, is its base MAC from `show version`
    assert digits(chassis["LAB-S1"]) == digits(version["mac_address"][0])
    assert parsed(r1, "show version")[0]["serial"] == [parsed(r1, "show inventory")[0]["sn"]]
