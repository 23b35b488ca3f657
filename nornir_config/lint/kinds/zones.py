"""Zone isolation: evaluate the inbound ACL of a zone's gateway against forbidden networks."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from functools import cache
from typing import Any

from nornir_config.lint.acl import Net, leaks, span
from nornir_config.lint.model import Rule
from nornir_config.lint.parsed import compiled, compiled_lines, lookup
from nornir_config.lint.registry import DeviceView, Hit, register
from nornir_config.platforms import driver


def _prepare(params: dict[str, Any]) -> None:
    if not params.get("zones") or not params.get("targets"):
        raise ValueError(
            "needs 'zones' (zone keys) and 'targets' (context paths to networks, one or a list)"
        )
    params["zones"] = tuple(params["zones"])
    targets = params["targets"]
    params["targets"] = (targets,) if isinstance(targets, str) else tuple(targets)
    params.setdefault("allow", {})


@cache
def _network(text: str) -> Net:
    return ipaddress.IPv4Network(text, strict=False)


def _networks(value: Any) -> list[Net]:
    items = value if isinstance(value, list | tuple) else [value]
    return [v if isinstance(v, ipaddress.IPv4Network) else _network(str(v)) for v in items]


def _targets(context: Any, paths: tuple[str, ...]) -> list[Net]:
    """The networks at `paths`; a `zone.<key>` path of a zone this office lacks is no target."""
    zones = lookup(context, "zone")
    out: list[Net] = []
    for path in paths:
        parts = path.split(".")
        if parts[0] == "zone" and len(parts) > 1 and parts[1] not in zones:
            continue
        out.extend(_networks(lookup(context, path)))
    return out


def _gateways_and_acls(
    view: DeviceView,
) -> tuple[dict[str, tuple[str, Any]], dict[str, tuple[bool, Any]]]:
    """Interface by address, and ACL (extended?, node) by name: read once per config."""
    found = view.memo.get("zone_isolation")
    if found is None:
        dialect = view.dialect
        address_lines = compiled_lines(dialect["ip_address"])
        gateways: dict[str, tuple[str, Any]] = {}
        for name, _klass, node in view.interfaces():
            for match in address_lines.finditer(node.body):
                gateways[match.group("address")] = (name, node)
        acls: dict[str, tuple[bool, Any]] = {}
        for key in ("acl_extended", "acl_standard"):
            regex = compiled(dialect[key])
            for node in view.parsed.top:
                head = regex.match(node.text)
                if head:
                    acls[head.group("name")] = (key == "acl_extended", node)
        found = view.memo["zone_isolation"] = (gateways, acls)
    return found


@register("zone_isolation", prepare=_prepare)
def zone_isolation(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """Each listed zone's gateway filters inbound so that no packet reaches `targets`."""
    targets = _targets(view.context, rule.params["targets"])
    if not targets:
        return
    target_spans = [span(t) for t in targets]
    zones = lookup(view.context, "zone")
    gateways, acls = _gateways_and_acls(view)
    acl_in_re = compiled(view.dialect["acl_in"])
    for key in rule.params["zones"]:
        zone = zones.get(key)
        if zone is None:
            continue
        source = _network(zone["prefix"])
        source_span = span(source)
        allowed = [
            span(n)
            for path in rule.params["allow"].get(key, ())
            for n in _networks(lookup(view.context, path))
        ]
        where = gateways.get(zone["gateway"])
        if where is None:
            yield Hit(f"zone {key}: no interface holds its gateway {zone['gateway']}")
            continue
        iface, node = where
        acl_name = next(
            (m.group("name") for c in node.children if (m := acl_in_re.match(c.text))), None
        )
        if acl_name is None:
            yield Hit(
                f"zone {key} ({source}) on {iface} has no inbound ACL: it reaches "
                f"{', '.join(map(str, targets))}",
                node.line,
            )
            continue
        if acl_name not in acls:
            yield Hit(
                f"zone {key}: ACL {acl_name} on {iface} is not defined (so all is permitted)",
                node.line,
            )
            continue
        extended, acl_node = acls[acl_name]
        parse_entry = driver(view.platform).lint.acl_entry
        entries = [
            (c.line, e)
            for c in acl_node.children
            if (e := parse_entry(c.text, extended)) is not None
        ]
        for line, _entry, reached in leaks(entries, source_span, target_spans, allowed):
            text = next(c.text.strip() for c in acl_node.children if c.line == line)
            shown = ", ".join(str(n) for n in reached[:3]) + (" ..." if len(reached) > 3 else "")
            yield Hit(f"zone {key} ({source}) reaches {shown} through '{text}' of {acl_name}", line)
