"""`show interfaces`, `show ip interface [brief]`, `show vlan ...` as IOS-XE prints them.

Layouts follow Cisco's command references and real Catalyst 9200 / ISR 4331 captures; they are
checked against ntc-templates and NAPALM's own parsers in tests/lab/test_shows.py.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NoReturn

from netutils.interface import canonical_interface_name
from netutils.vlan import vlanlist_to_config

from nornir_config.lab.ports import ALL_VLANS, PortState
from nornir_config.lab.twin import DeviceView, view

if TYPE_CHECKING:
    from nornir_config.platforms.cisco_ios.lab.device import LabDevice


def _select(device: LabDevice, name: str | None) -> list[PortState] | None:
    ports = list(view(device).ports.values())
    if name is None:
        return ports
    wanted = str(canonical_interface_name(name))
    found = [p for p in ports if p.name.lower() == wanted.lower()]
    return found or None


def _hardware(device: LabDevice, port: PortState) -> str:
    if port.kind == "svi":
        return "Ethernet SVI"
    if port.kind == "loopback":
        return "Loopback"
    if device.spec.role == "router":
        return f"{device.spec.model}-3x1GE"
    return "Gigabit Ethernet"


def _suffix(device: LabDevice, port: PortState) -> str:
    if not port.switchport and device.spec.role == "router":
        return ""
    if port.kind != "physical":
        return ""
    if not port.enabled:
        return " (disabled)"
    return " (connected)" if port.up else " (notconnect)"


def _counters(device: LabDevice, port: PortState) -> tuple[int, int, int, int]:
    """Packets and bytes in/out: grow with uptime while the line protocol is up."""
    if not port.up:
        return 0, 0, 0, 0
    seconds = int(time.time() - device.booted) + 60
    packets_in = seconds * 3 + port.index * 7
    packets_out = seconds * 4 + port.index * 5
    return packets_in, packets_in * 92, packets_out, packets_out * 118


def interface_block(device: LabDevice, port: PortState) -> list[str]:
    protocol = "up" if port.up else "down"
    lines = [f"{port.name} is {port.status}, line protocol is {protocol}{_suffix(device, port)}"]
    hardware = _hardware(device, port)
    if port.kind == "loopback":
        lines.append(f"  Hardware is {hardware}")
    else:
        lines.append(f"  Hardware is {hardware}, address is {port.mac} (bia {port.mac})")
    if port.description:
        lines.append(f"  Description: {port.description}")
    if port.ipv4:
        lines.append(f"  Internet address is {port.ipv4[0].with_prefixlen}")
    delay = "5000 usec" if port.kind == "loopback" else "10 usec"
    lines += [
        f"  MTU {port.mtu} bytes, BW {port.bandwidth} Kbit/sec, DLY {delay}, ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
    ]
    if port.kind == "subinterface":
        lines.append(f"  Encapsulation 802.1Q Virtual LAN, Vlan ID  {port.dot1q or 1}.")
    elif port.kind == "loopback":
        lines.append("  Encapsulation LOOPBACK, loopback not set")
    else:
        lines.append("  Encapsulation ARPA, loopback not set")
    lines.append("  Keepalive set (10 sec)" if port.kind != "svi" else "  Keepalive not supported ")
    if port.kind == "physical":
        if port.up:
            router = device.spec.role == "router"
            speed = "Full Duplex, 1000Mbps" if router else "Full-duplex, 1000Mb/s"
        else:
            speed = "Auto-duplex, Auto-speed"
        media = "RJ45" if device.spec.role == "router" else "10/100/1000BaseTX"
        lines.append(f"  {speed}, link type is auto, media type is {media}")
    pin, bin_, pout, bout = _counters(device, port)
    rate_in, pps_in, rate_out, pps_out = (2000, 3, 3000, 4) if port.up else (0, 0, 0, 0)
    lines += [
        "  ARP type: ARPA, ARP Timeout 04:00:00",
        "  Last input 00:00:00, output 00:00:00, output hang never"
        if port.up
        else "  Last input never, output never, output hang never",
        '  Last clearing of "show interface" counters never',
        "  Input queue: 0/375/0/0 (size/max/drops/flushes); Total output drops: 0",
        "  Queueing strategy: fifo",
        "  Output queue: 0/40 (size/max)",
        f"  5 minute input rate {rate_in} bits/sec, {pps_in} packets/sec",
        f"  5 minute output rate {rate_out} bits/sec, {pps_out} packets/sec",
        f"     {pin} packets input, {bin_} bytes, 0 no buffer",
        f"     Received {pin // 10} broadcasts ({pin // 20} IP multicasts)",
        "     0 runts, 0 giants, 0 throttles ",
        "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
        "     0 watchdog, 0 multicast, 0 pause input",
        f"     {pout} packets output, {bout} bytes, 0 underruns",
        "     0 output errors, 0 collisions, 0 interface resets",
        "     0 unknown protocol drops",
        "     0 babbles, 0 late collision, 0 deferred",
        "     0 lost carrier, 0 no carrier, 0 pause output",
        "     0 output buffer failures, 0 output buffers swapped out",
    ]
    return lines


class Refused(Exception):
    """A show command IOS refuses at `word` (an interface it does not have): the CLI prints
    the caret under it, as IOS does."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def _invalid_interface(name: str) -> NoReturn:
    raise Refused(name)


