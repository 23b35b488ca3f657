"""The VRP ACL rule reader for lint: `rule N permit|deny [proto] [source A W] [destination A W]`.

Basic ACLs (2000-2999) match sources only; advanced ones (3000-3999) name a protocol. A
missing `source`/`destination` means any; a wildcard of `0` is one host.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from nornir_config.platforms.base import AclEntry as Entry

Span = tuple[int, int]
ANY: Span = (0, 2**32 - 1)


def _span(address: str, wildcard: str) -> Span | None:
    try:
        base = int(ipaddress.IPv4Address(address))
        mask = 0 if wildcard == "0" else int(ipaddress.IPv4Address(wildcard))
    except ValueError:
        return None
    if (mask + 1) & mask:
        return None  # a non-contiguous wildcard
    low = base & ~mask & 0xFFFFFFFF
    return low, low | mask


def _after(tokens: list[str], keyword: str) -> Span | None:
    if keyword not in tokens:
        return ANY
    i = tokens.index(keyword)
    if i + 1 >= len(tokens):
        return None
    wildcard = tokens[i + 2] if i + 2 < len(tokens) else "0"
    return _span(tokens[i + 1], wildcard)


@cache
def parse_entry(text: str, extended: bool) -> Entry | None:
    """One rule; None for descriptions and lines that are not rules."""
    tokens = text.split()
    if len(tokens) >= 2 and tokens[0] == "rule" and tokens[1].isdigit():
        tokens = tokens[2:]
    if not tokens or tokens[0] not in ("permit", "deny"):
        return None
    action = tokens[0]
    if not extended:
        return Entry(action, "ip", _after(tokens, "source"), ANY)
    protocol = tokens[1] if len(tokens) > 1 and tokens[1] not in ("source", "destination") else "ip"
    return Entry(action, protocol, _after(tokens, "source"), _after(tokens, "destination"))
