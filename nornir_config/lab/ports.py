"""A device's ports and VLANs as its config sets them up, in the lab's vendor-free terms.

Each dialect reads its own config into these (`LabDevice.state()`); the office twin cables
them (link status, neighbours, ARP and MAC tables) whatever the vendor.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

from netutils.interface import abbreviated_interface_name

ALL_VLANS = frozenset(range(1, 4095))


@dataclass
class PortState:
    """One interface as the config sets it up (link status is filled in by the twin)."""

    name: str
    kind: str  # physical | subinterface | svi | loopback | other
    index: int
    description: str = ""
    enabled: bool = True
    switchport: bool = False
    mode: str = "access"  # access | trunk (switchports only)
    access_vlan: int = 1
    native_vlan: int = 1
    allowed: frozenset[int] = ALL_VLANS
    dot1q: int | None = None
    ipv4: list[ipaddress.IPv4Interface] = field(default_factory=list)
    ipv6: list[ipaddress.IPv6Interface] = field(default_factory=list)
    helpers: list[str] = field(default_factory=list)
    acl_in: str = ""
    acl_out: str = ""
    vrf: str = ""
    mtu: int = 1500
    bandwidth: int = 1_000_000  # kbit/s
    mac: str = ""
    up: bool = False  # line protocol
    peer: tuple[str, str] | None = None  # (device name, port) when cabled and up

    @property
    def short(self) -> str:
        return str(abbreviated_interface_name(self.name))

    @property
    def status(self) -> str:
        if not self.enabled:
            return "administratively down"
        return "up" if self.up else "down"

    def carries(self, vlan: int) -> bool:
        """A switchport that forwards frames of `vlan`."""
        if self.mode == "trunk":
            return vlan in self.allowed
        return vlan == self.access_vlan


@dataclass(frozen=True)
class Packet:
    """One IPv4 packet as an interface filter sees it (the NOC's SSH and its replies)."""

    protocol: str  # tcp | udp | icmp | ...
    source: ipaddress.IPv4Address
    destination: ipaddress.IPv4Address
    source_port: int = 0
    destination_port: int = 0
    established: bool = False  # a TCP reply (ACK set): what `established` matches

    def reply(self) -> Packet:
        """The packet that answers this one."""
        return Packet(
            self.protocol,
            self.destination,
            self.source,
            self.destination_port,
            self.source_port,
            self.protocol == "tcp",
        )


# Whether the device's filter `name` passes a packet (the dialect reads its own ACLs).
PacketFilter = Callable[[str, Packet], bool]


def _no_filters(_name: str, _packet: Packet) -> bool:
    return True


@dataclass
class ConfigState:
    """What one device's own config says; no cabling."""

    ports: dict[str, PortState]
    vlans: dict[int, str]
    routes: list[tuple[ipaddress.IPv4Network, str]]  # static: prefix, next hop or interface
    base_mac: str
    switch: bool
    # where a device that does not route sends what is not on its wire (a switch's default
    # gateway); None: its routes decide
    gateway: ipaddress.IPv4Address | None = None
    # the interface filters (`PortState.acl_in/acl_out` name them): the dialect's evaluator
    permits: PacketFilter = _no_filters
