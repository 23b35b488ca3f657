"""Evaluate an IP access list against networks with integer address spans, not by grepping.

The question answered: can any packet from `source` to somewhere in `targets` pass this ACL?
Entries are read in order; a `deny ip` covering the whole source removes its destination from
the targets still in question; any `permit` whose source overlaps and whose destination meets a
target still in question is a leak (unless that destination is an explicitly allowed host). Entries
the reader cannot resolve (object groups, non-contiguous wildcards) count as permitting all and
denying nothing, so the answer errs towards reporting a leak.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

Net = ipaddress.IPv4Network
Span = tuple[int, int]  # first and last address, as integers
ANY: Span = (0, 2**32 - 1)
_PORT_ARGS = {"eq": 1, "neq": 1, "lt": 1, "gt": 1, "range": 2}


@dataclass(frozen=True)
class Entry:
    action: str  # permit | deny
    protocol: str  # ip, tcp, udp, ... ("ip" for standard lists)
    source: Span | None  # None: not understood
    destination: Span | None


@cache
def _ip(text: str) -> int | None:
    try:
        return int(ipaddress.IPv4Address(text))
    except ValueError:
        return None


def span(net: Net) -> Span:
    return int(net.network_address), int(net.broadcast_address)


def networks(item: Span) -> list[Net]:
    first, last = (ipaddress.IPv4Address(a) for a in item)
    return list(ipaddress.summarize_address_range(first, last))


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


def _subtract(remaining: list[Span], cut: Span) -> list[Span]:
    out: list[Span] = []
    for low, high in remaining:
        if cut[1] < low or cut[0] > high:
            out.append((low, high))
            continue
        if low < cut[0]:
            out.append((low, cut[0] - 1))
        if high > cut[1]:
            out.append((cut[1] + 1, high))
    return out


def leaks(
    entries: Iterable[tuple[int, Entry]],
    source: Span,
    targets: Sequence[Span],
    allowed: Sequence[Span] = (),
) -> list[tuple[int, Entry, list[Net]]]:
    """(line, entry, reached networks) for every entry letting `source` reach `targets`."""
    remaining = list(targets)
    found: list[tuple[int, Entry, list[Net]]] = []
    for line, entry in entries:
        if not remaining:
            break
        src, dst = entry.source, entry.destination
        if entry.action == "deny":
            whole = src is not None and src[0] <= source[0] and source[1] <= src[1]
            if whole and entry.protocol == "ip" and dst is not None:
                remaining = _subtract(remaining, dst)
            continue
        if src is not None and (src[1] < source[0] or src[0] > source[1]):
            continue
        if dst is None:
            reach = list(remaining)
        else:
            reach = [
                (max(low, dst[0]), min(high, dst[1]))
                for low, high in remaining
                if not (dst[1] < low or dst[0] > high)
            ]
        for cut in allowed:
            reach = _subtract(reach, cut)
        if reach:
            found.append((line, entry, [n for item in reach for n in networks(item)]))
    return found
