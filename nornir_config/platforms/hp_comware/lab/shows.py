"""`display` commands as Comware 7 prints them, from the device's config and the office twin.

Output shapes follow Comware 7 (MSR and S5130 releases) closely enough that NAPALM's
`h3c_comware` TextFSM templates read the right values.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from nornir_config.lab.twin import DeviceView, view

if TYPE_CHECKING:
    from nornir_config.platforms.hp_comware.lab.device import ComwareDevice

MODELS = {"router": "MSR2630", "switch": "S5130S-28S-EI"}
ABBREVIATIONS = (
    ("Ten-GigabitEthernet", "XGE"),
    ("GigabitEthernet", "GE"),
    ("Vlan-interface", "Vlan"),
)


def short(name: str) -> str:
    for full, abbreviation in ABBREVIATIONS:
        if name.startswith(full):
            return abbreviation + name[len(full) :]
    return name


def _uptime(device: ComwareDevice) -> str:
    seconds = int(time.time() - device.booted)
    weeks, rest = divmod(seconds, 7 * 86400)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{weeks} weeks, {days} days, {hours} hours, {rest // 60} minutes"


def version(device: ComwareDevice) -> str:
    from nornir_config.platforms.hp_comware.lab.device import VERSION

    model = device.spec.model or MODELS[device.spec.role]
    return (
        f"H3C Comware Software, Version {VERSION}, {device.release}\n"
        "Copyright (c) 2004-2024 New H3C Technologies Co., Ltd. All rights reserved.\n"
        f"H3C {model} uptime is {_uptime(device)}\n"
        "Last reboot reason : Cold reboot\n"
        "\n"
        "Boot image: flash:/boot.bin\n"
        f"Boot image version: {VERSION}, {device.release}\n"
        f"System image: flash:/system.bin\n"
        f"System image version: {VERSION}, {device.release}\n"
    )


def _state_words(device: ComwareDevice, state: DeviceView, name: str) -> tuple[str, str]:
    port = state.ports[name]
    if not port.enabled:
        return "Administratively DOWN", "DOWN"
    if port.kind in ("loopback", "other"):
        return "UP", "UP (spoofing)" if port.kind == "other" else "UP"
    return ("UP", "UP") if port.up else ("DOWN", "DOWN")


def interfaces(device: ComwareDevice, only: str | None = None) -> str:
    state = view(device)
    blocks: list[str] = []
    for name, port in state.ports.items():
        if only is not None and name != only:
            continue
        current, protocol = _state_words(device, state, name)
        lines = [
            name,
            f"Current state: {current}",
            f"Line protocol state: {protocol}",
            f"IP packet frame type: Ethernet II, hardware address: {port.mac}",
            f"Description: {port.description or name + ' Interface'}",
            f"Bandwidth: {port.bandwidth} kbps",
            f"Maximum transmission unit: {port.mtu}",
        ]
        if port.ipv4:
            lines.append(f"Internet address: {port.ipv4[0].with_prefixlen} (primary)")
        if port.kind == "physical":
            lines.append("Media type is twisted pair, port hardware type is 1000_BASE_T")
            if port.switchport:
                lines.append(
                    f"PVID: {port.native_vlan if port.mode == 'trunk' else port.access_vlan}"
                )
                lines.append(f"Port link-type: {port.mode}")
        lines.append(
            "Last link flapping: Never"
            if not port.up
            else "Last link flapping: 0 hours 5 minutes 0 seconds"
        )
        lines.append("Last clearing of counters: Never")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def ip_interfaces(device: ComwareDevice) -> str:
    state = view(device)
    blocks = []
    for name, port in state.ports.items():
        if not port.ipv4:
            continue
        current, protocol = _state_words(device, state, name)
        address = port.ipv4[0]
        blocks.append(
            "\n".join(
                [
                    f"{name} current state: {current}",
                    f"Line protocol current state: {protocol}",
                    f"Internet Address is {address.with_prefixlen} Primary",
                    f"Broadcast address: {address.network.broadcast_address}",
                    "The Maximum Transmission Unit: 1500 bytes",
                ]
            )
        )
    return "\n".join(blocks) + "\n"


def ip_interface_brief(device: ComwareDevice) -> str:
    state = view(device)
    lines = [
        "*down: administratively down",
        "(s): spoofing  (l): loopback",
        "Interface                Physical Protocol IP address      VPN instance Description",
    ]
    for name, port in state.ports.items():
        if not port.ipv4:
            continue
        current, protocol = _state_words(device, state, name)
        phys = "*down" if current.startswith("Admin") else current.lower()
        lines.append(
            f"{short(name):<25}{phys:<9}{protocol.split()[0].lower():<9}"
            f"{port.ipv4[0].ip!s:<16}{'--':<13}{port.description[:16]}"
        )
    return "\n".join(lines) + "\n"


def vlans(device: ComwareDevice, which: str = "all") -> str | None:
    state = view(device)
    chosen = sorted(state.config.vlans) if which == "all" else [int(which)]
    blocks = []
    for vid in chosen:
        if vid not in state.config.vlans:
            return f" Error: The VLAN {vid} does not exist.\n"
        name = state.config.vlans[vid]
        svi = state.ports.get(f"Vlan-interface{vid}")
        lines = [f" VLAN ID: {vid}", " VLAN type: Static"]
        if svi is not None and svi.ipv4:
            lines += [
                " Route interface: Configured",
                f" IPv4 address: {svi.ipv4[0].ip}",
                f" IPv4 subnet mask: {svi.ipv4[0].netmask}",
            ]
        else:
            lines.append(" Route interface: Not configured")
        lines += [f" Description: VLAN {vid:04d}", f" Name: {name}"]
        tagged, untagged = [], []
        for port in state.ports.values():
            if not port.switchport:
                continue
            if port.mode == "trunk":
                if vid in port.allowed and vid != port.native_vlan:
                    tagged.append(port.name)
                elif vid == port.native_vlan and vid in port.allowed:
                    untagged.append(port.name)
            elif port.access_vlan == vid:
                untagged.append(port.name)
        for title, members in ((" Tagged ports:", tagged), (" Untagged ports:", untagged)):
            if not members:
                lines.append(f"{title}   None")
                continue
            lines.append(title)
            for i in range(0, len(members), 2):
                pair = members[i : i + 2]
                lines.append("    " + "".join(f"{m:<28}" for m in pair))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def lldp_verbose(device: ComwareDevice) -> str:
    state = view(device)
    if not device.discovery():
        return "The LLDP service is not running.\n"
    blocks = []
    ports = list(state.ports)
    for neighbor in state.lldp:
        index = ports.index(neighbor.local_port) + 1 if neighbor.local_port in ports else 1
        caps = "Bridge,Router" if neighbor.router else "Bridge"
        enabled = "Router" if neighbor.router else "Bridge"
        software = neighbor.software
        blocks.append(
            "\n".join(
                [
                    f"LLDP neighbor-information of port {index}[{neighbor.local_port}]:",
                    "LLDP agent nearest-bridge:",
                    " LLDP neighbor index : 1",
                    " Update time         : 0 days, 0 hours, 1 minutes, 5 seconds",
                    " Chassis type        : MAC address",
                    f" Chassis ID          : {_dashed(neighbor.mac)}",
                    " Port ID type        : Interface name",
                    f" Port ID             : {neighbor.port}",
                    " Time to live        : 121",
                    f" Port description    : {neighbor.port_description or neighbor.port}",
                    f" System name         : {neighbor.name}",
                    f" System description  : {software}",
                    f"                       {neighbor.model}",
                    f" System capabilities supported : {caps}",
                    f" System capabilities enabled   : {enabled}",
                ]
            )
        )
    return "\n\n".join(blocks) + "\n"


def _dashed(mac: str) -> str:
    digits = mac.replace(".", "").replace("-", "").replace(":", "").lower()
    return f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}"


def arp(device: ComwareDevice) -> str:
    state = view(device)
    lines = [
        "  Type: S-Static   D-Dynamic   O-Openflow   R-Rule   M-Multiport  I-Invalid",
        "IP address      MAC address    VLAN/VSI name Interface                Aging Type",
    ]
    for entry in state.arp:
        if entry.own:
            continue
        port = state.ports.get(entry.interface)
        vlan = str(port.dot1q) if port and port.dot1q else "N/A"
        if entry.interface.startswith("Vlan-interface"):
            vlan = entry.interface[len("Vlan-interface") :]
        lines.append(
            f"{entry.address:<16}{_dashed(entry.mac):<15}{vlan:<14}{short(entry.interface):<25}"
            f"{'1200':<6}D"
        )
    return "\n".join(lines) + "\n"


def mac_table(device: ComwareDevice) -> str:
    state = view(device)
    lines = ["MAC Address    VLAN ID  State            Port/Nickname            Aging"]
    full = {port.short: name for name, port in state.ports.items()}
    for entry in state.macs:
        port = short(full.get(entry.port, entry.port))
        lines.append(f"{_dashed(entry.mac):<15}{entry.vlan:<9}{'Learned':<17}{port:<25}Y")
    return "\n".join(lines) + "\n"


def mac_move(_device: ComwareDevice) -> str:
    return (
        "MAC address    VLAN Current port Source port  Last time           Times\n"
        "\n--- 0 MAC address moving records found ---\n"
    )


def manuinfo(device: ComwareDevice) -> str:
    model = device.spec.model or MODELS[device.spec.role]
    return (
        "Slot 1 CPU 0:\n"
        f"DEVICE_NAME          : {model}\n"
        f"DEVICE_SERIAL_NUMBER : {device.serial}\n"
        f"MAC_ADDRESS          : {device.base_mac.upper()}\n"
        "MANUFACTURING_DATE   : 2024-03-18\n"
        "VENDOR_NAME          : H3C\n"
    )


def cpu(_device: ComwareDevice) -> str:
    return (
        "Slot CPU        Last 5 sec        Last 1 min        Last 5 min\n"
        "1    0          4%                3%                3%\n"
    )


def memory(_device: ComwareDevice) -> str:
    return (
        "Memory statistics are measured in KB:\n"
        "Slot 1:\n"
        "             Total      Used      Free    Shared   Buffers    Cached   FreeRatio\n"
        "Mem:       1003072    565004    438068         0      1188    213900       43.7%\n"
        "Swap:            0         0         0\n"
    )


def power(_device: ComwareDevice) -> str:
    return (
        " Slot 1:\n"
        " PowerID State    Mode   Current(A)  Voltage(V)  Power(W)\n"
        " 1       Normal   AC     1.20        12.00       14.40\n"
    )


def fans(_device: ComwareDevice) -> str:
    return " Slot 1:\n Fan 1:\n State    : Normal\n Fan 2:\n State    : Normal\n"


def environment(_device: ComwareDevice) -> str:
    return (
        " System temperature information (degree centigrade):\n"
        " ----------------------------------------------------------------------\n"
        " Slot  Sensor        Temperature  Lower  Warning  Alarm  Shutdown\n"
        " 1     hotspot 1     41           0      80       90     NA\n"
    )


def clock(device: ComwareDevice) -> str:
    return time.strftime("%H:%M:%S.000 UTC %a %m/%d/%Y\n", time.gmtime())


Show = Callable[["ComwareDevice", list[str]], "str | None"]

COMMANDS: tuple[tuple[tuple[str, ...], Show], ...] = (
    (("current-configuration",), lambda d, a: d.text() if not a else None),
    (
        ("saved-configuration",),
        lambda d, a: d.saved or "The saved configuration file doesn't exist.\n",
    ),
    (("version",), lambda d, a: version(d)),
    (("interface", "brief"), lambda d, a: ip_interface_brief(d) if not a else None),
    (("interface",), lambda d, a: interfaces(d, _iface(d, a)) if not a or _iface(d, a) else None),
    (("ip", "interface", "brief"), lambda d, a: ip_interface_brief(d)),
    (("ip", "interface"), lambda d, a: ip_interfaces(d) if not a else None),
    (("vlan", "all"), lambda d, a: vlans(d)),
    (("vlan",), lambda d, a: vlans(d, a[0]) if len(a) == 1 and a[0].isdigit() else None),
    (("lldp", "neighbor-information", "verbose"), lambda d, a: lldp_verbose(d)),
    (("arp",), lambda d, a: arp(d) if not a else None),
    (("mac-address", "mac-move"), lambda d, a: mac_move(d)),
    (("mac-address",), lambda d, a: mac_table(d) if not a else None),
    (("device", "manuinfo"), lambda d, a: manuinfo(d)),
    (("cpu-usage", "summary"), lambda d, a: cpu(d)),
    (("memory",), lambda d, a: memory(d)),
    (("power",), lambda d, a: power(d)),
    (("fan",), lambda d, a: fans(d)),
    (("environment",), lambda d, a: environment(d)),
    (("clock",), lambda d, a: clock(d)),
)


def _iface(device: ComwareDevice, args: list[str]) -> str | None:
    from nornir_config.platforms.hp_comware.lab.grammar import canonical_interface

    name = canonical_interface("".join(args), device.spec.interfaces) if args else None
    return name if name and name in view(device).ports else None


def _takes(keywords: tuple[str, ...], words: list[str]) -> list[str] | None:
    if len(words) < len(keywords):
        return None
    for keyword, word in zip(keywords, words, strict=False):
        if not keyword.startswith(word.lower()) or len(word) < min(2, len(keyword)):
            return None
    return words[len(keywords) :]


def display(device: ComwareDevice, words: list[str]) -> str | None:
    """The output of `display <words>`, or None when Comware has no such command."""
    for keywords, show in COMMANDS:
        rest = _takes(keywords, words)
        if rest is not None:
            out = show(device, rest)
            if out is not None:
                return out
    return None


__all__ = ["display", "ipaddress"]
