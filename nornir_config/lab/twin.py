"""The office twin: lab devices cabled as the inventory says, and what the cabling implies.

A link is up when both ends are cabled and not shut; VLANs cross a link where both ends carry
them (access VLAN, trunk allowed list, native VLAN untagged, dot1Q sub-interfaces). From
that follow line protocol of SVIs (autostate), LLDP/CDP neighbours, ARP and MAC tables and
connected routes. Computed per office (connected group of devices), again only after a
config change in that office.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from nornir_config.lab.ports import ConfigState, PortState

if TYPE_CHECKING:
    from nornir_config.platforms.base import LabDevice

Node = tuple[str, str, str]  # ("vlan", device, "10") or ("port", device, interface)
_Key = tuple[ConfigState, ...]  # each device's state: a new object after each change


@dataclass(frozen=True)
class Neighbor:
    """One LLDP/CDP neighbour seen on a local port."""

    local_port: str
    name: str
    port: str
    port_description: str
    model: str
    router: bool
    address: str
    mac: str
    software: str


@dataclass(frozen=True)
class ArpEntry:
    address: str
    mac: str
    interface: str
    own: bool


@dataclass(frozen=True)
class MacEntry:
    vlan: int
    mac: str
    port: str


@dataclass
class DeviceView:
    """A device's state with the cabling applied: what the show commands print."""

    config: ConfigState
    ports: dict[str, PortState]
    lldp: list[Neighbor] = field(default_factory=list)
    cdp: list[Neighbor] = field(default_factory=list)
    arp: list[ArpEntry] = field(default_factory=list)
    macs: list[MacEntry] = field(default_factory=list)
    # the layer-2 segment each up L3 interface sits on (equal keys: the same segment)
    segments: dict[str, Node] = field(default_factory=dict)

    def l3_ports(self) -> list[PortState]:
        return [p for p in self.ports.values() if p.ipv4 and not p.switchport]

    def vlan_members(self, vlan: int) -> list[PortState]:
        """Switchports in `vlan` as `show vlan` lists them (trunks while up)."""
        members = []
        for port in self.ports.values():
            if not port.switchport:
                continue
            if port.mode == "trunk":
                if port.up and port.carries(vlan):
                    members.append(port)
            elif port.access_vlan == vlan:
                members.append(port)
        return members


class Twin:
    """The devices of one lab and the cables between them."""

    def __init__(self, devices: dict[str, LabDevice]) -> None:
        self.devices = devices
        self.cables: dict[tuple[str, str], tuple[str, str]] = {}
        for name, device in devices.items():
            for local, peer, peer_port in device.spec.links:
                if peer in devices:
                    self.cables[(name, local)] = (peer, peer_port)
                    self.cables[(peer, peer_port)] = (name, local)
        self.adjacent: dict[str, list[str]] = {}
        for (dev, _), (peer, _) in self.cables.items():
            self.adjacent.setdefault(dev, []).append(peer)
        self._office: dict[str, tuple[str, ...]] = {}
        self._views: dict[tuple[str, ...], tuple[_Key, dict[str, DeviceView]]] = {}
        # devices the NOC has reached through their office, with the address it used
        self.placed: dict[str, str] = {}

    def office(self, name: str) -> tuple[str, ...]:
        """The devices connected to `name` by cables (itself included), sorted."""
        if name not in self._office:
            seen = {name}
            todo = [name]
            while todo:
                here = todo.pop()
                for peer in self.adjacent.get(here, ()):
                    if peer not in seen:
                        seen.add(peer)
                        todo.append(peer)
            group = tuple(sorted(seen))
            for member in group:
                self._office[member] = group
        return self._office[name]

    def view(self, device: LabDevice) -> DeviceView:
        return self.office_views(device.spec.name)[device.spec.name]

    def office_views(self, name: str) -> dict[str, DeviceView]:
        """Every device of `name`'s office, with the cabling applied."""
        group = self.office(name)
        key = tuple(self.devices[n].state() for n in group)
        hit = self._views.get(group)
        if hit is None or any(a is not b for a, b in zip(hit[0], key, strict=True)):
            hit = (key, _compute(self, group))
            self._views[group] = hit
        return hit[1]


_twins: WeakKeyDictionary[LabDevice, Twin] = WeakKeyDictionary()


def cable(devices: dict[str, LabDevice]) -> Twin:
    """Cable a lab's devices together as their specs' `links` say."""
    twin = Twin(devices)
    for device in devices.values():
        _twins[device] = twin
    return twin


def twin_of(device: LabDevice) -> Twin:
    """The device's lab (itself alone when it was never cabled)."""
    twin = _twins.get(device)
    if twin is None:
        twin = cable({device.spec.name: device})
    return twin


def unplace(device: LabDevice) -> None:
    """A device (re)booted with a config of its own: back on the staging bench until the NOC
    reaches it through its office again."""
    twin = _twins.get(device)
    if twin is not None:
        twin.placed.pop(device.spec.name, None)


