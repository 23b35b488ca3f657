"""`--filter key=value[,value]`: the one host selection every command shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
}


def parse_filters(specs: Iterable[str]) -> list[tuple[str, frozenset[str]]]:
    """Parse `key=v1,v2` terms (ANDed between terms, ORed within one)."""
    terms: list[tuple[str, frozenset[str]]] = []
    problems: list[Problem] = []
    for spec in specs:
        key, sep, values = spec.partition("=")
        key = key.strip()
        wanted = frozenset(v.strip() for v in values.split(",") if v.strip())
        if not sep or not wanted:
            problems.append(
                Problem(
                    "--filter", spec, "is not key=value", "write e.g. code=14797 or role=switch"
                )
            )
        elif key not in KEYS:
            problems.append(
                Problem("--filter", spec, f"unknown key '{key}'", f"use one of: {', '.join(KEYS)}")
            )
        else:
            terms.append((key, wanted))
    if problems:
        raise InputError(problems)
    return terms


def host_matches(host: Host, terms: list[tuple[str, frozenset[str]]]) -> bool:
    for key, wanted in terms:
        where = KEYS[key]
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
        raise InputError.one(
            "--filter",
            " ".join(specs),
            "matches no device",
            "check the values with `communelan inventory`",
        )
    return narrowed