def show_interfaces(device: LabDevice, name: str | None = None) -> str:
    ports = _select(device, name)
    if ports is None:
        return _invalid_interface(name or "")
    lines: list[str] = []
    for port in ports:
        lines += interface_block(device, port)
    return "\n".join(lines) + "\n"


def show_interfaces_description(device: LabDevice) -> str:
    lines = [f"{'Interface':<31}{'Status':<15}{'Protocol':<9}Description"]
    for port in view(device).ports.values():
        status = "admin down" if not port.enabled else ("up" if port.up else "down")
        protocol = "up" if port.up else "down"
        lines.append(f"{port.short:<31}{status:<15}{protocol:<9}{port.description}".rstrip())
    return "\n".join(lines) + "\n"


def show_interface_summary(device: LabDevice) -> str:
    """`show interfaces summary`; NAPALM reads the queue drop columns (IQD, OQD)."""
    lines = [
        " *: interface is up",
        " IHQ: pkts in input hold queue     IQD: pkts dropped from input queue",
        " OHQ: pkts in output hold queue    OQD: pkts dropped from output queue",
        " RXBS: rx rate (bits/sec)          RXPS: rx rate (pkts/sec)",
        " TXBS: tx rate (bits/sec)          TXPS: tx rate (pkts/sec)",
        " TRTL: throttle count",
        "",
        "  Interface                   IHQ       IQD       OHQ       OQD      RXBS      RXPS"
        "      TXBS      TXPS      TRTL",
        "-" * 107,
    ]
    for port in view(device).ports.values():
        mark = "*" if port.up else " "
        rates = (2000, 3, 3000, 4) if port.up else (0, 0, 0, 0)
        columns = "".join(f"{v:>10}" for v in (0, 0, 0, 0, *rates, 0))
        lines.append(f"{mark} {port.name:<26}{columns}")
    return "\n".join(lines) + "\n"


