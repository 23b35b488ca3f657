"""Show commands about the device and its neighbours: ARP, MAC, LLDP/CDP, routes, hardware.

Layouts follow Cisco IOS-XE 17.9 command references and real ISR 4331 / Catalyst 9200
captures; tests/lab/test_shows.py checks them with ntc-templates and NAPALM's parsers.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from netutils.interface import abbreviated_interface_name

from nornir_config.lab.twin import Neighbor, view
from nornir_config.platforms.cisco_ios.lab.show_ports import Refused
from nornir_config.platforms.cisco_ios.lab.state import SOFTWARE_NOTICE, config_state

if TYPE_CHECKING:
    from nornir_config.platforms.cisco_ios.lab.device import LabDevice


def _cdp_name(name: str) -> str:
    """CDP's `Gig 1/0/1` form of an interface name."""
    m = re.match(r"([A-Za-z]+)(.*)", name)
    if not m:
        return name
    return f"{m.group(1)[:3]} {m.group(2)}"


def show_arp(device: LabDevice) -> str:
    lines = ["Protocol  Address          Age (min)  Hardware Addr   Type   Interface"]
    for entry in view(device).arp:
        age = "-" if entry.own else "0"
        lines.append(
            f"Internet  {entry.address:<16}{age:>6}   {entry.mac}  ARPA   {entry.interface}"
        )
    return "\n".join(lines) + "\n"


_STATIC_MACS = ("0100.0ccc.cccc", "0100.0ccc.cccd", "0180.c200.0000", "0180.c200.0002")


def show_mac_address_table(device: LabDevice) -> str:
    state = view(device)
    if not state.config.switch:
        raise Refused("mac")
    rows = [f" All    {mac}    STATIC      CPU" for mac in _STATIC_MACS]
    for port in state.ports.values():
        if port.kind == "svi" and port.enabled:
            rows.append(f"{port.name[4:]:>4}    {port.mac}    STATIC      Vl{port.name[4:]}")
    for entry in sorted(state.macs, key=lambda e: (e.vlan, e.mac)):
        rows.append(f"{entry.vlan:>4}    {entry.mac}    DYNAMIC     {entry.port}")
    lines = [
        "          Mac Address Table",
        "-------------------------------------------",
        "",
        "Vlan    Mac Address       Type        Ports",
        "----    -----------       --------    -----",
        *rows,
        f"Total Mac Addresses for this criterion: {len(rows)}",
    ]
    return "\n".join(lines) + "\n"


# -- LLDP / CDP -------------------------------------------------------------------------------


def _capabilities(n: Neighbor) -> tuple[str, str]:
    return ("B,R", "R") if n.router else ("B,R", "B")


def show_lldp_neighbors(device: LabDevice, detail: bool = False) -> str:
    if not device.has("lldp run"):
        return "% LLDP is not enabled\n"
    neighbors = view(device).lldp
    if detail:
        return _lldp_detail(neighbors)
    lines = [
        "Capability codes:",
        "    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device",
        "    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other",
        "",
        "Device ID           Local Intf     Hold-time  Capability      Port ID",
    ]
    for n in neighbors:
        local = abbreviated_interface_name(n.local_port)
        remote = abbreviated_interface_name(n.port)
        lines.append(f"{n.name[:20]:<20}{local:<15}{120:<11}{_capabilities(n)[1]:<16}{remote}")
    lines += ["", f"Total entries displayed: {len(neighbors)}"]
    return "\n".join(lines) + "\n"


def show_lldp_status(device: LabDevice) -> str:
    if not device.has("lldp run"):
        return "% LLDP is not enabled\n"
    return (
        "\nGlobal LLDP Information:\n"
        "    Status: ACTIVE\n"
        "    LLDP advertisements are sent every 30 seconds\n"
        "    LLDP hold time advertised is 120 seconds\n"
        "    LLDP interface reinitialisation delay is 2 seconds\n"
    )


def show_cdp_status(device: LabDevice) -> str:
    if device.has("no cdp run"):
        return "% CDP is not enabled\n"
    return (
        "Global CDP information:\n"
        "\tSending CDP packets every 60 seconds\n"
        "\tSending a holdtime value of 180 seconds\n"
        "\tSending CDPv2 advertisements is  enabled\n"
    )


