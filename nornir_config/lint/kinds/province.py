"""Cross-device kinds over the whole province: addresses, WAN peers, VLANs.

Each reads a device once into a small digest (`digest=`) as the device pass goes, so no parsed
config outlives its own checks (a national lint would hold 10,000 of them); the kind itself
then runs over the digests."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from nornir_config.lint.kinds.lines import vlan_set
from nornir_config.lint.model import Rule
from nornir_config.lint.parsed import compiled, compiled_lines
from nornir_config.lint.registry import DeviceView, Hit, register

Addr = tuple[ipaddress.IPv4Interface, str, int]


def _addresses(view: DeviceView) -> Iterator[tuple[ipaddress.IPv4Interface, int]]:
    for _name, _klass, node in view.interfaces():
        yield from _addresses_of(view, node)


@dataclass(frozen=True)
class AddressDigest:
    """What `unique_addresses` keeps of a device: its addresses (as integers: a forked child
    sends 35,000 of them back, and the check hashes and sorts them) and their lines."""

    name: str
    code: str
    addresses: tuple[tuple[int, int, int], ...]  # address, prefix length, line


def _address_digest(rule: Rule, view: DeviceView) -> AddressDigest:
    return AddressDigest(
        view.name,
        str(view.context["code"]),
        tuple((int(iface.ip), iface.network.prefixlen, line) for iface, line in _addresses(view)),
    )


def _subnet(low: int, prefix: int) -> str:
    return f"{ipaddress.IPv4Address(low)}/{prefix}"


@register("unique_addresses", scope="province", digest=_address_digest)
def unique_addresses(rule: Rule, digests: list[AddressDigest]) -> Iterator[tuple[str, Hit]]:
    """No address on two interfaces; no subnet of one commune overlapping another commune's."""
    owners: dict[int, list[tuple[str, int]]] = defaultdict(list)
    subnets: dict[tuple[int, int], tuple[str, str, int]] = {}  # (network, prefix) -> first
    for view in digests:
        for address, prefix, line in view.addresses:
            owners[address].append((view.name, line))
            code = view.code
            net = (address & (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF, prefix)
            first = subnets.setdefault(net, (code, view.name, line))
            if first[0] != code:
                yield (
                    view.name,
                    Hit(
                        f"subnet {_subnet(*net)} of commune {code} is also used by commune "
                        f"{first[0]} ({first[1]})",
                        line,
                    ),
                )
    for address, where in owners.items():
        if len(where) > 1:
            names = ", ".join(name for name, _ in where)
            for name, line in where:
                yield (
                    name,
                    Hit(
                        f"address {ipaddress.IPv4Address(address)} is used on {len(where)} "
                        f"interfaces ({names})",
                        line,
                    ),
                )
    # Sweep the subnets in address order: each one overlaps the widest still open before it.
    spans = sorted((low, -(low | (0xFFFFFFFF >> prefix)), (low, prefix)) for low, prefix in subnets)
    open_high, open_net = -1, None
    for low, negative_high, net in spans:
        if open_net is not None and low <= open_high:
            code, name, line = subnets[net]
            other_code, other_name, _ = subnets[open_net]
            if code != other_code:
                message = (
                    f"subnet {_subnet(*net)} of commune {code} overlaps {_subnet(*open_net)} of "
                    f"commune {other_code} ({other_name})"
                )
                yield name, Hit(message, line)
        if -negative_high > open_high:
            open_high, open_net = -negative_high, net


def _prepare_routes(params: dict[str, Any]) -> None:
    params.setdefault("route", r"^ip route \S+ \S+ (?P<nexthop>\d+\.\d+\.\d+\.\d+)")
    if "nexthop" not in compiled(params["route"]).groupindex:
        raise ValueError("'route' needs a (?P<nexthop>...) group")


@dataclass(frozen=True)
class RouteDigest:
    """What `wan_peers` keeps of a router: connected and WAN subnets, static routes."""

    name: str
    connected: tuple[ipaddress.IPv4Network, ...]
    wan: frozenset[ipaddress.IPv4Network]
    routes: tuple[tuple[str, int, ipaddress.IPv4Address], ...]  # line text, line, next hop


def _route_digest(rule: Rule, view: DeviceView) -> RouteDigest | None:
    if view.role != "router":
        return None
    route_re = compiled(rule.params["route"])
    wan = frozenset(
        iface.network
        for name, klass, node in view.interfaces()
        if klass == "wan"
        for iface, _ in _addresses_of(view, node)
    )
    routes = []
    for node in view.parsed.top:
        match = route_re.match(node.text)
        if match:
            routes.append((node.text, node.line, ipaddress.IPv4Address(match["nexthop"])))
    connected = tuple(iface.network for iface, _ in _addresses(view))
    return RouteDigest(view.name, connected, wan, tuple(routes))


@register("wan_peers", scope="province", prepare=_prepare_routes, digest=_route_digest)
def wan_peers(rule: Rule, digests: list[RouteDigest | None]) -> Iterator[tuple[str, Hit]]:
    """Every static route's next hop is on a connected WAN subnet; no two routers share a peer."""
    peers: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for view in digests:
        if view is None:
            continue
        for text, line, hop in view.routes:
            if not any(hop in net for net in view.connected):
                yield (
                    view.name,
                    Hit(f"next hop {hop} of '{text}' is on no connected subnet", line),
                )
            elif not any(hop in net for net in view.wan):
                yield (view.name, Hit(f"next hop {hop} of '{text}' is not on a WAN port", line))
            else:
                peers[str(hop)].append((view.name, line))
    for peer, where in peers.items():
        routers = sorted({name for name, _ in where})
        if len(routers) > 1:
            for name, line in where:
                yield name, Hit(f"WAN peer {peer} is shared by {', '.join(routers)}", line)


@cache
def _interface(address: str, mask: str) -> ipaddress.IPv4Interface | None:
    try:
        return ipaddress.IPv4Interface(f"{address}/{mask}")
    except ValueError:
        return None


def _addresses_of(view: DeviceView, node: Any) -> Iterator[tuple[ipaddress.IPv4Interface, int]]:
    pattern = view.dialect["ip_address"]
    if not compiled_lines(pattern).search(node.body):
        return  # most interfaces of a switch have no address: skip making their child nodes
    regex = compiled(pattern)
    for child in node.children:
        match = regex.match(child.text)
        if match:
            iface = _interface(match["address"], match["mask"])
            if iface is not None:
                yield iface, child.line


def _prepare_vlans(params: dict[str, Any]) -> None:
    params.setdefault("subinterface", r"^ encapsulation dot1Q (?P<vlan>\d+)")
    params.setdefault("define", r"^vlan (?P<vlan>\d+)$")
    params.setdefault("name", r"^ name (?P<name>\S+)$")
    params.setdefault("allowed", r"^ switchport trunk allowed vlan (?P<vlans>\S+)$")


@dataclass(frozen=True)
class VlanDigest:
    """What `vlan_consistency` keeps of a device: the VLANs it routes (a router), defines with
    their names and lines, and lets through each trunk (a switch)."""

    name: str
    code: str
    role: str
    routed: frozenset[int] = frozenset()
    defined: tuple[tuple[int, int, str], ...] = ()  # vlan, line, name
    trunks: tuple[tuple[str, frozenset[int], int], ...] = ()  # port, allowed, line


def _vlan_digest(rule: Rule, view: DeviceView) -> VlanDigest:
    p = rule.params
    code = str(view.context["code"])
    if view.role == "router":
        sub_re, sub_lines = compiled(p["subinterface"]), compiled_lines(p["subinterface"])
        routed: set[int] = set()
        # Searched in each block's body: no child nodes made for a router's 100 blocks.
        for node in view.parsed.top:
            if head := sub_re.match(node.text):
                routed.add(int(head["vlan"]))
            if not node.flat:
                routed.update(int(m["vlan"]) for m in sub_lines.finditer(node.body))
        return VlanDigest(view.name, code, view.role, routed=frozenset(routed))
    if view.role != "switch":
        return VlanDigest(view.name, code, view.role)
    def_re, name_lines = compiled(p["define"]), compiled_lines(p["name"])
    allowed_re = compiled(p["allowed"])
    defined = []
    for node in view.parsed.matching(def_re):
        match = def_re.match(node.text)
        if match:
            named = name_lines.search(node.body)  # the body: no child nodes made
            defined.append((int(match["vlan"]), node.line, named["name"] if named else ""))
    trunks = []
    for name, klass, node in view.interfaces():
        if klass != "trunk":
            continue
        for child in node.children:
            allowed = allowed_re.match(child.text)
            if allowed:
                trunks.append((name, frozenset(vlan_set(allowed["vlans"])), child.line))
    return VlanDigest(view.name, code, view.role, defined=tuple(defined), trunks=tuple(trunks))


@register("vlan_consistency", scope="province", prepare=_prepare_vlans, digest=_vlan_digest)
def vlan_consistency(rule: Rule, digests: list[VlanDigest]) -> Iterator[tuple[str, Hit]]:
    """Per commune: the router's VLANs exist on every switch and pass every trunk; one name each."""
    by_code: dict[str, list[VlanDigest]] = defaultdict(list)
    for view in digests:
        by_code[view.code].append(view)
    for members in by_code.values():
        routed: set[int] = set()
        for view in members:
            routed |= view.routed
        names: dict[int, tuple[str, str]] = {}
        for view in members:
            if view.role != "switch":
                continue
            defined: dict[int, int] = {}
            for vlan, line, label in view.defined:
                defined[vlan] = line
                seen = names.setdefault(vlan, (label, view.name))
                if seen[0] != label:
                    yield (
                        view.name,
                        Hit(f"VLAN {vlan} is named {label} here but {seen[0]} on {seen[1]}", line),
                    )
            missing = sorted(routed - set(defined))
            if missing:
                yield (
                    view.name,
                    Hit(
                        f"VLANs routed by the commune router are not defined: "
                        f"{', '.join(map(str, missing))}"
                    ),
                )
            for name, allowed, line in view.trunks:
                lacking = sorted(routed - allowed)
                if lacking:
                    yield (
                        view.name,
                        Hit(
                            f"trunk {name} does not carry VLANs {', '.join(map(str, lacking))}",
                            line,
                        ),
                    )
