"""A device's operational state as its config implies it: ports, addresses, VLANs, MACs.

Read from the running config tree only (never from render code). Derived once per config
change and cached; the cabling between devices (link status, neighbours, ARP and MAC tables)
is the lab core's (`nornir_config.lab.twin`).
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
from typing import TYPE_CHECKING

from hier_config import HConfigChild
from netutils.vlan import vlanconfig_to_list

from nornir_config.lab.device import port_kind, stable_mac
from nornir_config.lab.ports import ALL_VLANS, ConfigState, PortState
from nornir_config.platforms.cisco_ios.lab import filters

if TYPE_CHECKING:
    from nornir_config.platforms.cisco_ios.lab.device import LabDevice

DEFAULT_VLANS = {1: "default"}
# Present on every Catalyst (`show vlan`), never configurable.
RESERVED_VLANS = {
    1002: "fddi-default",
    1003: "token-ring-default",
    1004: "fddinet-default",
    1005: "trnet-default",
}
# What `show version`, LLDP and CDP say the device runs, per role.
SOFTWARE = {
    "router": ("ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M)", "isr4300-universalk9"),
    "switch": ("Catalyst L3 Switch Software (CAT9K_LITE_IOSXE)", "cat9k_lite_iosxe"),
}
SOFTWARE_NOTICE = (
    "Technical Support: http://www.cisco.com/techsupport",
    "Copyright (c) 1986-2023 by Cisco Systems, Inc.",
    "Compiled Fri 20-Oct-23 10:44 by mcpre",
)


def software_line(role: str) -> str:
    """The `Cisco IOS Software ...` line of `show version`, LLDP and CDP."""
    software, _ = SOFTWARE["router" if role == "router" else "switch"]
    return f"Cisco IOS Software [Cupertino], {software}, Version 17.9.4a, RELEASE SOFTWARE (fc3)"


_SPEED = {"GigabitEthernet": 1_000_000, "TenGigabitEthernet": 10_000_000}


def mac_of(seed: str, offset: int = 0) -> str:
    """A stable MAC in Cisco's dotted form, from the device name (and a port index)."""
    return stable_mac(seed, 0x00A38E, offset)


def config_state(device: LabDevice) -> ConfigState:
    """The device's config state, computed again only when its config changed."""
    return device.state()


def _kind(name: str) -> str:
    return port_kind(name, "Vlan", "Loopback", r"(Gigabit|TenGigabit|FastEthernet|TwentyFiveGig)")


def _vlan_list(text: str) -> frozenset[int]:
    if text in ("all", ""):
        return ALL_VLANS
    if text == "none":
        return frozenset()
    return frozenset(int(v) for v in vlanconfig_to_list(text))