def _ip_block(port: PortState) -> list[str]:
    protocol = "up" if port.up else "down"
    lines = [f"{port.name} is {port.status}, line protocol is {protocol}"]
    if not port.ipv4:
        return [*lines, "  Internet protocol processing disabled"]
    primary = port.ipv4[0]
    lines += [
        f"  Internet address is {primary.with_prefixlen}",
        "  Broadcast address is 255.255.255.255",
        "  Address determined by non-volatile memory",
    ]
    lines += [f"  Secondary address {a.with_prefixlen}" for a in port.ipv4[1:]]
    lines.append(f"  MTU is {port.mtu} bytes")
    if not port.helpers:
        lines.append("  Helper address is not set")
    elif len(port.helpers) == 1:
        lines.append(f"  Helper address is {port.helpers[0]}")
    else:
        lines.append(f"  Helper addresses are {port.helpers[0]}")
        lines += [f"{'':23}{h}" for h in port.helpers[1:]]
    lines.append("  Directed broadcast forwarding is disabled")
    if port.vrf:
        lines.append(f'  VPN Routing/Forwarding "{port.vrf}"')
    out_acl = port.acl_out or "not set"
    in_acl = port.acl_in or "not set"
    lines += [
        "  Multicast reserved groups joined: 224.0.0.1 224.0.0.2",
        "  Outgoing Common access list is not set ",
        f"  Outgoing access list is {out_acl}",
        "  Inbound Common access list is not set ",
        f"  Inbound  access list is {in_acl}",
        "  Proxy ARP is enabled",
        "  Local Proxy ARP is disabled",
        "  Security level is default",
        "  Split horizon is enabled",
        "  ICMP redirects are always sent",
        "  ICMP unreachables are always sent",
        "  ICMP mask replies are never sent",
        "  IP fast switching is enabled",
        "  IP Flow switching is disabled",
        "  IP CEF switching is enabled",
        "  IP CEF switching turbo vector",
        "  IP Null turbo vector",
        "  Associated unicast routing topologies:",
        '        Topology "base", operation state is ' + ("UP" if port.up else "DOWN"),
        "  IP multicast fast switching is enabled",
        "  IP multicast distributed fast switching is disabled",
        "  IP route-cache flags are Fast, CEF",
        "  Router Discovery is disabled",
        "  IP output packet accounting is disabled",
        "  IP access violation accounting is disabled",
        "  TCP/IP header compression is disabled",
        "  RTP/IP header compression is disabled",
        "  Probe proxy name replies are disabled",
        "  Policy routing is disabled",
        "  Network address translation is disabled",
        "  BGP Policy Mapping is disabled",
        "  Input features: MCI Check",
        "  IPv4 WCCP Redirect outbound is disabled",
        "  IPv4 WCCP Redirect inbound is disabled",
        "  IPv4 WCCP Redirect exclude is disabled",
    ]
    return lines


def show_ip_interface(device: LabDevice, name: str | None = None) -> str:
    ports = _select(device, name)
    if ports is None:
        return _invalid_interface(name or "")
    lines: list[str] = []
    for port in ports:
        lines += _ip_block(port)
    return "\n".join(lines) + "\n"


def show_ip_interface_brief(device: LabDevice) -> str:
    lines = [f"{'Interface':<23}{'IP-Address':<16}OK? Method Status                Protocol"]
    for port in view(device).ports.values():
        address = str(port.ipv4[0].ip) if port.ipv4 else "unassigned"
        method = "NVRAM" if port.ipv4 else "unset"
        protocol = "up" if port.up else "down"
        lines.append(f"{port.name:<22} {address:<15} YES {method:<6} {port.status:<21} {protocol}")
    return "\n".join(lines) + "\n"


def show_ipv6_interface(device: LabDevice) -> str:
    lines: list[str] = []
    for port in view(device).ports.values():
        if not port.ipv6:
            continue
        protocol = "up" if port.up else "down"
        lines.append(f"{port.name} is {port.status}, line protocol is {protocol}")
        lines.append(f"  IPv6 is enabled, link-local address is {_link_local(port.mac)}")
        lines.append("  No Virtual link-local address(es):")
        lines.append("  Global unicast address(es):")
        for address in port.ipv6:
            lines.append(
                f"    {str(address.ip).upper()}, subnet is "
                f"{str(address.network.network_address).upper()}/{address.network.prefixlen}"
            )
        lines.append(f"  MTU is {port.mtu} bytes")
    return "\n".join(lines) + ("\n" if lines else "")


