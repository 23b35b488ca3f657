"""The factory-like config a lab device boots with, cruft included for a first push to clean up."""

from __future__ import annotations

import re

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms.base import Day0Facts

# Interface types a config creates (the others are ports of the hardware).
_VIRTUAL = re.compile(
    r"^(Loopback|Vlan|Tunnel|Port-channel|Dialer|Virtual-Template|Virtual-Access|BDI|NVI|"
    r"Null|Async)"
)


def day0_facts(text: str) -> Day0Facts:
    """Hostname, role (a switch has VLANs or switchports and nothing only routers have: NAT,
    dialer/ATM/serial interfaces, ISR port names), model (`switch 1 provision`, else a
    default of the role) and physical ports (its `interface` lines, subinterfaces aside)."""
    hostname = re.search(r"^hostname (\S+)", text, re.MULTILINE)
    ports: list[str] = []
    for m in re.finditer(r"^interface (\S+)", text, re.MULTILINE):
        name = m.group(1)
        if not _VIRTUAL.match(name) and "." not in name and name not in ports:
            ports.append(name)
    routed = re.search(
        r"^(ip nat |interface (Dialer|ATM|Serial|Cellular)|interface GigabitEthernet0/0/\d|"
        r"platform qfp|boot system flash bootflash:)",
        text,
        re.MULTILINE,
    )
    switched = re.search(r"^ switchport|^vlan \d|^spanning-tree mode", text, re.MULTILINE)
    switch = bool(switched) and not routed
    provision = re.search(r"^switch \d+ provision (\S+)", text, re.MULTILINE)
    model = provision.group(1).upper() if provision else ("C9200L-24P-4G" if switch else "ISR4331")
    return Day0Facts(
        hostname.group(1) if hostname else None,
        "switch" if switch else "router",
        model,
        tuple(ports),
    )


def day0_config(spec: LabDeviceSpec) -> str:
    """The device's own day-0 text if it has one, else a factory config for its role."""
    if spec.day0 is not None:
        return spec.day0
    lines = [
        "version 17.9",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        f"hostname {spec.hostname}",
        "boot-start-marker",
        "boot-end-marker",
        "username cisco privilege 15 secret 9 $9$lab$cisco.factory.default.credential",
    ]
    if spec.role != "router":
        lines += ["vlan 99", " name OLD-VLAN"]
    for name in spec.interfaces:
        lines.append(f"interface {name}")
        if spec.role == "router":
            lines += [" no ip address", " shutdown"]
    if spec.role != "router":
        lines += ["interface Vlan1", " no ip address", " shutdown"]
    lines += [
        "ip forward-protocol nd",
        "ip http server",
        "ip http secure-server",
        "ip ssh version 2",
        "ip scp server enable",
        "line con 0",
        " stopbits 1",
        "line vty 0 4",
        " login local",
        " transport input telnet ssh",
        "end",
    ]
    return "\n".join(lines) + "\n"
