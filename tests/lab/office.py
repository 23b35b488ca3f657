"""The `office` fixture: a small cabled office (a router, a core and an access switch).

Test modules import `office_fixture` to use it.

LAB-R1 Gi0/0/1 (dot1Q 10 and 99 sub-interfaces) -- LAB-S1 Gi1/1/1 (trunk 10,99)
LAB-S1 Gi1/1/2 (trunk 10,99) -- LAB-S2 Gi1/1/1 (trunk 10,99)
The configs are the test's own, written as an engineer would type them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import RunningLab, start_lab, stop_lab

SPECS = [
    LabDeviceSpec(
        "LAB-R1",
        "LAB-R1",
        "ISR4331",
        "router",
        links=(("GigabitEthernet0/0/1", "LAB-S1", "GigabitEthernet1/1/1"),),
    ),
    LabDeviceSpec(
        "LAB-S1",
        "LAB-S1",
        "C9200L-24P-4G",
        "switch",
        links=(("GigabitEthernet1/1/2", "LAB-S2", "GigabitEthernet1/1/1"),),
    ),
    LabDeviceSpec("LAB-S2", "LAB-S2", "C9200L-24P-4G", "switch"),
]

ROUTER = [
    "ip domain name office.example",
    "lldp run",
    "snmp-server community OfficeRO RO 10",
    "snmp-server location Commune hall, rack 1",
    "snmp-server contact NOC team",
    "ntp server 192.0.2.10",
    "ntp server 192.0.2.11",
    "interface GigabitEthernet0/0/0",
    " description WAN to provider",
    " ip address 203.0.113.2 255.255.255.252",
    " no shutdown",
    "interface GigabitEthernet0/0/1",
    " description LAN trunk",
    " no ip address",
    " no shutdown",
    "interface GigabitEthernet0/0/1.10",
    " description DATA gateway",
    " encapsulation dot1Q 10",
    " ip address 10.1.10.1 255.255.255.0",
    " ipv6 address 2001:DB8:10::1/64",
    "interface GigabitEthernet0/0/1.99",
    " encapsulation dot1Q 99",
    " ip address 10.1.99.1 255.255.255.0",
    "vrf definition OOB",
    " rd 65000:9",
    " address-family ipv4",
    "interface GigabitEthernet0/0/3",
    " vrf forwarding OOB",
    "interface Loopback0",
    " ip address 10.255.0.1 255.255.255.255",
    "ip route 10.50.0.0 255.255.0.0 10.1.99.2",
]

CORE = [
    "lldp run",
    "snmp-server chassis-id CORE-CHASSIS-7",
    "vlan 10",
    " name DATA",
    "vlan 99",
    " name MGMT",
    "interface GigabitEthernet1/1/1",
    " description UPLINK LAB-R1",
    " switchport mode trunk",
    " switchport trunk allowed vlan 10,99",
    "interface GigabitEthernet1/1/2",
    " description DOWNLINK LAB-S2",
    " switchport mode trunk",
    " switchport trunk allowed vlan 10,99",
    "interface GigabitEthernet1/0/1",
    " switchport access vlan 10",
    "interface GigabitEthernet1/0/2",
    " switchport access vlan 10",
    "interface GigabitEthernet1/0/24",
    " shutdown",
    "interface Vlan99",
    " description management",
    " ip address 10.1.99.2 255.255.255.0",
    " no shutdown",
    "ip default-gateway 10.1.99.1",
]

ACCESS = [
    "lldp run",
    "vlan 10",
    " name DATA",
    "vlan 99",
    " name MGMT",
    "interface GigabitEthernet1/1/1",
    " switchport mode trunk",
    " switchport trunk allowed vlan 10,99",
    "interface Vlan99",
    " ip address 10.1.99.3 255.255.255.0",
    " no shutdown",
]


def build_office(lab: RunningLab) -> None:
    """Type each device's config over the lab's own SSH (Netmiko), as an engineer would."""
    from netmiko import ConnectHandler

    for name, lines in (("LAB-R1", ROUTER), ("LAB-S1", CORE), ("LAB-S2", ACCESS)):
        with ConnectHandler(**lab.netmiko_params(name)) as conn:
            conn.enable()
            output = conn.send_config_set(lines)
            assert "Invalid" not in output, output


@pytest.fixture(scope="module", name="office")
def office_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLab]:
    """The cabled office, configured once per test module (configs are not changed by tests)."""
    running = start_lab(SPECS, tmp_path_factory.mktemp("office"))
    try:
        build_office(running)
        yield running
    finally:
        stop_lab(running)
