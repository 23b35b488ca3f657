"""What the lab's VRP `display` commands print, from the device's config and its office twin."""

from __future__ import annotations

import hashlib
import time

from nornir_config.lab.ports import PortState
from nornir_config.lab.twin import view
from nornir_config.platforms.huawei_vrp.lab.device import SOFTWARE, VrpDevice
from nornir_config.platforms.huawei_vrp.lab.edit import vlan_text

FLASH_KB = 1_007_872  # `dir`'s total: an AR router's 1 GB flash
_SHORT = (("XGigabitEthernet", "XGE"), ("GigabitEthernet", "GE"), ("Ethernet", "Eth"))


def short(name: str) -> str:
    for full, abbr in _SHORT:
        if name.startswith(full):
            return abbr + name[len(full) :]
    return name


def huawei_mac(mac: str) -> str:
    """`00a3.8e12.3456` (the twin's form) -> `00a3-8e12-3456` (VRP's)."""
    return mac.replace(".", "-").lower()


def _uptime(device: VrpDevice) -> str:
    seconds = int(time.time() - device.booted)
    weeks, rest = divmod(seconds, 604800)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{weeks} week, {days} day, {hours} hour, {rest // 60} minute"


def version(device: VrpDevice) -> str:
    router = device.spec.role == "router"
    family, release, vrp = SOFTWARE["router" if router else "switch"]
    kind = "Router" if router else "Routing Switch"
    return (
        "Huawei Versatile Routing Platform Software\n"
        f"VRP (R) software, Version {vrp} ({family} {release})\n"
        "Copyright (C) 2000-2022 HUAWEI TECH Co., Ltd.\n"
        f"HUAWEI {device.spec.model} {kind} uptime is {_uptime(device)}\n"
    )


def esn(device: VrpDevice) -> str:
    return f"ESN of slot 0: {device.esn}\n"


def _ports(device: VrpDevice) -> list[PortState]:
    return list(view(device).ports.values())


def _phy(port: PortState) -> str:
    if not port.enabled:
        return "*down"
    return "up" if port.up or (port.kind in ("svi", "loopback") and port.enabled) else "down"


def interface_brief(device: VrpDevice) -> str:
    lines = [
        "PHY: Physical",
        "*down: administratively down",
        "(l): loopback",
        "(s): spoofing",
        "(b): BFD down",
        "(e): ETHOAM down",
        "(dl): DLDP down",
        "(d): Dampening Suppressed",
        "InUti/OutUti: input utility/output utility",
        f"{'Interface':<28}{'PHY':<6}{'Protocol':<9}{'InUti':>5} {'OutUti':>6}"
        "   inErrors  outErrors",
    ]
    for port in _ports(device):
        phy = _phy(port)
        protocol = "up" if phy == "up" else "down"
        lines.append(
            f"{port.name:<28}{phy:<6}{protocol:<9}{'0%':>5} {'0%':>6}          0          0"
        )
    return "\n".join(lines) + "\n"


def _state_words(port: PortState) -> tuple[str, str]:
    phy = _phy(port)
    if phy == "*down":
        return "Administratively DOWN", "DOWN"
    return ("UP", "UP") if phy == "up" else ("DOWN", "DOWN")


def interface(device: VrpDevice, name: str | None = None) -> str:
    blocks: list[str] = []
    for index, port in enumerate(_ports(device)):
        if name is not None and port.name != name:
            continue
        state, protocol = _state_words(port)
        lines = [
            f"{port.name} current state : {state} (ifindex: {index + 3})",
            f"Line protocol current state : {protocol}",
            f"Description:{port.description}",
        ]
        if port.switchport:
            pvid = port.native_vlan if port.mode == "trunk" else port.access_vlan
            lines.append(
                f"Switch Port, PVID : {pvid:>4}, TPID : 8100(Hex), The Maximum Frame Length is 9216"
            )
        else:
            lines.append(f"Route Port,The Maximum Transmit Unit is {port.mtu}")
            for address in port.ipv4:
                lines.append(f"Internet Address is {address.with_prefixlen}")
        lines.append(
            "IP Sending Frames' Format is PKTFMT_ETHNT_2, "
            f"Hardware address is {huawei_mac(port.mac)}"
        )
        if port.kind == "physical":
            speed = port.bandwidth // 1000
            lines += [f"Speed : {speed},  Loopback: NONE", "Duplex: FULL,  Negotiation: ENABLE"]
            lines += [
                "Input:  0 packets, 0 bytes",
                "Output: 0 packets, 0 bytes",
            ]
        blocks.append("\n".join(lines))
    if name is not None and not blocks:
        return "Error: The interface does not exist.\n"
    return "\n\n".join(blocks) + "\n"


def ip_interface(device: VrpDevice) -> str:
    blocks: list[str] = []
    for port in _ports(device):
        if not port.ipv4:
            continue
        state, protocol = _state_words(port)
        lines = [
            f"{port.name} current state : {state}",
            f"Line protocol current state : {protocol}",
            f"The Maximum Transmit Unit : {port.mtu} bytes",
            "input packets : 0, bytes : 0, multicasts : 0",
            "output packets : 0, bytes : 0, multicasts : 0",
        ]
        for address in port.ipv4:
            lines.append(f"Internet Address is {address.with_prefixlen}")
            lines.append(f"Broadcast address : {address.network.broadcast_address}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def ipv6_interface(device: VrpDevice) -> str:
    return ""


def ip_interface_brief(device: VrpDevice) -> str:
    lines = [
        "*down: administratively down",
        "(l): loopback",
        "(s): spoofing",
        f"{'Interface':<33}{'IP Address/Mask':<20}{'Physical':<10}Protocol",
    ]
    for port in _ports(device):
        if port.ipv4 or port.kind == "svi":
            address = port.ipv4[0].with_prefixlen if port.ipv4 else "unassigned"
            phy = _phy(port)
            lines.append(f"{port.name:<33}{address:<20}{phy:<10}{'up' if phy == 'up' else 'down'}")
    return "\n".join(lines) + "\n"


def vlan(device: VrpDevice) -> str:
    state = device.state()
    lines = [
        "The total number of vlans is : " + str(len(state.vlans)),
        "--------------------------------------------------------------------------------",
        "VID  Type    Status  Property      MAC-LRN Statistics Description",
        "--------------------------------------------------------------------------------",
    ]
    for vid, name in state.vlans.items():
        lines.append(f"{vid:<5}common  enable  default       enable  disable    {name}")
    return "\n".join(lines) + "\n"


def lldp_brief(device: VrpDevice) -> str:
    lines = [f"{'Local Intf':<16}{'Neighbor Dev':<25}{'Neighbor Intf':<26}Exptime(s)"]
    for n in view(device).lldp:
        lines.append(f"{short(n.local_port):<16}{n.name:<25}{short(n.port):<26}{112:<10}")
    return "\n".join(lines) + "\n"


def arp(device: VrpDevice) -> str:
    lines = [
        "IP ADDRESS      MAC ADDRESS     EXPIRE(M) TYPE        INTERFACE   VPN-INSTANCE",
        "                                          VLAN/CEVLAN PVC",
        "------------------------------------------------------------------------------",
    ]
    entries = view(device).arp
    for entry in entries:
        kind = "I -" if entry.own else "D-0"
        expire = "" if entry.own else "20"
        lines.append(
            f"{entry.address:<16}{huawei_mac(entry.mac):<16}{expire:<10}{kind:<12}{entry.interface}"
        )
    dynamic = sum(1 for e in entries if not e.own)
    lines += [
        "------------------------------------------------------------------------------",
        f"Total:{len(entries):<10}Dynamic:{dynamic:<8}Static:0     "
        f"Interface:{len(entries) - dynamic}",
    ]
    return "\n".join(lines) + "\n"


def mac(device: VrpDevice) -> str:
    entries = view(device).macs
    if not entries:
        return "Info: There is no MAC address entry.\n"
    lines = [
        "-------------------------------------------------------------------------------",
        "MAC Address    VLAN/VSI/BD                       Learned-From        Type",
        "-------------------------------------------------------------------------------",
    ]
    for entry in entries:
        lines.append(
            f"{huawei_mac(entry.mac):<15}{str(entry.vlan) + '/-/-':<34}"
            f"{short(entry.port):<20}dynamic"
        )
    lines += [
        "-------------------------------------------------------------------------------",
        f"Total items displayed = {len(entries)}",
    ]
    return "\n".join(lines) + "\n"


def fan(device: VrpDevice) -> str:
    return (
        " Slot  FanID   Online    Status    Speed     Mode     Airflow\n"
        "-------------------------------------------------------------------------\n"
        " 0     1       Present   Normal    45%       Auto     Side-to-Back\n"
    )


def power(device: VrpDevice) -> str:
    return (
        "------------------------------------------------------------\n"
        " Slot    PowerID  Online   Mode   State      Power(W)\n"
        "------------------------------------------------------------\n"
        " 0       PWR1     Present  AC     Supply     150.00\n"
    )


def temperature(device: VrpDevice) -> str:
    return (
        "-------------------------------------------------------------------------------\n"
        " Slot  Card  Sensor Status    Current(C) Lower(C) Lower     Upper(C) Upper\n"
        "                                                  Resume(C)          Resume(C)\n"
        "-------------------------------------------------------------------------------\n"
        " 0     NA    NA     Normal     41        0        4         68       63\n"
    )


def cpu(device: VrpDevice) -> str:
    return (
        "CPU Usage Stat. Cycle: 60 (Second)\n"
        "CPU Usage            : 7% Max: 31%\n"
        f"CPU Usage Stat. Time : {time.strftime('%Y-%m-%d  %H:%M:%S')}\n"
        "CPU utilization for five seconds: 7%: one minute: 6%: five minutes: 6%\n"
    )


def memory(device: VrpDevice) -> str:
    return (
        f" Memory utilization statistics at {time.strftime('%Y-%m-%d %H:%M:%S')}+07:00\n"
        " System Total Memory Is: 536870912 bytes\n"
        " Total Memory Used Is: 187904819 bytes\n"
        " Memory Using Percentage Is: 35%\n"
    )


def local_user(device: VrpDevice) -> str:
    aaa = device.running.child("aaa")
    users: dict[str, int] = {}
    for child in aaa.children if aaa else []:
        words = child.text.split()
        if words[0] == "local-user":
            users.setdefault(words[1], 0)
            if words[2:4] == ["privilege", "level"]:
                users[words[1]] = int(words[4])
    lines = [
        "  ----------------------------------------------------------------------------",
        "  User-name                      State  AuthMask  AdminLevel",
        "  ----------------------------------------------------------------------------",
    ]
    lines += [f"  {name:<31}A      S         {level}" for name, level in users.items()]
    lines += [
        "  ----------------------------------------------------------------------------",
        f"  Total {len(users)} user(s)",
    ]
    return "\n".join(lines) + "\n"


def ntp_sessions(device: VrpDevice) -> str:
    blocks = []
    for node in device.top("ntp-service unicast-server "):
        server = node.text.split()[2]
        blocks.append(
            f" clock source: {server}\n"
            " clock stratum: 2\n"
            " clock status: configured, master, sane, valid\n"
            f" reference clock ID: {server}\n"
            " reach: 255\n current poll: 64\n now: 12\n"
            " offset: 0.2051 ms\n delay: 1.52 ms\n disper: 0.63 ms"
        )
    return "\n\n".join(blocks) + "\n" if blocks else "Info: No session.\n"


def routing_table(device: VrpDevice) -> str:
    lines = [
        "Route Flags: R - relay, D - download to fib",
        "------------------------------------------------------------------------------",
        "Routing Tables: Public",
        "Destination/Mask    Proto   Pre  Cost      Flags NextHop         Interface",
    ]
    for prefix, hop in device.state().routes:
        lines.append(f"{prefix!s:<20}Static  60   0           RD  {hop:<16}")
    return "\n".join(lines) + "\n"


def clock(device: VrpDevice) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+07:00\n%A\nTime Zone(ICT) : UTC+07:00\n")


def users(device: VrpDevice) -> str:
    return "  User-Intf    Delay    Type   Network Address     AuthenStatus    AuthorcmdFlag\n"


def directory(device: VrpDevice, path: str) -> str:
    name = device.flash.name_of(path)
    if name is None:
        return "Error: Wrong path.\n"
    files = device.flash.files
    names = [name] if name else sorted(files, key=lambda n: files[n].index)
    if name and name not in files:
        return "Error: No file found in the directory.\n"
    lines = [
        "Directory of flash:/",
        "",
        "  Idx  Attr     Size(Byte)  Date        Time(LMT)  FileName",
    ]
    for index, item in enumerate(names):
        entry = files[item]
        stamp = time.strftime("%b %d %Y %H:%M:%S", time.gmtime(entry.mtime))
        lines.append(f"{index:>5}  -rw-     {len(entry.data):>10,}  {stamp}   {item}")
    free_kb = 0 if device.flash.full else max(0, FLASH_KB - device.flash.used() // 1024)
    lines += ["", f"{FLASH_KB:,} KB total ({free_kb:,} KB free)"]
    return "\n".join(lines) + "\n"


def file_md5(device: VrpDevice, path: str) -> str:
    name = device.flash.name_of(path) or ""
    data = device.flash.read(name)
    if data is None:
        return "Error: No file found in the directory.\n"
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return f"MD5 value of flash:/{name}\n{name}  {digest}\n"


def ping(target: str) -> str:
    return (
        f"  PING {target}: 56  data bytes, press CTRL_C to break\n"
        + "".join(
            f"    Reply from {target}: bytes=56 Sequence={n} ttl=255 time=1 ms\n"
            for n in range(1, 6)
        )
        + f"\n  --- {target} ping statistics ---\n"
        "    5 packet(s) transmitted\n    5 packet(s) received\n    0.00% packet loss\n"
        "    round-trip min/avg/max = 1/1/1 ms\n"
    )


__all__ = ["short", "vlan_text"]
