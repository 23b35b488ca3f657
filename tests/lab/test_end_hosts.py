"""End hosts: the office's PCs on the access ports show up where a real office shows them, in
the MAC tables of every switch on their way (on the port that leads to them) and, with an
address of their VLAN's subnet, in their gateway's ARP table; the same ones every run.
Read with NAPALM's getters (their own TextFSM parsers).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from napalm import get_network_driver

from nornir_config.lab.testing import LabFactory, RunningLab

from .office import SPECS, build_office


def _getters(lab: RunningLab, name: str) -> dict[str, Any]:
    device = get_network_driver("ios")(**lab.napalm_args(name))
    device.open()
    try:
        return {
            "interfaces": device.get_interfaces(),
            "macs": device.get_mac_address_table() if name != "LAB-R1" else [],
            "arp": device.get_arp_table(),
        }
    finally:
        device.close()


def test_end_hosts_in_mac_and_arp_tables(lab_factory: LabFactory) -> None:
    lab = lab_factory(specs=SPECS)
    build_office(lab)
    core, router = _getters(lab, "LAB-S1"), _getters(lab, "LAB-R1")
    # the core's access ports in VLAN 10 (Gi1/0/1, Gi1/0/2): an up port has its host's MAC
    hosts = {
        e["mac"]: e["interface"]
        for e in core["macs"]
        if not e["static"] and e["vlan"] == 10 and e["interface"].startswith("Gi1/0/")
    }
    assert hosts, core["macs"]
    for port in ("GigabitEthernet1/0/1", "GigabitEthernet1/0/2"):
        short = port.replace("GigabitEthernet", "Gi")
        assert core["interfaces"][port]["is_up"] == (short in hosts.values()), port
    # Gi1/0/24 is shut: no host, down
    assert not core["interfaces"]["GigabitEthernet1/0/24"]["is_up"]
    # the router knows each of them by an address of 10.1.10.0/24 past the DHCP exclusions
    arp = {e["mac"]: e for e in router["arp"]}
    for mac in hosts:
        entry = arp[mac]
        assert entry["interface"] == "GigabitEthernet0/0/1.10"
        address = ipaddress.IPv4Address(entry["ip"])
        assert address in ipaddress.IPv4Network("10.1.10.0/24") and int(address) & 0xFF > 20
    # the access switch learns the core's hosts on its uplink
    access = _getters(lab, "LAB-S2")
    uplink = {e["mac"] for e in access["macs"] if e["interface"] == "Gi1/1/1" and e["vlan"] == 10}
    assert set(hosts) <= uplink
    # the same hosts in another lab built the same way
    again = lab_factory(specs=SPECS)
    build_office(again)
    core_again = _getters(again, "LAB-S1")
    assert {e["mac"] for e in core_again["macs"]} == {e["mac"] for e in core["macs"]}
