"""One ACL's `rule N permit|deny ...` word lists against a packet, for dialects whose rules
read `[proto] source A W destination B W source-port|destination-port op P` (W a wildcard,
`0` one host, `any` every address)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from nornir_config.lab.ports import Packet

_PROTOCOLS = {
    "ip": None,
    "icmp": "icmp",
    "tcp": "tcp",
    "udp": "udp",
    "1": "icmp",
    "6": "tcp",
    "17": "udp",
}


def _within(words: list[str], key: str, address: ipaddress.IPv4Address) -> bool:
    """`source A W` / `destination A W`; absent or `any`: any."""
    if key not in words:
        return True
    i = words.index(key)
    if words[i + 1] == "any":
        return True
    wild = words[i + 2]
    mask = 0 if wild == "0" else int(ipaddress.IPv4Address(wild))
    base = int(ipaddress.IPv4Address(words[i + 1]))
    return int(address) & ~mask & 0xFFFFFFFF == base & ~mask & 0xFFFFFFFF


def _port_ok(words: list[str], key: str, port: int, names: Mapping[str, int]) -> bool:
    """`source-port|destination-port eq|neq|lt|gt P` or `range P Q`; absent: any."""
    if key not in words:
        return True
    i = words.index(key)

    def number(word: str) -> int:
        return names[word] if word in names else int(word)

    op, value = words[i + 1], number(words[i + 2])
    if op == "range":
        return value <= port <= number(words[i + 3])
    checks = {"eq": port == value, "neq": port != value, "lt": port < value, "gt": port > value}
    return checks.get(op, False)


def first_match(
    rules: Iterable[list[str]], packet: Packet, port_names: Mapping[str, int] | None = None
) -> bool | None:
    """The action of the lowest-numbered rule the packet matches; None when none does (each
    dialect says what an unmatched packet gets)."""
    names = port_names or {}
    for words in sorted(rules, key=lambda w: int(w[1])):
        wanted = _PROTOCOLS.get(words[3]) if len(words) > 3 else None
        if wanted is not None and wanted != packet.protocol:
            continue
        if (
            _within(words, "source", packet.source)
            and _within(words, "destination", packet.destination)
            and _port_ok(words, "source-port", packet.source_port, names)
            and _port_ok(words, "destination-port", packet.destination_port, names)
        ):
            return words[2] == "permit"
    return None
