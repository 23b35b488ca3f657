"""The province address plan, computed with `ipaddress` only.

A commune's block is block number `site` of the supernet, so adding or removing a commune
never renumbers another; zones are packed largest first inside the block, which keeps every
subnet aligned.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

IPv4Net = ipaddress.IPv4Network
IPv4Addr = ipaddress.IPv4Address


class PlanError(ValueError):
    """The plan cannot be carved: the message says what is exhausted or overlaps."""


class SiteBeyondPool(PlanError):
    """The site number has no block left in `pool` (an `addressing` key)."""

    def __init__(self, message: str, pool: str = "supernet") -> None:
        super().__init__(message)
        self.pool = pool


class ZonesTooBig(PlanError):
    """The zones together need more addresses than one site block holds."""


@dataclass(frozen=True)
class ZoneSpec:
    name: str
    vlan: int
    prefix: int
    dhcp: bool
    reserved: int


@dataclass(frozen=True)
class ZonePlan:
    name: str
    vlan: int
    subnet: IPv4Net
    gateway: IPv4Addr
    dhcp_first: IPv4Addr | None
    dhcp_last: IPv4Addr | None
    reserved_last: IPv4Addr

    @property
    def netmask(self) -> IPv4Addr:
        return self.subnet.netmask

    @property
    def wildcard(self) -> IPv4Addr:
        return self.subnet.hostmask

    def host(self, offset: int) -> IPv4Addr:
        """The `offset`-th address of the subnet (1 is the gateway)."""
        if not 0 < offset < self.subnet.num_addresses - 1:
            raise PlanError(f"host offset {offset} is outside {self.subnet}")
        return self.subnet.network_address + offset


@dataclass(frozen=True)
class P2P:
    """A /30 point-to-point link: the provider's end and ours."""

    subnet: IPv4Net
    peer: IPv4Addr
    local: IPv4Addr


@dataclass(frozen=True)
class SitePlan:
    site: int
    block: IPv4Net
    zones: Mapping[str, ZonePlan]
    tslcd: P2P
    internet: P2P


def nth_block(pool: IPv4Net, prefix: int, index: int, what: str) -> IPv4Net:
    """Block `index` of size /prefix in `pool`, or PlanError when the pool is exhausted."""
    if prefix < pool.prefixlen:
        raise PlanError(f"a /{prefix} {what} does not fit in {pool}")
    count = 1 << (prefix - pool.prefixlen)
    if not 0 <= index < count:
        raise SiteBeyondPool(
            f"{what} {index} is beyond {pool}, which holds {count} blocks of /{prefix}"
        )
    size = 1 << (32 - prefix)
    return ipaddress.IPv4Network((int(pool.network_address) + index * size, prefix))


def carve_zones(block: IPv4Net, zones: list[ZoneSpec]) -> dict[str, ZonePlan]:
    """Pack zone subnets into the block, largest first (ties by VLAN id), each aligned."""
    cursor = int(block.network_address)
    end = cursor + (1 << (32 - block.prefixlen))
    plans: dict[str, ZonePlan] = {}
    address, network = ipaddress.IPv4Address, ipaddress.IPv4Network
    for spec in sorted(zones, key=lambda z: (z.prefix, z.vlan)):
        if spec.prefix < block.prefixlen:
            raise ZonesTooBig(
                f"zone {spec.name} /{spec.prefix} is larger than a /{block.prefixlen} site block"
            )
        size = 1 << (32 - spec.prefix)
        if cursor + size > end:
            used = sum(1 << (32 - z.prefix) for z in zones)
            raise ZonesTooBig(
                f"zones need {used} addresses but a /{block.prefixlen} site block has "
                f"{end - int(block.network_address)}"
            )
        subnet = network((cursor, spec.prefix))
        hosts = size - 2
        if spec.reserved >= hosts:
            raise PlanError(f"zone {spec.name} {subnet} has {hosts} hosts, fewer than reserved")
        plans[spec.name] = ZonePlan(
            spec.name,
            spec.vlan,
            subnet,
            address(cursor + 1),
            address(cursor + spec.reserved + 1) if spec.dhcp else None,
            address(cursor + size - 2) if spec.dhcp else None,
            address(cursor + spec.reserved),
        )
        cursor += size
    return plans


