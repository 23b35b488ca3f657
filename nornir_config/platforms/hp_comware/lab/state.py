"""A Comware device's operational state as its config implies it (the office twin cables it)."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from nornir_config.lab.ports import ALL_VLANS, ConfigState, Packet, PortState
from nornir_config.lab.rules import first_match
from nornir_config.platforms.hp_comware.lab.config import Config
from nornir_config.platforms.hp_comware.lab.grammar import PORT_NAMES, vlan_list

if TYPE_CHECKING:
    from nornir_config.platforms.hp_comware.lab.device import ComwareDevice

SPEED = {"GigabitEthernet": 1_000_000, "Ten-GigabitEthernet": 10_000_000}


def _kind(name: str) -> str:
    if name.startswith("Vlan-interface"):
        return "svi"
    if name.startswith("LoopBack"):
        return "loopback"
    if name.startswith("NULL"):
        return "other"
    return "subinterface" if "." in name else "physical"


def mac_at(base: str, offset: int) -> str:
    value = int(base.replace("-", ""), 16) + offset
    text = f"{value:012x}"
    return f"{text[0:4]}-{text[4:8]}-{text[8:12]}"


def _port(device: ComwareDevice, name: str, lines: list[str], index: int) -> PortState:
    switch = device.spec.role != "router"
    kind = _kind(name)
    port = PortState(name=name, kind=kind, index=index)
    port.switchport = switch and kind == "physical" and "port link-mode route" not in lines
    port.mac = mac_at(device.base_mac, index + 1)
    kind_name = re.match(r"[A-Za-z-]+", name)
    port.bandwidth = SPEED.get(kind_name.group(0) if kind_name else "", 1_000_000)
    port.allowed = frozenset({1})
    for line in lines:
        words = line.split()
        if line.startswith("description "):
            port.description = line[len("description ") :]
        elif line == "shutdown":
            port.enabled = False
        elif line.startswith("port link-type "):
            port.mode = "trunk" if words[2] == "trunk" else "access"
        elif line.startswith("port access vlan "):
            port.access_vlan = int(words[3])
        elif line.startswith("port trunk pvid vlan "):
            port.native_vlan = int(words[4])
        elif line.startswith("port trunk permit vlan "):
            port.allowed = port.allowed | frozenset(vlan_list(line[23:]) or [])
        elif line == "undo port trunk permit vlan 1":
            port.allowed = port.allowed - {1}
        elif line.startswith("vlan-type dot1q vid "):
            port.dot1q = int(words[3])
        elif line.startswith("ip address ") and len(words) >= 4:
            mask = words[3]
            port.ipv4 = [ipaddress.IPv4Interface(f"{words[2]}/{mask}")]
        elif line.startswith("packet-filter ") and words[-1] == "inbound":
            port.acl_in = words[-2]
        elif line.startswith("packet-filter ") and words[-1] == "outbound":
            port.acl_out = words[-2]
    if port.mode != "trunk":
        port.allowed = ALL_VLANS
    return port


def packet_filter_permits(config: Config, number: str, packet: Packet) -> bool:
    """`packet-filter N inbound|outbound` for one packet: rules in ID order (the default
    `match-order config`), the first match decides; a packet no rule matches, or one whose
    ACL does not exist, passes unless `packet-filter default deny` is set."""
    kind = "basic" if number.startswith("2") else "advanced"
    entry = config.entries.get(f"acl {kind} {number}")
    rules = (
        [line.split() for line in (entry.lines or []) if line.startswith("rule ")] if entry else []
    )
    verdict = first_match(rules, packet, PORT_NAMES)
    if verdict is None:
        return "packet-filter default deny" not in config.entries
    return verdict


def config_state(device: ComwareDevice) -> ConfigState:
    config = device.running
    ports: dict[str, PortState] = {}
    vlans: dict[int, str] = {}
    routes: list[tuple[ipaddress.IPv4Network, str]] = []
    index = 0
    for head, entry in config.entries.items():
        if head.startswith("interface "):
            name = head.split()[1]
            ports[name] = _port(device, name, entry.lines or [], index)
            index += 1
        elif head.startswith("vlan ") and head.split()[1].isdigit():
            vid = int(head.split()[1])
            name = next(
                (line[5:] for line in entry.lines or [] if line.startswith("name ")),
                f"VLAN {vid:04d}",
            )
            vlans[vid] = name
        elif head.startswith("ip route-static "):
            words = head.split()
            try:
                prefix = ipaddress.IPv4Network(f"{words[2]}/{words[3]}", strict=False)
            except ValueError:
                continue
            routes.append((prefix, words[4]))
    return ConfigState(
        ports,
        vlans,
        routes,
        device.base_mac,
        device.spec.role != "router",
        permits=lambda number, packet: packet_filter_permits(config, number, packet),
    )
