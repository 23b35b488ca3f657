"""IOS access lists as the data plane applies them: `ip access-group NAME in|out` on an
interface, `access-class NAME in` on the vty lines.

Standard and extended, numbered (`access-list 10 ...`, `access-list 101 ...`) and named
(`ip access-list extended NAME`); first match wins, an implicit `deny any` ends every list,
and a list that is named but not defined (or has no entries) filters nothing. The lab's own
reading of the config tree: the lint's ACL reader is the engine's, never used here.

References (read, not copied): Cisco "Security Configuration Guide: Access Control Lists,
Cisco IOS XE 17" (IP Access List Overview: "an implicit deny ... at the end of every access
list"; "if you apply an access list that has not been defined ... the interface permits all
packets"; "outbound access lists do not filter packets originated by the router itself");
the IOS "access-list (IP extended)" command reference for the `eq/neq/lt/gt/range` port
operators, the protocol keywords and `established` (TCP datagrams with the ACK or RST bit).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from hier_config import HConfig

from nornir_config.lab.ports import Packet

Address = ipaddress.IPv4Address
Match = Callable[[Packet], bool]

# IOS's port keywords (what `show running-config` prints instead of the number)
TCP_PORTS = {
    "bgp": 179, "chargen": 19, "cmd": 514, "daytime": 13, "discard": 9, "domain": 53,
    "echo": 7, "exec": 512, "finger": 79, "ftp": 21, "ftp-data": 20, "gopher": 70,
    "hostname": 101, "ident": 113, "irc": 194, "klogin": 543, "kshell": 544, "login": 513,
    "lpd": 515, "nntp": 119, "pop2": 109, "pop3": 110, "smtp": 25, "sunrpc": 111,
    "tacacs": 49, "talk": 517, "telnet": 23, "time": 37, "uucp": 540, "whois": 43, "www": 80,
}  # fmt: skip
UDP_PORTS = {
    "biff": 512, "bootpc": 68, "bootps": 67, "discard": 9, "dnsix": 195, "domain": 53,
    "echo": 7, "isakmp": 500, "mobile-ip": 434, "nameserver": 42, "netbios-dgm": 138,
    "netbios-ns": 137, "netbios-ss": 139, "non500-isakmp": 4500, "ntp": 123, "rip": 520,
    "snmp": 161, "snmptrap": 162, "sunrpc": 111, "syslog": 514, "tacacs": 49, "talk": 517,
    "tftp": 69, "time": 37, "who": 513, "xdmcp": 177,
}  # fmt: skip
PROTOCOLS = {"icmp": 1, "igmp": 2, "ipinip": 4, "tcp": 6, "udp": 17, "gre": 47, "esp": 50,
             "ahp": 51, "eigrp": 88, "ospf": 89, "nos": 94, "pim": 103, "pcp": 108}  # fmt: skip
_PORT_OPS = ("eq", "neq", "lt", "gt", "range")


@dataclass(frozen=True)
class Entry:
    """One ACE: `permit` or `deny`, what it matches, and its source part alone."""

    permit: bool
    match: Match
    source: Callable[[Address], bool]


def _address(words: list[str], i: int) -> tuple[Callable[[Address], bool] | None, int]:
    """`any`, `host A`, `A W` (wildcard) or a bare `A` (standard lists) at `words[i]`."""
    if i >= len(words):
        return None, i
    word = words[i]
    if word == "any":
        return (lambda _a: True), i + 1
    try:
        if word == "host":
            host = Address(words[i + 1])
            return (lambda a: a == host), i + 2
        base = int(Address(word))
        wild = 0
        if i + 1 < len(words) and words[i + 1].count(".") == 3:
            wild, i = int(Address(words[i + 1])), i + 1
    except (ValueError, IndexError):
        return None, i  # object-group and the like: the lab matches nothing by them
    care = ~wild & 0xFFFFFFFF
    return (lambda a: int(a) & care == base & care), i + 1


def _port(word: str, names: dict[str, int]) -> int | None:
    if word.isdigit():
        return int(word)
    return names.get(word)


def _ports(words: list[str], i: int, names: dict[str, int]) -> tuple[Callable[[int], bool], int]:
    """An optional port operator at `words[i]`; what it matches and where the next part is."""
    if i >= len(words) or words[i] not in _PORT_OPS:
        return (lambda _p: True), i
    op = words[i]
    i += 1
    if op == "range":
        low, high = _port(words[i], names), _port(words[i + 1], names)
        return (lambda p: low is not None and high is not None and low <= p <= high), i + 2
    values: list[int] = []
    while i < len(words) and (value := _port(words[i], names)) is not None:
        values.append(value)
        i += 1
    if op == "eq":
        return (lambda p: p in values), i
    if op == "neq":
        return (lambda p: p not in values), i
    limit = values[0] if values else 0
    return ((lambda p: p < limit) if op == "lt" else (lambda p: p > limit)), i


def _protocol(word: str) -> Callable[[str], bool] | None:
    if word == "ip":
        return lambda _p: True
    number = int(word) if word.isdigit() else PROTOCOLS.get(word)
    if number is None:
        return None
    return lambda p: PROTOCOLS.get(p) == number


def parse_entry(words: list[str], extended: bool) -> Entry | None:
    """`[seq] permit|deny ...` as IOS reads it; None for remarks and what the lab cannot
    match (it then matches nothing, as an entry that never applies)."""
    if words and words[0].isdigit():
        words = words[1:]
    if not words or words[0] not in ("permit", "deny"):
        return None
    permit = words[0] == "permit"
    if not extended:
        source, _ = _address(words, 1)
        if source is None:
            return None
        found = source
        return Entry(permit, lambda pkt: found(pkt.source), found)
    protocol = _protocol(words[1]) if len(words) > 1 else None
    if protocol is None:
        return None
    names = UDP_PORTS if words[1] == "udp" else TCP_PORTS
    source, i = _address(words, 2)
    sport, i = _ports(words, i, names)
    destination, i = _address(words, i)
    dport, i = _ports(words, i, names)
    if source is None or destination is None:
        return None
    established = "established" in words[i:]
    src, dst, wants = source, destination, protocol

    def match(pkt: Packet) -> bool:
        return (
            wants(pkt.protocol)
            and src(pkt.source)
            and dst(pkt.destination)
            and sport(pkt.source_port)
            and dport(pkt.destination_port)
            and (not established or (pkt.protocol == "tcp" and pkt.established))
        )

    return Entry(permit, match, src)


Lists = dict[str, list[Entry]]


def _numbered_extended(name: str) -> bool:
    number = int(name)
    return 100 <= number <= 199 or 2000 <= number <= 2699


def access_lists(running: HConfig) -> Lists:
    """Every IP access list of the config, by name (numbered ones by their number)."""
    lists: Lists = {}
    for child in running.children:
        text = child.text
        named = re.match(r"ip access-list (standard|extended) (\S+)$", text)
        if named:
            entries = lists.setdefault(named.group(2), [])
            extended = named.group(1) == "extended"
            for ace in child.children:
                entry = parse_entry(ace.text.split(), extended)
                if entry is not None:
                    entries.append(entry)
            continue
        numbered = re.match(r"access-list (\d+) (.*)$", text)
        if numbered:
            name = numbered.group(1)
            entries = lists.setdefault(name, [])
            entry = parse_entry(numbered.group(2).split(), _numbered_extended(name))
            if entry is not None:
                entries.append(entry)
    return lists


def permits(lists: Lists, name: str, packet: Packet) -> bool:
    """Whether access list `name` passes `packet` (an undefined or empty list passes all)."""
    entries = lists.get(name)
    if not entries:
        return True
    for entry in entries:
        if entry.match(packet):
            return entry.permit
    return False  # the implicit deny at the end


def source_permits(lists: Lists, name: str, source: str) -> bool | None:
    """A vty `access-class NAME in` for a connection from `source`: the list's source part
    decides (None: no such list, which IOS takes as permit)."""
    if name not in lists:
        return None
    address = Address(source)
    for entry in lists[name]:
        if entry.source(address):
            return entry.permit
    return False
