"""The IOS access-list entry reader for lint: `[seq] permit|deny proto src [ports] dst`."""

from __future__ import annotations

import ipaddress
from functools import cache

from nornir_config.platforms.base import AclEntry as Entry

Span = tuple[int, int]
ANY: Span = (0, 2**32 - 1)
_PORT_ARGS = {"eq": 1, "neq": 1, "lt": 1, "gt": 1, "range": 2}


@cache
def _ip(text: str) -> int | None:
    try:
        return int(ipaddress.IPv4Address(text))
    except ValueError:
        return None


def _wildcard(address: str, wildcard: str) -> Span | None:
    base, mask = _ip(address), _ip(wildcard)
    if base is None or mask is None or (mask + 1) & mask:
        return None  # not an address, or a non-contiguous wildcard
    low = base & ~mask & 0xFFFFFFFF
    return low, low | mask


def _address(tokens: list[str], i: int) -> tuple[Span | None, int]:
    if i >= len(tokens):
        return None, i
    word = tokens[i]
    if word == "any":
        return ANY, i + 1
    if word == "host" and i + 1 < len(tokens):
        host = _ip(tokens[i + 1])
        return (None if host is None else (host, host)), i + 2
    if word in ("object-group", "addrgroup") and i + 1 < len(tokens):
        return None, i + 2
    if i + 1 < len(tokens) and tokens[i + 1].count(".") == 3:
        return _wildcard(word, tokens[i + 1]), i + 2
    host = _ip(word)
    return (None if host is None else (host, host)), i + 1


def _skip_ports(tokens: list[str], i: int) -> int:
    if i < len(tokens) and tokens[i] in _PORT_ARGS:
        return i + 1 + _PORT_ARGS[tokens[i]]
    return i


@cache
def parse_entry(text: str, extended: bool) -> Entry | None:
    """One ACE (`[seq] permit|deny ...`); None for remarks and lines that are not entries."""
    tokens = text.split()
    if tokens and tokens[0].isdigit():
        tokens = tokens[1:]
    if not tokens or tokens[0] not in ("permit", "deny"):
        return None
    action = tokens[0]
    if not extended:
        source, _ = _address(tokens, 1)
        return Entry(action, "ip", source, ANY)
    protocol = tokens[1] if len(tokens) > 1 else "ip"
    source, i = _address(tokens, 2)
    i = _skip_ports(tokens, i)
    destination, _ = _address(tokens, i)
    return Entry(action, protocol, source, destination)
