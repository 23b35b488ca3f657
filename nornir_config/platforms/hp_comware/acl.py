"""Read Comware ACL rules for lint: `rule N permit|deny <proto> source A W destination B W`."""

from __future__ import annotations

import ipaddress

from nornir_config.platforms.base import AclEntry


def _span(address: str, wildcard: str) -> tuple[int, int]:
    base = int(ipaddress.IPv4Address(address))
    wild = int(ipaddress.IPv4Address(wildcard))
    return base & ~wild & 0xFFFFFFFF, (base & ~wild) | wild


def parse_entry(line: str, extended: bool) -> AclEntry | None:
    """One `rule` line of an ACL view, as address spans; None if it is not a rule."""
    words = line.split()
    if len(words) < 3 or words[0] != "rule" or words[2] not in ("permit", "deny"):
        return None
    rest = words[3:]
    protocol = "ip"
    if extended and rest and rest[0] not in ("source", "destination", "logging"):
        protocol, rest = rest[0], rest[1:]
    spans: dict[str, tuple[int, int] | None] = {
        "source": (0, 0xFFFFFFFF),
        "destination": (0, 0xFFFFFFFF),
    }
    for key in spans:
        if key in rest:
            at = rest.index(key)
            try:
                spans[key] = _span(rest[at + 1], rest[at + 2])
            except (IndexError, ValueError):
                spans[key] = None
    return AclEntry(words[2], protocol, spans["source"], spans["destination"])