def _lldp_detail(neighbors: list[Neighbor]) -> str:
    lines: list[str] = []
    for n in neighbors:
        system, enabled = _capabilities(n)
        lines += [
            "------------------------------------------------",
            f"Local Intf: {abbreviated_interface_name(n.local_port)}",
            f"Chassis id: {n.mac}",
            f"Port id: {abbreviated_interface_name(n.port)}",
            f"Port Description: {n.port_description or n.port}",
            f"System Name: {n.name}",
            "",
            "System Description: ",
            n.software,
            *SOFTWARE_NOTICE,
            "",
            "Time remaining: 109 seconds",
            f"System Capabilities: {system}",
            f"Enabled Capabilities: {enabled}",
            "Management Addresses:",
        ]
        if n.address:
            lines.append(f"    IP: {n.address}")
        else:
            lines.append("    - not advertised")
        lines += [
            "Auto Negotiation - supported, enabled",
            "Physical media capabilities:",
            "    1000baseT(FD)",
            "    100base-TX(FD)",
            "Media Attachment Unit type: 30",
            "Vlan ID: - not advertised",
            "",
        ]
    lines += ["", f"Total entries displayed: {len(neighbors)}"]
    return "\n".join(lines) + "\n"


def show_cdp_neighbors(device: LabDevice, detail: bool = False) -> str:
    if device.has("no cdp run"):
        return "% CDP is not enabled\n"
    neighbors = view(device).cdp
    if detail:
        return _cdp_detail(neighbors)
    lines = [
        "Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge",
        "                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone, ",
        "                  D - Remote, C - CVTA, M - Two-port Mac Relay ",
        "",
        "Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID",
    ]
    for n in neighbors:
        caps = "R B S I" if n.router else "S I"
        platform = (f"{n.model}/K9" if n.router else n.model)[:9]
        if len(n.name) > 16:
            lines.append(n.name)
            lines.append(
                f"{'':17}{_cdp_name(n.local_port):<18}{157:<11}{caps:>10} {platform:<9} "
                f"{_cdp_name(n.port)}"
            )
        else:
            lines.append(
                f"{n.name:<17}{_cdp_name(n.local_port):<18}{157:<11}{caps:>10} {platform:<9} "
                f"{_cdp_name(n.port)}"
            )
    lines += ["", f"Total cdp entries displayed : {len(neighbors)}"]
    return "\n".join(lines) + "\n"


def _cdp_detail(neighbors: list[Neighbor]) -> str:
    lines: list[str] = []
    for n in neighbors:
        caps = "Router Source-Route-Bridge Switch IGMP" if n.router else "Switch IGMP"
        platform = f"{n.model}/K9" if n.router else n.model
        address = [f"  IP address: {n.address}"] if n.address else []
        lines += [
            "-------------------------",
            f"Device ID: {n.name}",
            "Entry address(es): ",
            *address,
            f"Platform: cisco {platform},  Capabilities: {caps} ",
            f"Interface: {n.local_port},  Port ID (outgoing port): {n.port}",
            "Holdtime : 157 sec",
            "",
            "Version :",
            n.software,
            *SOFTWARE_NOTICE,
            "",
            "advertisement version: 2",
            "Duplex: full",
            "Management address(es): ",
            *address,
            "",
        ]
    lines += ["", f"Total cdp entries displayed : {len(neighbors)}"]
    return "\n".join(lines) + "\n"


# -- routing ---------------------------------------------------------------------------------

_ROUTE_CODES = """Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2, m - OMP
       n - NAT, Ni - NAT inside, No - NAT outside, Nd - NAT DIA
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       H - NHRP, G - NHRP registered, g - NHRP registration summary
       o - ODR, P - periodic downloaded static route, l - LISP
       a - application route
       + - replicated route, % - next hop override, p - overrides from PfR
       & - replicated local route overrides by connected
"""


def routes(device: LabDevice) -> list[tuple[str, ipaddress.IPv4Network, str]]:
    """(code, prefix, rest of the line) for the global table: connected, local, static."""
    state = view(device)
    found: list[tuple[str, ipaddress.IPv4Network, str]] = []
    connected: list[ipaddress.IPv4Network] = []
    for port in state.ports.values():
        if not port.up or port.switchport or port.vrf:
            continue
        for address in port.ipv4:
            connected.append(address.network)
            found.append(("C", address.network, f"is directly connected, {port.name}"))
            if address.network.prefixlen < 32:
                host = ipaddress.IPv4Network(f"{address.ip}/32")
                found.append(("L", host, f"is directly connected, {port.name}"))
    for prefix, hop in state.config.routes:
        try:
            gateway = ipaddress.IPv4Address(hop)
        except ValueError:
            if hop in state.ports and state.ports[hop].up:
                found.append(("S", prefix, f"is directly connected, {hop}"))
            continue
        if any(gateway in net for net in connected):
            code = "S*" if prefix.prefixlen == 0 else "S"
            found.append((code, prefix, f"[1/0] via {gateway}"))
    return found