def _link_local(mac: str) -> str:
    digits = mac.replace(".", "")
    first = int(digits[:2], 16) ^ 0x02
    eui = f"{first:02X}{digits[2:6].upper()}FFFE{digits[6:].upper()}"
    groups = [eui[i : i + 4].lstrip("0") or "0" for i in range(0, 16, 4)]
    return "FE80::" + ":".join(groups)


# -- VLANs ----------------------------------------------------------------------------------


def _vlan_rows(state: DeviceView, trunks: bool) -> list[str]:
    lines = []
    for vid, name in state.config.vlans.items():
        status = "act/unsup" if vid >= 1002 and vid <= 1005 else "active"
        if vid >= 1002 and vid <= 1005:
            members: list[PortState] = []
        elif trunks:
            members = state.vlan_members(vid)
        else:
            members = [p for p in state.vlan_members(vid) if p.mode != "trunk"]
        shorts = [p.short for p in members]
        chunks = [", ".join(shorts[i : i + 4]) for i in range(0, len(shorts), 4)] or [""]
        lines.append(f"{vid:<4} {name:<32} {status:<9} {chunks[0]}".rstrip())
        for more in chunks[1:]:
            lines.append(f"{'':48}{more}")
    return lines


_VLAN_HEADER = [
    "",
    "VLAN Name                             Status    Ports",
    "---- -------------------------------- --------- -------------------------------",
]


def show_vlan(device: LabDevice, brief: bool = True, trunks: bool = False) -> str:
    """`show vlan brief`, `show vlan` (with the type table) and `show vlan all-ports`."""
    state = view(device)
    lines = [*_VLAN_HEADER, *_vlan_rows(state, trunks)]
    if not brief:
        lines += [
            "",
            "VLAN Type  SAID       MTU   Parent RingNo BridgeNo Stp  BrdgMode Trans1 Trans2",
            "---- ----- ---------- ----- ------ ------ -------- ---- -------- ------ ------",
        ]
        for vid in state.config.vlans:
            kind = {1002: "fddi", 1003: "tr", 1004: "fdnet", 1005: "trnet"}.get(vid, "enet")
            lines.append(
                f"{vid:<4} {kind:<5} {100000 + vid:<10} 1500  -      -      -        -    -"
                "        0      0"
            )
        lines += [
            "",
            "Remote SPAN VLANs",
            "------------------------------------------------------------------------------",
            "",
            "",
            "Primary Secondary Type              Ports",
            "------- --------- ----------------- ------------------------------------------",
        ]
    return "\n".join(lines) + "\n"


def show_vlan_id(device: LabDevice, vid: int) -> str:
    state = view(device)
    if vid not in state.config.vlans:
        return f"VLAN id {vid} not found in current VLAN database\n"
    rows = [r for r in _vlan_rows(state, False) if r.startswith(f"{vid} ")]
    return "\n".join([*_VLAN_HEADER, *rows]) + "\n"


def show_running_interface(device: LabDevice, name: str) -> str:
    """`show running-config interface X`: the interface's block from the device's own text."""
    wanted = f"interface {canonical_interface_name(name)}".lower()
    lines = device.body().splitlines()
    for i, line in enumerate(lines):
        if line.lower() == wanted:
            block = [line]
            for more in lines[i + 1 :]:
                if not more.startswith(" "):
                    break
                block.append(more)
            body = "\n".join([*block, "end"]) + "\n"
            size = len(body)
            return f"Building configuration...\n\nCurrent configuration : {size} bytes\n!\n{body}"
    raise Refused(name)


# -- switchports ----------------------------------------------------------------------------


def _vlan_text(vlans: frozenset[int]) -> str:
    if vlans == ALL_VLANS:
        return "ALL"
    if not vlans:
        return "NONE"
    return ",".join(vlanlist_to_config(sorted(vlans), min_grouping_size=3))


