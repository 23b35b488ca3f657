"""Whether the NOC reaches a lab device's management address, as a real office decides it.

The NOC sits beyond the provider: out of any enabled routed port that no lab cable joins (the
router's WAN). A device answers the NOC when its management address is on an up interface,
its replies find the way out (connected subnets, a host-mode default gateway, static routes,
hop by hop across the office's cabling, VLANs and trunks) and the edge router routes the NOC's
packets back to that address. On the way, each interface filter passes the NOC's SSH and its
replies (`acl_in` where a packet comes in, `acl_out` where it leaves, except for packets the
device itself sends; the dialect evaluates its own lists: `ConfigState.permits`). Then its
login lines must take SSH from the NOC's address (the
device's dialect decides that part: `admits`). A device refused here gets no login at all:
the SSH connection is reset before the banner, and a session already open stalls until the
path is back.

A device the NOC has never reached through its office, or one with no address configured at
all (a factory box, or one wiped or rolled back to its factory config), is on the staging
bench (configured over the NOC's staging port): only once its office path has worked since it
last had no address does the path decide.
`communelan lab console HOST` never goes through here.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from nornir_config.lab.ports import Packet, PortState
from nornir_config.lab.twin import DeviceView, Twin, twin_of

if TYPE_CHECKING:
    from nornir_config.platforms.base import LabDevice

Address = ipaddress.IPv4Address
HOPS = 10
SSH = 22
CLIENT_PORT = 51000  # the NOC client's source port (an ephemeral one)


def refusal(device: LabDevice, source: str | None, noc: str | None) -> str | None:
    """Why a new SSH connection from `source` gets no login (None: it does); `noc`: the NOC
    address clients are presented from (None: no path to check)."""
    if not device.admits(source):
        return f"the login lines refuse ssh from {source}"
    return path_refusal(device, noc)


def path_refusal(device: LabDevice, noc: str | None) -> str | None:
    """Why the NOC's packets do not reach the device through its office (None: they do, or
    the device is still on the staging bench); marks the device placed once they do."""
    if noc is None:
        return None
    twin = twin_of(device)
    name = device.spec.name
    known = device.spec.address  # None: any address of the device will do
    why, used = _reach(twin, name, Address(noc), known)
    if why is None:
        twin.placed.setdefault(name, str(used))
        return None
    # A box with no address configured at all (factory, wiped, rolled back to its factory
    # config) is reached over staging only, and stays on the bench until its office path
    # works again: addressing it anew is a first install, not a path lost.
    addressed = any(p.ipv4 for p in twin.office_views(name)[name].ports.values())
    if not addressed:
        twin.placed.pop(name, None)
    return why if name in twin.placed else None


def _reach(
    twin: Twin, name: str, noc: Address, known: str | None
) -> tuple[str | None, Address | None]:
    views = twin.office_views(name)
    owned = _owned(twin, name, views[name])
    candidates = [Address(known)] if known else list(owned)
    if not candidates:
        return f"{_host(twin, name)} has no address on an up interface", None
    why = ""
    for address in candidates:
        if address not in owned:
            why = f"management address {address} is not on an up interface"
            continue
        reply = Packet("tcp", address, noc, SSH, CLIENT_PORT, established=True)
        end, where = _forward(twin, views, name, reply)
        if end != "out":
            return where, None
        edge = _route(twin, where, views[where], noc)
        back, there = _forward(twin, views, where, reply.reply(), edge[0] if edge else None)
        if back == "device" and there == name:
            return None, address
        why = there if back == "lost" else f"the NOC's packets for {address} end elsewhere"
    return why, None


def _host(twin: Twin, name: str) -> str:
    return twin.devices[name].hostname


def _outside(twin: Twin, name: str, view: DeviceView, port: PortState) -> bool:
    """A routed port toward the provider: enabled, and no lab cable on it (or its parent)."""
    parent = port.name.split(".")[0]
    if port.switchport or port.kind not in ("physical", "subinterface") or port.vrf:
        return False
    base = view.ports.get(parent)
    enabled = port.enabled and base is not None and base.enabled
    return enabled and (name, parent) not in twin.cables


def _usable(twin: Twin, name: str, view: DeviceView) -> list[PortState]:
    """The device's global-table L3 interfaces that pass packets."""
    return [
        p
        for p in view.ports.values()
        if p.ipv4 and not p.switchport and not p.vrf and (p.up or _outside(twin, name, view, p))
    ]


def _owned(twin: Twin, name: str, view: DeviceView) -> dict[Address, PortState]:
    return {a.ip: p for p in _usable(twin, name, view) for a in p.ipv4}


def _route(
    twin: Twin, name: str, view: DeviceView, dst: Address
) -> tuple[PortState, Address | None] | None:
    """The egress interface and next hop (None: dst is on the wire) for `dst`."""
    usable = [p for p in _usable(twin, name, view) if p.kind != "loopback"]
    for port in usable:
        if any(dst in a.network for a in port.ipv4):
            return port, None
    hop: Address | None = view.config.gateway
    if hop is None:
        matching = [(net, target) for net, target in view.config.routes if dst in net]
        if not matching:
            return None
        _net, target = max(matching, key=lambda r: r[0].prefixlen)
        if not re.match(r"\d+\.\d+\.\d+\.\d+$", target):
            via = next((p for p in usable if p.name == target), None)
            return (via, None) if via is not None else None
        hop = Address(target)
    for port in usable:
        if any(hop in a.network for a in port.ipv4):
            return port, hop
    return None


def _forward(
    twin: Twin,
    views: dict[str, DeviceView],
    start: str,
    packet: Packet,
    ingress: PortState | None = None,
) -> tuple[str, str]:
    """Where `packet` ends, sent by `start` (or come in on its `ingress` port): ("device",
    its owner), ("out", the device whose port toward the provider it leaves by), or ("lost",
    why)."""
    dst = packet.destination
    here, came_in = start, ingress
    for _ in range(HOPS):
        view = views[here]
        if came_in is not None and not _passes(view, came_in.acl_in, packet):
            return "lost", _dropped(twin, here, came_in, "in", packet)
        if dst in _owned(twin, here, view):
            return "device", here
        route = _route(twin, here, view, dst)
        if route is None:
            return "lost", f"{_host(twin, here)} has no route to {dst}"
        port, hop = route
        # an outbound filter does not see the packets the device sends itself
        if came_in is not None and not _passes(view, port.acl_out, packet):
            return "lost", _dropped(twin, here, port, "out", packet)
        if _outside(twin, here, view, port):
            return "out", here
        target = hop or dst
        segment = view.segments.get(port.name)
        arrival = next(
            (
                (dev, p)
                for dev, other in views.items()
                if dev != here
                for p in other.ports.values()
                if other.segments.get(p.name) == segment and any(target == a.ip for a in p.ipv4)
            ),
            None,
        )
        if arrival is None:
            return "lost", f"{target} does not answer {_host(twin, here)} on {port.name}"
        here, came_in = arrival
    return "lost", f"no way to {dst} within {HOPS} hops"


def _passes(view: DeviceView, acl: str, packet: Packet) -> bool:
    return not acl or view.config.permits(acl, packet)


def _dropped(twin: Twin, name: str, port: PortState, direction: str, packet: Packet) -> str:
    acl = port.acl_in if direction == "in" else port.acl_out
    what = (
        f"the SSH replies from {packet.source} to the NOC"
        if packet.established
        else f"the NOC's SSH to {packet.destination}"
    )
    return f"access list {acl} ({direction} on {_host(twin, name)} {port.name}) drops {what}"