def show_ip_route(device: LabDevice) -> str:
    routing = device.spec.role == "router" or device.has("ip routing")
    if not routing:
        gateway = next(
            (
                c.text.split()[-1]
                for c in device.running.children
                if c.text.startswith("ip default-gateway ")
            ),
            "",
        )
        head = f"Default gateway is {gateway}" if gateway else "Default gateway is not set"
        return (
            f"{head}\n\nHost               Gateway           Last Use    Total Uses  Interface\n"
            "ICMP redirect cache is empty\n"
        )
    table = routes(device)
    default = next((r for r in table if r[1].prefixlen == 0 and r[0].startswith("S")), None)
    lines = [_ROUTE_CODES]
    if default:
        via = default[2].split()[-1] if " via " in default[2] else "0.0.0.0"
        lines.append(f"Gateway of last resort is {via} to network 0.0.0.0\n")
    else:
        lines.append("Gateway of last resort is not set\n")
    if default:
        lines.append(f"S*    0.0.0.0/0 {default[2]}")
    groups: dict[ipaddress.IPv4Network, list[tuple[str, ipaddress.IPv4Network, str]]] = {}
    for route in table:
        if route is default:
            continue
        groups.setdefault(_classful(route[1]), []).append(route)
    for major in sorted(groups):
        members = sorted(groups[major], key=lambda r: (r[1].network_address, r[1].prefixlen))
        masks = {r[1].prefixlen for r in members}
        count = len(members)
        if len(masks) > 1:
            lines.append(
                f"      {major} is variably subnetted, {count} subnets, {len(masks)} masks"
            )
        else:
            lines.append(
                f"      {major.network_address}/{next(iter(masks))} is subnetted, "
                f"{count} subnet{'s' if count != 1 else ''}"
            )
        for code, prefix, rest in members:
            shown = str(prefix) if len(masks) > 1 else str(prefix.network_address)
            lines.append(f"{code:<9}{shown} {rest}")
    return "\n".join(lines) + "\n"


