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

from nornir_config.platforms.base import AclEntry

Net = ipaddress.IPv4Network
Span = tuple[int, int]  # first and last address, as integers
ANY: Span = (0, 2**32 - 1)
Entry = AclEntry  # the platform's ACL reader (`Platform.lint.acl_entry`) reads lines into them


def span(net: Net) -> Span:
    return int(net.network_address), int(net.broadcast_address)


def networks(item: Span) -> list[Net]:
    first, last = (ipaddress.IPv4Address(a) for a in item)
    return list(ipaddress.summarize_address_range(first, last))


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
