"""Zone isolation: evaluate the inbound ACL of a zone's gateway against forbidden networks."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from nornir_config.lint.acl import Net, leaks, parse_entry, span
from nornir_config.lint.model import Rule
from nornir_config.lint.parsed import compiled, compiled_lines, lookup
from nornir_config.lint.registry import DeviceView, Hit, register


def _prepare(params: dict[str, Any]) -> None:
    if not params.get("zones") or not params.get("targets"):
        raise ValueError("needs 'zones' (zone keys) and 'targets' (a context path to networks)")
    params["zones"] = tuple(params["zones"])
    params.setdefault("allow", {})


def _networks(value: Any) -> list[Net]:
    items = value if isinstance(value, list | tuple) else [value]
    return [
        v if isinstance(v, ipaddress.IPv4Network) else ipaddress.IPv4Network(str(v), strict=False)
        for v in items
    ]


@register("zone_isolation", prepare=_prepare)
def zone_isolation(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """Each listed zone's gateway filters inbound so that no packet reaches `targets`."""
    dialect = view.dialect
    address_lines = compiled_lines(dialect["ip_address"])
    acl_in_re = compiled(dialect["acl_in"])
    targets = _networks(lookup(view.context, rule.params["targets"]))
    target_spans = [span(t) for t in targets]
    zones = lookup(view.context, "zone")
    gateways: dict[str, tuple[str, Any]] = {}
    for name, _klass, node in view.interfaces():
        for found in address_lines.finditer(node.body):
            gateways[found.group("address")] = (name, node)
    acls: dict[str, tuple[bool, Any]] = {}
    for key in ("acl_extended", "acl_standard"):
        regex = compiled(dialect[key])
        for node in view.parsed.top:
            head = regex.match(node.text)
            if head:
                acls[head.group("name")] = (key == "acl_extended", node)
    for key in rule.params["zones"]:
        zone = zones.get(key)
        if zone is None:
            continue
        source = ipaddress.IPv4Network(zone["prefix"])
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
                f"zone {key}: ACL {acl_name} on {iface} is not defined (IOS then permits all)",
                node.line,
            )
            continue
        extended, acl_node = acls[acl_name]
        entries = [
            (c.line, e)
            for c in acl_node.children
            if (e := parse_entry(c.text, extended)) is not None
        ]
        for line, _entry, reached in leaks(entries, source_span, target_spans, allowed):
            text = next(c.text.strip() for c in acl_node.children if c.line == line)
            shown = ", ".join(str(n) for n in reached[:3]) + (" ..." if len(reached) > 3 else "")
            yield Hit(f"zone {key} ({source}) reaches {shown} through '{text}' of {acl_name}", line)
