"""The address plan: no overlap for any set of communes, stable when communes come and go."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from nornir_config.sot import addressing

SUPERNET = ipaddress.IPv4Network("10.160.0.0/12")
TSLCD = ipaddress.IPv4Network("10.250.0.0/16")
INTERNET = ipaddress.IPv4Network("100.64.0.0/16")
ZONES = [
    addressing.ZoneSpec("mgmt", 10, 27, False, 20),
    addressing.ZoneSpec("staff", 20, 24, True, 20),
    addressing.ZoneSpec("onestop", 30, 25, True, 20),
    addressing.ZoneSpec("video", 40, 27, True, 20),
    addressing.ZoneSpec("camera", 50, 25, True, 20),
    addressing.ZoneSpec("wifi", 60, 24, True, 20),
]

sites = st.sets(st.integers(min_value=0, max_value=1023), min_size=1, max_size=40)


def plan(site: int) -> addressing.SitePlan:
    return addressing.plan_site(SUPERNET, 22, site, ZONES, TSLCD, INTERNET)


def all_networks(plans: list[addressing.SitePlan]) -> dict[str, ipaddress.IPv4Network]:
    nets: dict[str, ipaddress.IPv4Network] = {}
    for p in plans:
        for zone in p.zones.values():
            nets[f"{p.site}/{zone.name}"] = zone.subnet
        nets[f"{p.site}/tslcd"] = p.tslcd.subnet
        nets[f"{p.site}/internet"] = p.internet.subnet
    return nets


@settings(max_examples=60, deadline=None)
@given(sites)
def test_no_overlap_for_any_set_of_communes(chosen: set[int]) -> None:
    plans = [plan(s) for s in chosen]
    assert addressing.overlapping(all_networks(plans)) == []
    for p in plans:
        assert p.block.subnet_of(SUPERNET)
        for zone in p.zones.values():
            assert zone.subnet.subnet_of(p.block)
            assert zone.gateway in zone.subnet and zone.gateway != zone.subnet.network_address


@settings(max_examples=60, deadline=None)
@given(sites, st.integers(min_value=0, max_value=1023))
def test_adding_or_removing_a_commune_renumbers_nothing(chosen: set[int], other: int) -> None:
    before = {s: plan(s) for s in chosen}
    with_other = {s: plan(s) for s in chosen | {other}}
    without_other = {s: plan(s) for s in chosen - {other}}
    for s, p in before.items():
        if s != other:
            assert with_other[s] == p
            assert without_other[s] == p


def test_exhaustion_is_named() -> None:
    try:
        plan(1024)
    except addressing.PlanError as exc:
        assert str(exc) == "site 1024 is beyond 10.160.0.0/12, which holds 1024 blocks of /22"
    else:
        raise AssertionError("site 1024 should not fit")


def test_zones_too_big_for_block_is_named() -> None:
    big = [*ZONES, addressing.ZoneSpec("extra", 70, 23, True, 20)]
    try:
        addressing.carve_zones(ipaddress.IPv4Network("10.160.4.0/22"), big)
    except addressing.PlanError as exc:
        assert str(exc) == "zones need 1344 addresses but a /22 site block has 1024"
    else:
        raise AssertionError("zones should not fit")


def test_overlapping_detects_pairs() -> None:
    nets = {
        "a": ipaddress.IPv4Network("10.0.0.0/8"),
        "b": ipaddress.IPv4Network("10.1.0.0/16"),
        "c": ipaddress.IPv4Network("192.168.0.0/16"),
    }
    assert addressing.overlapping(nets) == [("a", "b")]
