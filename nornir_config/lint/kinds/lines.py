"""Line and section kinds: required, forbidden, per section, per interface class, VLAN lists."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from nornir_config.lint.model import Rule
from nornir_config.lint.parsed import (
    Node,
    Pattern,
    compiled,
    line_pattern,
    lookup,
    pattern_for,
)
from nornir_config.lint.registry import DeviceView, Hit, register


def _regexes(params: dict[str, Any], key: str) -> None:
    value = params.get(key, [])
    items = [value] if isinstance(value, str) else list(value)
    for item in items:
        if "{{" not in item:
            compiled(item)  # raises re.error (a ValueError) on a bad pattern
    params[key] = tuple(items)


def _prepare_line(params: dict[str, Any]) -> None:
    if "pattern" not in params:
        raise ValueError("needs 'pattern'")
    _regexes(params, "pattern")
    params["pattern"] = params["pattern"][0]
    params["min"] = int(params.get("min", 1))
    params["children"] = bool(params.get("children", False))


def _nodes(view: DeviceView, children: bool) -> Iterable[Node]:
    return view.parsed.walk() if children else view.parsed.top


@register("required_line", prepare=_prepare_line)
def required_line(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """At least `min` lines match `pattern`."""
    need = rule.params["min"]
    pattern = line_pattern(rule.params["pattern"], view.context)
    parsed = view.parsed
    if rule.params["children"]:
        count = sum(1 for n in parsed.walk() if pattern.one.search(n.text))
    elif need == 1 and pattern.exact is not None:
        count = int(pattern.exact in parsed.headset)
    elif pattern.word is not None:
        count = sum(1 for _ in zip(range(need), parsed.find(pattern), strict=False))
    else:
        count = sum(
            1 for _ in zip(range(need), pattern.joined.finditer(parsed.heads), strict=False)
        )
    if count < need:
        if need > 1:
            yield Hit(f"{count} lines match '{pattern.one.pattern}' (need {need})")
        else:
            yield Hit(f"no line matches '{pattern.one.pattern}'")


@register("forbidden_line", prepare=_prepare_line)
def forbidden_line(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """No line matches `pattern`."""
    pattern = line_pattern(rule.params["pattern"], view.context)
    parsed = view.parsed
    if not rule.params["children"]:
        if pattern.word is not None or pattern.exact is not None:
            for node in parsed.find(pattern):
                yield Hit(f"forbidden line '{node.text.strip()}'", node.line)
            return
        if not pattern.search(parsed.heads):
            return
    for node in _nodes(view, rule.params["children"]):
        if pattern.one.search(node.text):
            yield Hit(f"forbidden line '{node.text.strip()}'", node.line)


def _compile(patterns: tuple[str, ...], view: DeviceView) -> tuple[Pattern, ...]:
    return tuple(line_pattern(p, view.context) for p in patterns)


def _check_children(
    node: Node, require: tuple[Pattern, ...], forbid: tuple[Pattern, ...], what: str
) -> Iterator[Hit]:
    lines = node.lineset
    for pattern in require:
        if not pattern.any_in(lines, node.body):
            yield Hit(f"{what} lacks a line matching '{pattern.one.pattern.strip()}'", node.line)
    for pattern in forbid:
        if pattern.any_in(lines, node.body):
            for child in node.children:
                if pattern.one.search(child.text):
                    yield Hit(f"{what} has forbidden line '{child.text.strip()}'", child.line)


def _prepare_section(params: dict[str, Any]) -> None:
    if "parent" not in params:
        raise ValueError("needs 'parent'")
    compiled(params["parent"])
    _regexes(params, "require")
    _regexes(params, "forbid")
    params["required"] = bool(params.get("required", True))


@register("section", prepare=_prepare_section)
def section(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """Every top-level line matching `parent` has the `require`d and no `forbid` child."""
    regex = pattern_for(rule.params["parent"], view.context)
    require = _compile(rule.params["require"], view)
    forbid = _compile(rule.params["forbid"], view)
    found = False
    for node in view.parsed.matching(regex):
        found = True
        yield from _check_children(node, require, forbid, f"'{node.text}'")
    if not found and rule.params["required"]:
        yield Hit(f"no section matches '{regex.pattern}'")


def _prepare_interface(params: dict[str, Any]) -> None:
    klass = params.get("class")
    if not klass:
        raise ValueError("needs 'class' (access, trunk, wan, unused, gateway, svi, other)")
    params["class"] = (klass,) if isinstance(klass, str) else tuple(klass)
    _regexes(params, "require")
    _regexes(params, "forbid")


@register("interface", prepare=_prepare_interface)
def interface(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """Every interface of the given class(es) has the `require`d and none of the `forbid` lines."""
    require = _compile(rule.params["require"], view)
    forbid = _compile(rule.params["forbid"], view)
    for name, klass, node in view.interfaces():
        if klass in rule.params["class"]:
            yield from _check_children(node, require, forbid, f"{klass} port {name}")


def _prepare_vlans(params: dict[str, Any]) -> None:
    if "pattern" not in params or "zone_flag" not in params:
        raise ValueError("needs 'pattern' (with a (?P<vlans>...) group) and 'zone_flag'")
    if "vlans" not in compiled(params["pattern"]).groupindex:
        raise ValueError("'pattern' needs a (?P<vlans>...) group")


def vlan_set(text: str) -> set[int]:
    """`10,20-22` -> {10, 20, 21, 22}."""
    out: set[int] = set()
    for part in text.split(","):
        if "-" in part:
            low, high = part.split("-", 1)
            out.update(range(int(low), int(high) + 1))
        elif part.strip().isdigit():
            out.add(int(part))
    return out


@register("vlan_coverage", prepare=_prepare_vlans)
def vlan_coverage(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """Every zone whose `zone_flag` is true has its VLAN in the lines matching `pattern`."""
    regex = compiled(rule.params["pattern"])
    covered: set[int] = set()
    first: int | None = None
    for node in view.parsed.matching(regex):
        match = regex.search(node.text)
        if match:
            covered |= vlan_set(match.group("vlans"))
            first = first or node.line
    flag = rule.params["zone_flag"]
    wanted = {int(z["vlan"]): z["name"] for z in lookup(view.context, "zones") if z.get(flag)}
    missing = sorted(set(wanted) - covered)
    if missing:
        names = ", ".join(f"{v} ({wanted[v]})" for v in missing)
        yield Hit(f"VLANs with {flag} not covered by '{regex.pattern}': {names}", first)