def _port(device: LabDevice, child: HConfigChild, index: int, switch: bool) -> PortState:
    name = child.text.split(None, 1)[1]
    kind = _kind(name)
    base = name.split(".", 1)[0]
    speed = next((v for k, v in _SPEED.items() if base.startswith(k)), 1_000_000)
    port = PortState(name=name, kind=kind, index=index, switchport=switch and kind == "physical")
    port.bandwidth = speed if kind in ("physical", "subinterface", "svi") else 8_000_000
    if kind == "loopback":
        port.mtu = 1514
    port.mac = mac_of(device.spec.name, 0 if kind in ("svi", "loopback") else index + 1)
    allowed = ALL_VLANS
    for sub in child.children:
        text = sub.text
        words = text.split()
        if text.startswith("description "):
            port.description = text[len("description ") :]
        elif text == "shutdown":
            port.enabled = False
        elif text == "no switchport":
            port.switchport = False
        elif text == "switchport" and kind == "physical":
            port.switchport = True
        elif text == "switchport mode trunk":
            port.mode = "trunk"
        elif text.startswith("switchport access vlan ") and words[-1].isdigit():
            port.access_vlan = int(words[-1])
        elif text.startswith("switchport trunk native vlan ") and words[-1].isdigit():
            port.native_vlan = int(words[-1])
        elif text.startswith("switchport trunk allowed vlan "):
            rest = text[len("switchport trunk allowed vlan ") :]
            if rest.startswith("add "):
                allowed = allowed | _vlan_list(rest[4:])
            elif rest.startswith("remove "):
                allowed = allowed - _vlan_list(rest[7:])
            elif rest.startswith("except "):
                allowed = ALL_VLANS - _vlan_list(rest[7:])
            else:
                allowed = _vlan_list(rest)
        elif text.startswith("encapsulation dot1Q ") and words[2].isdigit():
            port.dot1q = int(words[2])
        elif text.startswith("ip address ") and len(words) >= 4 and words[2] != "dhcp":
            try:
                address = ipaddress.IPv4Interface(f"{words[2]}/{words[3]}")
            except ValueError:
                continue
            if "secondary" in words:
                port.ipv4.append(address)
            else:
                port.ipv4.insert(0, address)
        elif text.startswith("ipv6 address ") and "/" in words[2]:
            try:
                port.ipv6.append(ipaddress.IPv6Interface(words[2]))
            except ValueError:
                continue
        elif text.startswith("ip helper-address "):
            port.helpers.append(words[2])
        elif text.startswith("ip access-group ") and len(words) == 4:
            if words[3] == "in":
                port.acl_in = words[2]
            else:
                port.acl_out = words[2]
        elif text.startswith(("vrf forwarding ", "ip vrf forwarding ")):
            port.vrf = words[-1]
        elif text.startswith("mtu ") and words[1].isdigit():
            port.mtu = int(words[1])
        elif text.startswith("bandwidth ") and words[1].isdigit():
            port.bandwidth = int(words[1])
    port.allowed = allowed
    if not port.switchport:
        port.mode = "routed"
    return port


def _port_key(name: str) -> tuple[int, str, tuple[int, ...]]:
    kind = re.match(r"[A-Za-z-]+", name)
    kind_name = kind.group(0) if kind else name
    order = ("GigabitEthernet", "TenGigabitEthernet", "Port-channel", "Loopback", "Tunnel", "Vlan")
    rank = order.index(kind_name) if kind_name in order else len(order)
    return rank, kind_name, tuple(int(n) for n in re.findall(r"\d+", name[len(kind_name) :]))


def build_state(device: LabDevice) -> ConfigState:
    switch = device.spec.role != "router"
    children = [c for c in device.running.children if c.text.startswith("interface ")]
    children.sort(key=lambda c: _port_key(c.text.split(None, 1)[1]))
    ports: dict[str, PortState] = {}
    for index, child in enumerate(children):
        port = _port(device, child, index, switch)
        ports[port.name] = port
    vlans: dict[int, str] = dict(DEFAULT_VLANS) if switch else {}
    routes: list[tuple[ipaddress.IPv4Network, str]] = []
    gateway: ipaddress.IPv4Address | None = None
    for child in device.running.children:
        if switch and child.text.startswith("ip default-gateway "):
            with contextlib.suppress(ValueError):  # IOS uses it where the switch does not route
                gateway = ipaddress.IPv4Address(child.text.split()[2])
        m = re.fullmatch(r"vlan (\d+)", child.text)
        if m and switch:
            vid = int(m.group(1))
            name = next((c.text[5:] for c in child.children if c.text.startswith("name ")), "")
            vlans[vid] = name or f"VLAN{vid:04d}"
        m = re.match(r"ip route (\S+) (\S+) (\S+)", child.text)
        if m and not child.text.startswith("ip route vrf "):
            try:
                net = ipaddress.IPv4Network(f"{m.group(1)}/{m.group(2)}")
            except ValueError:
                continue
            routes.append((net, m.group(3)))
    if switch:
        vlans.update(RESERVED_VLANS)
    lists = filters.access_lists(device.running)
    return ConfigState(
        ports,
        dict(sorted(vlans.items())),
        routes,
        mac_of(device.spec.name),
        switch,
        gateway,
        functools.partial(filters.permits, lists),
    )