def p2p(pool: IPv4Net, index: int, what: str) -> P2P:
    subnet = nth_block(pool, 30, index, what)
    return P2P(subnet, subnet.network_address + 1, subnet.network_address + 2)


def plan_site(
    supernet: IPv4Net,
    site_prefix: int,
    site: int,
    zones: list[ZoneSpec],
    tslcd_pool: IPv4Net,
    internet_pool: IPv4Net,
) -> SitePlan:
    block = nth_block(supernet, site_prefix, site, "site")
    carved = carve_zones(block, zones)
    links: dict[str, P2P] = {}
    for key, pool, what in (
        ("tslcd_p2p_pool", tslcd_pool, "TSLCD link of site"),
        ("internet_p2p_pool", internet_pool, "Internet link of site"),
    ):
        try:
            links[key] = p2p(pool, site, what)
        except SiteBeyondPool as exc:
            raise SiteBeyondPool(str(exc), key) from None
    return SitePlan(
        site=site,
        block=block,
        zones=carved,
        tslcd=links["tslcd_p2p_pool"],
        internet=links["internet_p2p_pool"],
    )


def _bits(count: int) -> int:
    """Bits needed to number `count` blocks (or hold `count` addresses)."""
    return max(count - 1, 0).bit_length()


def sites_held(pool: IPv4Net, pool_key: str, site_prefix: int) -> int:
    """How many sites `pool` (the `addressing` key `pool_key`) has a block or link for."""
    return 1 << ((site_prefix if pool_key == "supernet" else 30) - pool.prefixlen)


def fix_for_pool(site_prefix: int, highest: int, pool_key: str) -> str:
    """A hint that works when sites up to `highest` need more than the pool holds."""
    if pool_key == "supernet":
        wider = site_prefix - _bits(highest + 1)
        return (
            f"enlarge the supernet to a /{wider} "
            f"(holds {1 << (site_prefix - wider)} sites of /{site_prefix})"
        )
    return f"enlarge {pool_key} to a /{30 - _bits(highest + 1)}"


def fix_for_site(pool: IPv4Net, site_prefix: int, highest: int, pool_key: str) -> str:
    """A hint that works when a site has no block: a free number, or a pool big enough for
    the highest site (one hint for every site beyond the pool)."""
    return (
        f"use a free site number below {sites_held(pool, pool_key, site_prefix)}, or "
        + fix_for_pool(site_prefix, highest, pool_key)
    )


def fix_for_zones(supernet: IPv4Net, site_prefix: int, zones: list[ZoneSpec], sites: int) -> str:
    """A hint that works when the zones overflow a site block: the site_prefix that holds them,
    and the supernet that still holds every site at that size."""
    used = sum(1 << (32 - z.prefix) for z in zones)
    needed = 32 - _bits(used)
    hint = f"shrink zone prefixes, or set addressing.site_prefix to {needed}"
    if needed >= site_prefix:
        return "shrink zone prefixes or lower dhcp_reserved"
    if needed - supernet.prefixlen < _bits(sites):
        wider = needed - _bits(sites)
        hint += f" and enlarge the supernet to a /{wider}"
    return hint


def site_of(supernet: IPv4Net, site_prefix: int, address: IPv4Addr) -> int | None:
    """The site number whose block holds `address`, if it is in the supernet."""
    if address not in supernet:
        return None
    return (int(address) - int(supernet.network_address)) >> (32 - site_prefix)


def overlapping(named: Mapping[str, IPv4Net]) -> list[tuple[str, str]]:
    """Pairs of names whose networks overlap."""
    items = sorted(named.items(), key=lambda kv: (kv[1].network_address, kv[1].prefixlen))
    pairs: list[tuple[str, str]] = []
    for i, (name_a, net_a) in enumerate(items):
        for name_b, net_b in items[i + 1 :]:
            if net_b.network_address > net_a.broadcast_address:
                break
            pairs.append((name_a, name_b))
    return pairs
