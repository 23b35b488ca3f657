"""Outputs of the `show` commands NAPALM and engineers read, built from the device's state."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from hier_config import HConfig, HConfigChild

if TYPE_CHECKING:
    from nornir_config.lab.device import LabDevice

SOFTWARE = {
    "router": ("ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M)", "isr4300-universalk9"),
    "switch": ("Catalyst L3 Switch Software (CAT9K_LITE_IOSXE)", "cat9k_lite_iosxe"),
}


def _uptime(seconds: float) -> str:
    minutes = int(seconds // 60)
    parts = []
    for unit, size in (("week", 10080), ("day", 1440), ("hour", 60), ("minute", 1)):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return ", ".join(parts) or "0 minutes"


def show_version(device: LabDevice) -> str:
    role = "router" if device.spec.role == "router" else "switch"
    software, image = SOFTWARE[role]
    model = device.spec.model
    ports = sum(1 for n in device.spec.interfaces if n.startswith("GigabitEthernet"))
    cpu = (
        f"cisco {model}/K9 (1RU) processor"
        if role == "router"
        else f"cisco {model} (ARM64) processor"
    )
    return "\n".join(
        [
            "Cisco IOS XE Software, Version 17.09.04a",
            f"Cisco IOS Software [Cupertino], {software}, Version 17.9.4a, RELEASE SOFTWARE (fc3)",
            "Technical Support: http://www.cisco.com/techsupport",
            "Copyright (c) 1986-2023 by Cisco Systems, Inc.",
            "Compiled Fri 20-Oct-23 10:44 by mcpre",
            "",
            "ROM: IOS-XE ROMMON",
            "",
            f"{device.hostname} uptime is {_uptime(time.time() - device.booted)}",
            "System returned to ROM by PowerOn",
            f'System image file is "flash:{image}.17.09.04a.SPA.bin"',
            "Last reload reason: PowerOn",
            "",
            f"{cpu} with 1795999K/6147K bytes of memory.",
            f"Processor board ID {device.serial}",
            f"{ports} Gigabit Ethernet interfaces",
            "32768K bytes of non-volatile configuration memory.",
            "4194304K bytes of physical memory.",
            "3207167K bytes of flash memory at flash:.",
            "",
            "Configuration register is 0x2102",
            "",
        ]
    )


def show_hosts(device: LabDevice) -> str:
    domain = "not set"
    servers = ""
    for child in device.running.children:
        m = re.match(r"ip domain[ -]name (\S+)", child.text)
        if m:
            domain = m.group(1)
        if child.text.startswith("ip name-server "):
            servers = " ".join(child.text.split()[2:])
    lines = [f"Default domain is {domain}", "Name/address lookup uses domain service"]
    lines.append(f"Name servers are {servers or '255.255.255.255'}")
    lines += ["", "Codes: u - unknown, e - expired, * - OK, ? - revalidate", ""]
    return "\n".join(lines) + "\n"


def _interfaces(device: LabDevice) -> list[HConfigChild]:
    found = [c for c in device.running.children if c.text.startswith("interface ")]
    return sorted(found, key=lambda c: _port_key(c.text.split(None, 1)[1]))


def _port_key(name: str) -> tuple[int, str, tuple[int, ...]]:
    kind = re.match(r"[A-Za-z-]+", name)
    kind_name = kind.group(0) if kind else name
    order = ("GigabitEthernet", "TenGigabitEthernet", "Port-channel", "Loopback", "Tunnel", "Vlan")
    rank = order.index(kind_name) if kind_name in order else len(order)
    return rank, kind_name, tuple(int(n) for n in re.findall(r"\d+", name[len(kind_name) :]))


def show_ip_interface_brief(device: LabDevice) -> str:
    lines = [f"{'Interface':<23}{'IP-Address':<16}OK? Method Status                Protocol"]
    for child in _interfaces(device):
        name = child.text.split(None, 1)[1]
        address = "unassigned"
        for sub in child.children:
            m = re.match(r"ip address (\S+) \S+$", sub.text)
            if m:
                address = m.group(1)
        method = "NVRAM" if address != "unassigned" else "unset"
        down = child.get_child(equals="shutdown") is not None
        status = "administratively down" if down else "up"
        protocol = "down" if down else "up"
        lines.append(f"{name:<23}{address:<16}YES {method:<7}{status:<22}{protocol}")
    return "\n".join(lines) + "\n"


def show_vlan(device: LabDevice) -> str:
    names = {1: "default"}
    for child in device.running.children:
        m = re.fullmatch(r"vlan (\d+)", child.text)
        if m:
            vid = int(m.group(1))
            name = next((c.text[5:] for c in child.children if c.text.startswith("name ")), None)
            names[vid] = name or f"VLAN{vid:04d}"
    ports: dict[int, list[str]] = {vid: [] for vid in names}
    for child in _interfaces(device):
        name = child.text.split(None, 1)[1]
        if not name.startswith("GigabitEthernet"):
            continue
        trunk = child.get_child(equals="switchport mode trunk") is not None
        if trunk:
            continue
        access = child.get_child(startswith="switchport access vlan ")
        vid = int(access.text.split()[-1]) if access else 1
        short = name.replace("GigabitEthernet", "Gi")
        ports.setdefault(vid, []).append(short)
    lines = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
    ]
    for vid in sorted(names):
        members = ", ".join(ports.get(vid, []))
        lines.append(f"{vid:<4} {names[vid]:<32} {'active':<9} {members}".rstrip())
    return "\n".join(lines) + "\n"


def _subtree(child: HConfigChild, depth: int, sign: str, out: list[str]) -> None:
    text = child.text
    out.append(" " * depth + sign + text)
    for grandchild in child.children:
        _subtree(grandchild, depth + 1, sign, out)


def _diff(old: HConfig | HConfigChild, new: HConfig | HConfigChild, depth: int) -> list[str]:
    out: list[str] = []
    for child in new.children:
        before = old.get_child(equals=child.text)
        if before is None:
            _subtree(child, depth, "+", out)
        elif child.children or before.children:
            inner = _diff(before, child, depth + 1)
            if inner:
                out.append(" " * depth + child.text)
                out.extend(inner)
    for child in old.children:
        if new.get_child(equals=child.text) is None:
            _subtree(child, depth, "-", out)
    return out


def diff_configs(old: HConfig, new: HConfig) -> str:
    """`show archive config differences`: contextual +/- lines, or no changes."""
    lines = _diff(old, new, 0)
    if not lines:
        return "!Contextual Config Diffs:\n!No changes were found\n"
    return "!Contextual Config Diffs:\n" + "\n".join(lines) + "\n"


def _missing(
    running: HConfig | HConfigChild, change: HConfig | HConfigChild, depth: int
) -> list[str]:
    out: list[str] = []
    for child in change.children:
        present = running.get_child(equals=child.text)
        if present is None:
            _subtree(child, depth, "", out)
        elif child.children:
            inner = _missing(present, child, depth + 1)
            if inner:
                out.append(" " * depth + child.text)
                out.extend(inner)
    return out


def incremental_diffs(running: HConfig, change: HConfig) -> str:
    """`show archive config incremental-diffs`: the lines of a merge file not yet running."""
    lines = _missing(running, change, 0)
    if not lines:
        return "!List of Commands:\nend\n!No changes were found\n"
    return "!List of Commands:\n" + "\n".join(lines) + "\nend\n"