def view(device: LabDevice) -> DeviceView:
    """The device's state in its lab."""
    return twin_of(device).view(device)


# -- computing one office --------------------------------------------------------------------


def _tags(name: str, view: DeviceView) -> dict[int | None, Node]:
    """What a physical port does with frames per 802.1Q tag (None = untagged)."""
    port = view.ports[name]
    vlans = view.config.vlans
    out: dict[int | None, Node] = {}
    if port.switchport:
        if port.mode == "trunk":
            for vid in port.allowed & vlans.keys():
                out[None if vid == port.native_vlan else vid] = ("vlan", "", str(vid))
        elif port.access_vlan in vlans:
            out[None] = ("vlan", "", str(port.access_vlan))
        return out
    out[None] = ("port", "", name)
    for sub in view.ports.values():
        child = sub.kind == "subinterface" and sub.name.split(".")[0] == name
        if child and sub.enabled and sub.dot1q is not None:
            out[sub.dot1q] = ("port", "", sub.name)
    return out


class _Union:
    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}

    def find(self, node: Node) -> Node:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a: Node, b: Node) -> None:
        self.parent[self.find(a)] = self.find(b)


def _l3_node(dev: str, port: PortState) -> Node:
    """The segment node an L3 interface sits on: its VLAN (SVI) or the port itself."""
    if port.kind == "svi":  # Vlan10, Vlan-interface10, Vlanif10: the VLAN is the last number
        return ("vlan", dev, re.findall(r"\d+", port.name)[-1])
    return ("port", dev, port.name)


def _node(dev: str, local: Node) -> Node:
    return (local[0], dev, local[2])


def _compute(twin: Twin, group: tuple[str, ...]) -> dict[str, DeviceView]:
    views: dict[str, DeviceView] = {}
    for name in group:
        state = twin.devices[name].state()
        ports = {n: dataclasses.replace(p) for n, p in state.ports.items()}
        views[name] = DeviceView(state, ports)
    # physical links
    for name, view_ in views.items():
        for port in view_.ports.values():
            if port.kind != "physical":
                continue
            far = twin.cables.get((name, port.name))
            remote = views[far[0]].ports.get(far[1]) if far and far[0] in views else None
            port.up = bool(port.enabled and remote is not None and remote.enabled)
            port.peer = far if port.up else None
    hosts = _end_hosts(twin, views)
    # layer 2: which VLANs / routed ports share a segment
    union = _Union()
    ends = [(dev, local, far) for (dev, local), far in twin.cables.items() if dev in views]
    for dev, local, (peer, peer_port) in ends:
        if peer not in views:
            continue
        mine, theirs = views[dev], views[peer]
        if local not in mine.ports or not mine.ports[local].up:
            continue
        if peer_port not in theirs.ports:
            continue
        ours, others = _tags(local, mine), _tags(peer_port, theirs)
        for tag, node in ours.items():
            if tag in others:
                union.join(_node(dev, node), _node(peer, others[tag]))
    # line protocol of logical interfaces
    for view_ in views.values():
        for port in view_.ports.values():
            if port.kind == "subinterface":
                parent = view_.ports.get(port.name.split(".")[0])
                port.up = bool(port.enabled and parent is not None and parent.up)
            elif port.kind in ("loopback", "other"):
                port.up = port.enabled
            elif port.kind == "svi":
                vid = int(re.findall(r"\d+", port.name)[-1])
                carried = any(p.up and p.carries(vid) for p in view_.ports.values() if p.switchport)
                port.up = port.enabled and vid in view_.config.vlans and carried
    # layer 3 endpoints per segment
    endpoints: dict[Node, list[tuple[str, PortState]]] = {}
    for name, view_ in views.items():
        for port in view_.ports.values():
            if not port.up or port.switchport or port.kind == "loopback":
                continue
            segment = union.find(_l3_node(name, port))
            view_.segments[port.name] = segment
            endpoints.setdefault(segment, []).append((name, port))
    on_segment = _address_hosts(hosts, union, endpoints)
    for name, view_ in views.items():
        _arp(name, view_, union, endpoints, on_segment)
        if view_.config.switch:
            _macs(name, views, twin, union, endpoints, on_segment)
        _neighbors(name, views, twin)
    return views


@dataclass
class EndHost:
    """A PC, phone or camera on an access port: in the MAC tables of the switches on its way
    and, with the address the office's DHCP pool would lease it, in its gateway's ARP table."""

    device: str
    port: str
    vlan: int
    mac: str
    address: str = ""


def _end_hosts(twin: Twin, views: dict[str, DeviceView]) -> list[EndHost]:
    """One host on three access ports in four (which ones: a hash of device and port, so
    the same every run), on enabled access ports of a configured VLAN that no lab cable
    takes; the port comes up."""
    hosts = []
    for name, view_ in views.items():
        if not view_.config.switch:
            continue
        for port in view_.ports.values():
            if not (port.switchport and port.kind == "physical" and port.mode != "trunk"):
                continue
            if not port.enabled or port.access_vlan == 1 or (name, port.name) in twin.cables:
                continue
            if port.access_vlan not in view_.config.vlans:
                continue
            digest = hashlib.sha1(f"{name}/{port.name}".encode()).digest()
            if digest[0] % 4 == 0:
                continue
            port.up = True
            mac = f"02{digest[1]:02x}.{digest[2]:02x}{digest[3]:02x}.{digest[4]:02x}{digest[5]:02x}"
            hosts.append(EndHost(name, port.name, port.access_vlan, mac))
    return hosts


