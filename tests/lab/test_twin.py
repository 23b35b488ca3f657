"""The office twin: link state, VLAN reach and neighbours change with the config, as on site.

A real engineer's mistakes, typed over SSH (Netmiko), read back with NAPALM's getters.
"""

from __future__ import annotations

from typing import Any

from napalm import get_network_driver
from netmiko import ConnectHandler

from nornir_config.lab.testing import LabFactory, RunningLab

from .office import SPECS, build_office


def _configure(lab: RunningLab, name: str, lines: list[str]) -> None:
    with ConnectHandler(**lab.netmiko_params(name)) as conn:
        conn.enable()
        output = conn.send_config_set(lines)
        assert "Invalid" not in output, output


def _napalm(lab: RunningLab, name: str) -> Any:
    device = get_network_driver("ios")(**lab.napalm_args(name))
    device.open()
    return device


def test_pruning_the_management_vlan_cuts_the_access_switch_off(lab_factory: LabFactory) -> None:
    lab = lab_factory(specs=SPECS)
    build_office(lab)
    router = _napalm(lab, "LAB-R1")
    try:
        assert "10.1.99.3" in {e["ip"] for e in router.get_arp_table()}
        # the core-to-access trunk loses VLAN 99
        _configure(
            lab, "LAB-S1", ["interface GigabitEthernet1/1/2", " switchport trunk allowed vlan 10"]
        )
        assert "10.1.99.3" not in {e["ip"] for e in router.get_arp_table()}
        access = _napalm(lab, "LAB-S2")
        try:
            # its own trunk still allows VLAN 99 (SVI stays up, as IOS autostate does), but
            # nothing answers across it: the gateway is gone from its ARP table
            assert access.get_interfaces()["Vlan99"]["is_up"] is True
            assert "10.1.99.1" not in {e["ip"] for e in access.get_arp_table()}
            _configure(lab, "LAB-S2", ["interface GigabitEthernet1/1/1", " shutdown"])
            # now no up port carries VLAN 99: autostate takes the SVI down
            assert access.get_interfaces()["Vlan99"]["is_up"] is False
        finally:
            access.close()
        # shutting the core's uplink takes the router's LAN side down, and its neighbour
        _configure(lab, "LAB-S1", ["interface GigabitEthernet1/1/1", " shutdown"])
        interfaces = router.get_interfaces()
        assert interfaces["GigabitEthernet0/0/1"]["is_up"] is False
        assert interfaces["GigabitEthernet0/0/1.99"]["is_up"] is False
        assert router.get_lldp_neighbors() == {}
        _configure(lab, "LAB-S1", ["interface GigabitEthernet1/1/1", " no shutdown"])
        assert router.get_lldp_neighbors()["GigabitEthernet0/0/1"][0]["hostname"] == "LAB-S1"
    finally:
        router.close()


def test_lldp_off_and_trunk_allowed_lists(lab_factory: LabFactory) -> None:
    lab = lab_factory(specs=SPECS)
    build_office(lab)
    core = _napalm(lab, "LAB-S1")
    try:
        assert "GigabitEthernet1/1/2" in core.get_lldp_neighbors()
        _configure(lab, "LAB-S2", ["no lldp run"])
        assert "GigabitEthernet1/1/2" not in core.get_lldp_neighbors()
        # the far end drops VLAN 10 from its trunk: the link stays up, VLAN 99 still crosses it
        _configure(
            lab, "LAB-S2", ["interface GigabitEthernet1/1/1", " switchport trunk allowed vlan 99"]
        )
        vlans = core.get_vlans()
        assert "GigabitEthernet1/1/2" in vlans["10"]["interfaces"]  # the core still allows it
        macs = {
            (e["vlan"], e["interface"]) for e in core.get_mac_address_table() if not e["static"]
        }
        assert (99, "Gi1/1/2") in macs
    finally:
        core.close()