def _classful(net: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    first = int(net.network_address) >> 24
    length = 8 if first < 128 else 16 if first < 192 else 24
    return ipaddress.IPv4Network(f"{net.network_address}/{length}", strict=False)


# -- hardware and system ---------------------------------------------------------------------


def show_inventory(device: LabDevice) -> str:
    model = device.spec.model
    if device.spec.role == "router":
        items = [
            ("Chassis", f"Cisco {model} Chassis", f"{model}/K9", device.serial),
            (
                "Power Supply Module 0",
                "250W AC Power Supply for Cisco ISR 4330",
                "PWR-4330-AC",
                "PST" + device.serial[3:],
            ),
            ("module 0", f"Cisco {model} Built-In NIM controller", model, device.serial),
            ("NIM subslot 0/0", "Front Panel 3 ports Gigabitethernet Module", f"{model}-3x1GE", ""),
            ("module R0", f"Cisco {model} Route Processor", model, device.serial),
            ("module F0", f"Cisco {model} Forwarding Processor", model, ""),
        ]
    else:
        items = [
            ("c92xxL Stack", "c92xxL Stack", model, device.serial),
            ("Switch 1", model, model, device.serial),
            (
                "Switch 1 - Power Supply A",
                "Switch 1 - Power Supply A",
                "PWR-C5-125WAC",
                "DCB" + device.serial[3:],
            ),
        ]
    lines = []
    for name, descr, pid, serial in items:
        lines += [
            f'NAME: "{name}", DESCR: "{descr}"',
            f"PID: {pid:<18}, VID: V02  , SN: {serial}",
            "",
        ]
    return "\n".join(lines) + "\n"


def show_processes_cpu(device: LabDevice) -> str:
    lines = [
        "CPU utilization for five seconds: 2%/0%; one minute: 3%; five minutes: 2%",
        " PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process ",
    ]
    processes = (
        "Chunk Manager",
        "Load Meter",
        "SpanTree Helper",
        "Check heaps",
        "Pool Manager",
        "ARP Input",
        "IP Input",
        "CDP Protocol",
        "SSH Process",
        "Exec",
    )
    for pid, name in enumerate(processes, start=1):
        runtime = 10 * pid + len(device.spec.name)
        invoked = 40 * pid + 3
        lines.append(
            f"{pid:>4}{runtime:>12}{invoked:>12}{runtime * 1000 // invoked:>11}"
            f"  0.00%  0.00%  0.00%   0 {name:<17}"
        )
    return "\n".join(lines) + "\n"


PROCESSOR_TOTAL = 1_591_864_272
PROCESSOR_USED = 265_634_432
IO_TOTAL = 6_295_128
IO_USED = 6_294_304


def show_memory_statistics(device: LabDevice) -> str:
    free = PROCESSOR_TOTAL - PROCESSOR_USED
    return "\n".join(
        [
            "Tracekey : 1#f2d1b6f7d3a5c6e1a0e8e0c1b7d2a6c4",
            "",
            "                Head    Total(b)     Used(b)     Free(b)   Lowest(b)  Largest(b)",
            f"Processor  7F8D2D7010  {PROCESSOR_TOTAL}   {PROCESSOR_USED}  {free}"
            f"  {free - 2_816_488}  {free - 391_404}",
            f" lsmpi_io  7F8C9DE1A8     {IO_TOTAL}     {IO_USED}"
            "         824         824         412",
            "",
        ]
    )


TEMPERATURE = 32


def show_environment_temperature(device: LabDevice) -> str:
    return (
        "Switch 1: SYSTEM TEMPERATURE is OK\n"
        f"Inlet Temperature Value: {TEMPERATURE} Degree Celsius\n"
        "Temperature State: GREEN\n"
        "Yellow Threshold : 46 Degree Celsius\n"
        "Red Threshold    : 56 Degree Celsius\n"
    )


def show_environment(device: LabDevice) -> str:
    lines = [
        "Switch 1 FAN 1 is OK",
        "Switch 1 FAN 2 is OK",
        "FAN PS-1 is OK",
        "FAN PS-2 is NOT PRESENT",
        show_environment_temperature(device).rstrip("\n"),
        "SW  PID                 Serial#     Status           Sys Pwr  PoE Pwr  Watts",
        "--  ------------------  ----------  ---------------  -------  -------  -----",
        f"1A  PWR-C5-125WAC       DCB{device.serial[3:]:<8} OK              Good     Good     125",
        "1B  Not Present",
    ]
    return "\n".join(lines) + "\n"


def show_snmp_chassis(device: LabDevice) -> str:
    for child in device.running.children:
        if child.text.startswith("snmp-server chassis-id "):
            return child.text.split(None, 2)[2] + "\n"
    return device.serial + "\n"


def show_ntp_associations(device: LabDevice) -> str:
    configured = [
        c.text.split()[-1] if " vrf " not in c.text else c.text.split()[4]
        for c in device.running.children
        if re.match(r"ntp (server|peer) ", c.text)
    ]
    configured = [c for c in configured if re.fullmatch(r"[\d.]+", c)]
    if not configured:
        return "%NTP is not enabled.\n"
    lines = ["", "  address         ref clock       st   when   poll reach  delay  offset   disp"]
    for number, address in enumerate(configured):
        mark = "*~" if number == 0 else " ~"
        ref = ".GPS." if number == 0 else configured[0]
        lines.append(
            f"{mark}{address:<16}{ref:<16}{number + 1:>2}{35 + number:>7}{64:>7}{377:>6}"
            f"{0.512 + number:>7.3f}{-0.132:>8.3f}{0.945:>7.3f}"
        )
    lines.append(" * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured")
    return "\n".join(lines) + "\n"


def show_vrf_detail(device: LabDevice) -> str:
    state = config_state(device)
    blocks = []
    for vrf_id, child in enumerate(
        (c for c in device.running.children if c.text.startswith("vrf definition ")), start=1
    ):
        name = child.text.split()[2]
        rd = next(
            (c.text.split()[1] for c in child.children if c.text.startswith("rd ")), "<not set>"
        )
        members = [
            str(abbreviated_interface_name(p.name)) for p in state.ports.values() if p.vrf == name
        ]
        lines = [
            f"VRF {name} (VRF Id = {vrf_id}); default RD {rd}; default VPNID <not set>",
            "  New CLI format, supports multiple address-families",
            "  Flags: 0x1808",
        ]
        if members:
            lines += ["  Interfaces:", *(f"    {m}" for m in members)]
        else:
            lines.append("  No interfaces")
        lines += [
            f"Address family ipv4 unicast (Table ID = 0x{vrf_id:x}):",
            "  Flags: 0x0",
            "  No Export VPN route-target communities",
            "  No Import VPN route-target communities",
            "  No import route-map",
            "  No global export route-map",
            "  No export route-map",
            "  VRF label distribution protocol: not configured",
            "  VRF label allocation mode: per-prefix",
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