def show_interfaces_status(device: LabDevice) -> str:
    lines = ["", "Port         Name               Status       Vlan       Duplex  Speed Type "]
    for port in view(device).ports.values():
        if port.kind != "physical":
            continue
        status = "disabled" if not port.enabled else "connected" if port.up else "notconnect"
        if not port.switchport:
            vlan = "routed"
        else:
            vlan = "trunk" if port.mode == "trunk" else str(port.access_vlan)
        duplex, speed = ("a-full", "a-1000") if port.up else ("auto", "auto")
        lines.append(
            f"{port.short:<13}{port.description[:18]:<19}{status:<13}{vlan:<11}"
            f"{duplex:>6} {speed:>6} 10/100/1000BaseTX"
        )
    return "\n".join(lines) + "\n"


def _switchport_block(state: DeviceView, port: PortState) -> list[str]:
    names = state.config.vlans
    if not port.switchport:
        return [f"Name: {port.short}", "Switchport: Disabled", ""]
    admin = "trunk" if port.mode == "trunk" else "static access"
    operational = admin if port.up else "down"
    access = f"{port.access_vlan} ({names.get(port.access_vlan, 'Inactive')})"
    native = f"{port.native_vlan} ({names.get(port.native_vlan, 'Inactive')})"
    return [
        f"Name: {port.short}",
        "Switchport: Enabled",
        f"Administrative Mode: {admin}",
        f"Operational Mode: {operational}",
        "Administrative Trunking Encapsulation: dot1q",
        f"Operational Trunking Encapsulation: {'dot1q' if operational == 'trunk' else 'native'}",
        f"Negotiation of Trunking: {'On' if port.mode == 'trunk' else 'Off'}",
        f"Access Mode VLAN: {access}",
        f"Trunking Native Mode VLAN: {native}",
        "Administrative Native VLAN tagging: enabled",
        "Voice VLAN: none",
        "Administrative private-vlan host-association: none ",
        "Administrative private-vlan mapping: none ",
        "Administrative private-vlan trunk native VLAN: none",
        "Administrative private-vlan trunk Native VLAN tagging: enabled",
        "Administrative private-vlan trunk encapsulation: dot1q",
        "Administrative private-vlan trunk normal VLANs: none",
        "Administrative private-vlan trunk associations: none",
        "Administrative private-vlan trunk mappings: none",
        "Operational private-vlan: none",
        f"Trunking VLANs Enabled: {_vlan_text(port.allowed)}",
        "Pruning VLANs Enabled: 2-1001",
        "Capture Mode Disabled",
        "Capture VLANs Allowed: ALL",
        "",
        "Protected: false",
        "Unknown unicast blocked: disabled",
        "Unknown multicast blocked: disabled",
        "Appliance trust: none",
        "",
    ]


def show_interfaces_switchport(device: LabDevice, name: str | None = None) -> str:
    ports = _select(device, name)
    if ports is None:
        return _invalid_interface(name or "")
    state = view(device)
    lines: list[str] = []
    for port in ports:
        if port.kind == "physical":
            lines += _switchport_block(state, port)
    return "\n".join(lines) + "\n"


def show_interfaces_trunk(device: LabDevice) -> str:
    state = view(device)
    trunks = [p for p in state.ports.values() if p.switchport and p.mode == "trunk" and p.up]
    if not trunks:
        return "\n"
    active = {p.name: p.allowed & state.config.vlans.keys() for p in trunks}
    lines = ["", "Port        Mode             Encapsulation  Status        Native vlan"]
    lines += [
        f"{p.short:<12}{'on':<17}{'802.1q':<15}{'trunking':<14}{p.native_vlan}" for p in trunks
    ]
    for title, values in (
        ("Vlans allowed on trunk", {p.name: p.allowed for p in trunks}),
        ("Vlans allowed and active in management domain", active),
        ("Vlans in spanning tree forwarding state and not pruned", active),
    ):
        lines += ["", f"Port        {title}"]
        lines += [f"{p.short:<12}{_vlan_text(frozenset(values[p.name]))}" for p in trunks]
    return "\n".join(lines) + "\n"
