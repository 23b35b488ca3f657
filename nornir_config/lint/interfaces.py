"""Interface classes (access, trunk, WAN, unused, ...) from the platform's lint dialect."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from nornir_config.lint.parsed import Node, compiled, compiled_lines, fill, literal
from nornir_config.lint.registry import DeviceView
from nornir_config.platforms.base import Platform


def dialect(platform: Platform) -> dict[str, Any]:
    """The lint dialect of a platform (its driver's `lint` data)."""
    return platform.data("lint")


@dataclass(frozen=True)
class _Spec:
    klass: str
    names: tuple[str, ...] | None
    roles: tuple[str, ...] | None  # only on devices of these roles (a router's Vlanif)
    has_lines: frozenset[str]  # exact lines that must all be present
    has_regex: tuple[re.Pattern[str], ...]
    lacks: tuple[re.Pattern[str], ...]


def _spec(data: dict[str, Any]) -> _Spec:
    exact = [literal(p) for p in data.get("has", ())]
    return _Spec(
        klass=data["class"],
        names=tuple(data["names"]) if "names" in data else None,
        roles=tuple(data["roles"]) if "roles" in data else None,
        has_lines=frozenset(e for e in exact if e is not None),
        has_regex=tuple(
            compiled_lines(p) for p, e in zip(data.get("has", ()), exact, strict=True) if e is None
        ),
        lacks=tuple(compiled_lines(p) for p in data.get("lacks", ())),
    )


@cache
def _specs(platform: Platform) -> tuple[_Spec, ...]:
    return tuple(_spec(d) for d in dialect(platform)["interface_classes"])


def classify(view: DeviceView) -> list[tuple[str, str, Node]]:
    """(name, class, node) of every interface of the device, in config order."""
    head = compiled(view.dialect["interface"])
    specs = [
        (spec, {fill(n, view.context, escape=False) for n in spec.names} if spec.names else None)
        for spec in _specs(view.driver)
    ]
    out: list[tuple[str, str, Node]] = []
    for node in view.parsed.top:
        match = head.match(node.text)
        if not match:
            continue
        name = match.group("name")
        lines = node.lineset
        klass = "other"
        for spec, names in specs:
            if names is not None and name not in names:
                continue
            if spec.roles is not None and view.role not in spec.roles:
                continue
            if not spec.has_lines <= lines:
                continue
            if spec.has_regex and not all(r.search(node.body) for r in spec.has_regex):
                continue
            if spec.lacks and any(r.search(node.body) for r in spec.lacks):
                continue
            klass = spec.klass
            break
        out.append((name, klass, node))
    return out
