"""The province address plan as rows, and the reverse lookup of any address (`whois`)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from nornir_config.sot import addressing
from nornir_config.sot.province import Device, ProvinceData
from nornir_config.sot.schema import Addressing, Commune


@dataclass(frozen=True)
class PlanRow:
    province: str  # its code: site numbers repeat from one province to the next
    code: str
    commune: str
    kind: str
    site: int
    zone: str
    vlan: int | None
    subnet: str
    gateway: str
    dhcp_range: str


@dataclass(frozen=True)
class Whois:
    address: str
    code: str
    commune: str
    zone: str
    subnet: str
    use: str
    device: str | None


def plan_rows(province: ProvinceData) -> list[PlanRow]:
    rows: list[PlanRow] = []
    for commune, router in _routers(province):
        plan = router.plan
        for zone in sorted(plan.zones.values(), key=lambda z: z.vlan):
            dhcp = f"{zone.dhcp_first}-{zone.dhcp_last}" if zone.dhcp_first else ""
            rows.append(
                PlanRow(
                    router.province.code,
                    commune.code,
                    commune.name,
                    commune.kind,
                    commune.site,
                    zone.name,
                    zone.vlan,
                    str(zone.subnet),
                    str(zone.gateway),
                    dhcp,
                )
            )
        for name, link in (("tslcd-wan", plan.tslcd), ("internet-wan", plan.internet)):
            rows.append(
                PlanRow(
                    router.province.code,
                    commune.code,
                    commune.name,
                    commune.kind,
                    commune.site,
                    name,
                    None,
                    str(link.subnet),
                    str(link.peer),
                    "",
                )
            )
    return rows


def _routers(province: ProvinceData) -> list[tuple[Commune, Device]]:
    return [(d.commune, d) for d in province.devices if d.role == "router"]


def _use_in_zone(
    address: ipaddress.IPv4Address,
    zone: addressing.ZonePlan,
    devices: list[Device],
    recorder: ipaddress.IPv4Address | None,
) -> tuple[str, str | None]:
    if address == zone.subnet.network_address:
        return "network address", None
    if address == zone.subnet.broadcast_address:
        return "broadcast address", None
    if address == zone.gateway:
        router = next(d for d in devices if d.role == "router")
        return "gateway", router.name
    for device in devices:
        if zone.name == "mgmt" and device.mgmt_ip == address:
            return "management address", device.name
    if recorder is not None and address == recorder:
        return "camera recorder", None
    if (
        zone.dhcp_first is not None
        and zone.dhcp_last is not None
        and zone.dhcp_first <= address <= zone.dhcp_last
    ):
        return "DHCP pool", None
    return "reserved for static hosts", None


def whois(province: ProvinceData, text: str) -> Whois | None:
    """Which commune, zone, subnet and device an address belongs to (None: not in the plan)."""
    address = ipaddress.IPv4Address(text)
    by_site: dict[tuple[str, int], list[Device]] = {}
    for device in province.devices:
        by_site.setdefault((device.province.code, device.commune.site), []).append(device)
    for info in province.provinces.values():
        found = _whois_in(info.code, info.addressing, by_site, address, text)
        if found is not None:
            return found
    return None


def _whois_in(
    code: str,
    addr: Addressing,
    by_site: dict[tuple[str, int], list[Device]],
    address: ipaddress.IPv4Address,
    text: str,
) -> Whois | None:
    site = addressing.site_of(addr.supernet, addr.site_prefix, address)
    if site is not None and (code, site) in by_site:
        devices = by_site[(code, site)]
        router = devices[0]
        for key, zone in router.plan.zones.items():
            if address in zone.subnet:
                offset = router.settings.zones[key].recorder_offset  # type: ignore[index]
                recorder = zone.host(offset) if offset else None
                use, owner = _use_in_zone(address, zone, devices, recorder)
                return Whois(
                    text, router.code, router.commune.name, key, str(zone.subnet), use, owner
                )
        return Whois(
            text,
            router.code,
            router.commune.name,
            "unallocated",
            str(router.plan.block),
            "free space in the commune's block",
            None,
        )
    for pool, attr, label in (
        (addr.tslcd_p2p_pool, "tslcd", "TSLCD link"),
        (addr.internet_p2p_pool, "internet", "Internet link"),
    ):
        if address in pool:
            index = (int(address) - int(pool.network_address)) >> 2
            devices = by_site.get((code, index), [])
            if devices:
                link: addressing.P2P = getattr(devices[0].plan, attr)
                router_name: str | None = None
                if address == link.local:
                    use, router_name = f"{label}, commune router", devices[0].name
                elif address == link.peer:
                    use = f"{label}, provider end"
                else:
                    use = f"{label}, network/broadcast"
                return Whois(
                    text,
                    devices[0].code,
                    devices[0].commune.name,
                    attr,
                    str(link.subnet),
                    use,
                    router_name,
                )
    return None
