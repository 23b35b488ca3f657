"""`--filter key=value[,value]` and `--limit PATTERN`: the one host selection every command
shares. `--limit` reads as Ansible's: host or group names and globs, separated by commas or
colons, `!` to exclude, `&` to intersect (`--limit 'phuong:!*-sw0*'`); it travels with the
filters as the term `limit=PATTERN`, so playbook steps see it too."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from nornir.core import Nornir
from nornir.core.inventory import Host

from nornir_config.errors import InputError, Problem

HostPredicate = Callable[[Mapping[str, Any], str, Iterable[str]], bool]

# key -> what it matches: the host's data field, its name, or its groups.
KEYS: dict[str, str] = {
    "code": "data:code",
    "province": "data:province",
    "role": "data:role",
    "kind": "data:kind",
    "model": "data:model",
    "site": "data:site",
    "group": "groups",
    "host": "name",
    "limit": "pattern",
}


def parse_filters(specs: Iterable[str]) -> list[tuple[str, frozenset[str]]]:
    """Parse `key=v1,v2` terms (ANDed between terms, ORed within one)."""
    terms: list[tuple[str, frozenset[str]]] = []
    problems: list[Problem] = []
    for spec in specs:
        key, sep, values = spec.partition("=")
        key = key.strip()
        if key == "limit" and sep and values.strip():
            terms.append((key, frozenset([values.strip()])))
            continue
        wanted = frozenset(v.strip() for v in values.split(",") if v.strip())
        if not sep or not wanted:
            problems.append(
                Problem(
                    "--filter", spec, "is not key=value", "write e.g. province=40 or role=switch"
                )
            )
        elif key not in KEYS:
            problems.append(
                Problem(
                    "--filter",
                    spec,
                    f"unknown key '{key}'",
                    f"use one of: {', '.join(k for k in KEYS if k != 'limit')}",
                )
            )
        else:
            terms.append((key, wanted))
    if problems:
        raise InputError(problems)
    return terms


def host_matches(host: Host, terms: list[tuple[str, frozenset[str]]]) -> bool:
    for key, wanted in terms:
        where = KEYS[key]
        if where == "pattern":
            if not all(limit_matches(host, pattern) for pattern in wanted):
                return False
            continue
        if where == "name":
            values = {host.name}
        elif where == "groups":
            values = {g.name for g in host.groups}
        else:
            values = {str(host.data.get(where.removeprefix("data:")))}
        if not values & wanted:
            return False
    return True


def apply_filters(nr: Nornir, specs: Iterable[str]) -> Nornir:
    """`nr` narrowed to the matching hosts; no match is bad input."""
    specs = list(specs)
    terms = parse_filters(specs)
    if not terms:
        return nr
    narrowed = nr.filter(filter_func=lambda host: host_matches(host, terms))
    if not narrowed.inventory.hosts:
        limits = [s.removeprefix("limit=") for s in specs if s.startswith("limit=")]
        raise InputError.one(
            "--limit" if len(limits) == len(specs) else "--filter",
            " ".join(limits) if len(limits) == len(specs) else " ".join(specs),
            "matches no device",
            "check the values with `communelan inventory`",
        )
    return narrowed


def limit_specs(pattern: str | None) -> list[str]:
    """`--limit PATTERN` as a filter term (none when not given)."""
    return [f"limit={pattern}"] if pattern else []


def limit_matches(host: Host, pattern: str) -> bool:
    """Ansible's host pattern: the union of the plain parts, minus `!` parts, within `&` parts.
    Each part is a glob over the host's name and its groups' names."""
    names = [host.name, *(g.name for g in host.groups)]
    parts = [p.strip() for p in re.split(r"[,:]", pattern) if p.strip()]

    def hit(glob: str) -> bool:
        return any(fnmatchcase(name, glob) for name in names)

    plain = [p for p in parts if p[0] not in "!&"]
    return (
        (not plain or any(hit(p) for p in plain))
        and all(hit(p[1:]) for p in parts if p[0] == "&")
        and not any(hit(p[1:]) for p in parts if p[0] == "!")
    )
