"""The factory-like config a lab device boots with, cruft included for a first push to clean up."""

from __future__ import annotations

from nornir_config.lab.spec import LabDeviceSpec


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