def _address_hosts(
    hosts: list[EndHost], union: _Union, endpoints: dict[Node, list[tuple[str, PortState]]]
) -> dict[Node, list[EndHost]]:
    """The hosts per segment, each given the next free address of its VLAN's gateway subnet
    past the first 20 (the DHCP pools' excluded range)."""
    by_segment: dict[Node, list[EndHost]] = {}
    for host in hosts:
        by_segment.setdefault(union.find(("vlan", host.device, str(host.vlan))), []).append(host)
    for segment, members in by_segment.items():
        gateways = [a for _dev, p in endpoints.get(segment, []) for a in p.ipv4]
        if not gateways:
            continue
        network = gateways[0].network
        taken = {a.ip for a in gateways}
        free = (a for a in list(network.hosts())[20:] if a not in taken)
        for host in members:
            host.address = str(next(free, ""))
    return by_segment


def _arp(
    name: str,
    view_: DeviceView,
    union: _Union,
    endpoints: dict[Node, list[tuple[str, PortState]]],
    on_segment: dict[Node, list[EndHost]],
) -> None:
    for port in view_.ports.values():
        if not port.up or not port.ipv4 or port.switchport:
            continue
        if port.kind == "loopback":
            continue
        local = _l3_node(name, port)
        for address in port.ipv4:
            view_.arp.append(ArpEntry(str(address.ip), port.mac, port.name, True))
        for dev, other in endpoints.get(union.find(local), []):
            if dev == name and other.name == port.name:
                continue
            for address in other.ipv4:
                if any(address.ip in own.network for own in port.ipv4):
                    view_.arp.append(ArpEntry(str(address.ip), other.mac, port.name, False))
        for host in on_segment.get(union.find(local), []):
            ip = ipaddress.IPv4Address(host.address) if host.address else None
            if ip is not None and any(ip in own.network for own in port.ipv4):
                view_.arp.append(ArpEntry(host.address, host.mac, port.name, False))
    view_.arp.sort(key=lambda e: ipaddress.IPv4Address(e.address))


def _macs(
    name: str,
    views: dict[str, DeviceView],
    twin: Twin,
    union: _Union,
    endpoints: dict[Node, list[tuple[str, PortState]]],
    on_segment: dict[Node, list[EndHost]],
) -> None:
    """Learned MACs: the far L3 interfaces and end hosts of each VLAN, on the port that leads
    to them."""
    view_ = views[name]
    for vid in view_.config.vlans:
        segment = union.find(("vlan", name, str(vid)))
        for port in view_.ports.values():
            if not (port.switchport and port.up and port.carries(vid)):
                continue
            beyond = _behind(name, port.name, vid, views, twin)
            for dev, other in endpoints.get(segment, []):
                if dev in beyond:
                    view_.macs.append(MacEntry(vid, other.mac, port.short))
            for host in on_segment.get(segment, []):
                here = host.device == name and host.port == port.name
                if here or (host.device in beyond and host.device != name):
                    view_.macs.append(MacEntry(vid, host.mac, port.short))


def _behind(name: str, port: str, vid: int, views: dict[str, DeviceView], twin: Twin) -> set[str]:
    """Devices reached through `port` (offices are trees: no way back but the same cable)."""
    far = twin.cables.get((name, port))
    if far is None:
        return set()
    seen = {name}
    todo = [far[0]]
    while todo:
        here = todo.pop()
        if here in seen:
            continue
        seen.add(here)
        todo.extend(p for p in twin.adjacent.get(here, ()) if p not in seen and p in views)
    seen.discard(name)
    return seen


def _neighbors(name: str, views: dict[str, DeviceView], twin: Twin) -> None:
    view_ = views[name]
    me = twin.devices[name]
    for port in view_.ports.values():
        if port.peer is None:
            continue
        peer_name, peer_port = port.peer
        other = twin.devices[peer_name]
        theirs = views[peer_name]
        address = next((str(p.ipv4[0].ip) for p in theirs.l3_ports() if p.up), "")
        remote = theirs.ports[peer_port]
        neighbor = Neighbor(
            local_port=port.name,
            name=other.hostname,
            port=peer_port,
            port_description=remote.description,
            model=other.spec.model,
            router=other.spec.role == "router",
            address=address,
            mac=theirs.config.base_mac,
            software=other.software,
        )
        both = me.discovery() & other.discovery()
        if "cdp" in both:
            view_.cdp.append(neighbor)
        if "lldp" in both:
            view_.lldp.append(neighbor)
