"""`whois` names every planned address, and `ipplan` lists what whois finds."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys

import pytest

from nornir_config.inventory import build_nornir, province_of
from nornir_config.settings import RunSettings
from nornir_config.sot.ipplan import plan_rows, whois
from nornir_config.sot.province import ProvinceData
from tests.conftest import province_root


@pytest.fixture(scope="module")
def province() -> ProvinceData:
    return province_of(build_nornir(RunSettings(root=province_root())))


def test_every_device_and_gateway_round_trips(province: ProvinceData) -> None:
    for device in province.devices:
        answer = whois(province, str(device.mgmt_ip))
        assert answer is not None and answer.code == device.code
        assert answer.device == device.name, (device.name, answer)
        assert answer.zone == "mgmt"
    for row in plan_rows(province):
        answer = whois(province, row.gateway)
        assert answer is not None and answer.code == row.code and answer.subnet == row.subnet


def test_every_address_of_a_commune_round_trips(province: ProvinceData) -> None:
    for code in ("14797", "15853", "15724"):
        router = next(d for d in province.devices if d.code == code and d.role == "router")
        for key, zone in router.plan.zones.items():
            for address in zone.subnet:
                answer = whois(province, str(address))
                assert answer is not None
                assert (answer.code, answer.zone, answer.subnet) == (code, key, str(zone.subnet))
        for link in (router.plan.tslcd, router.plan.internet):
            for address in link.subnet:
                answer = whois(province, str(address))
                assert answer is not None and answer.code == code
        assert whois(province, str(router.plan.tslcd.local)).device == router.name  # type: ignore[union-attr]


def test_outside_the_plan(province: ProvinceData) -> None:
    assert whois(province, "192.0.2.1") is None
    free_site_block = ipaddress.IPv4Address("10.175.255.1")
    assert whois(province, str(free_site_block)) is None


def test_whois_cli() -> None:
    env = {**os.environ, "COMMUNELAN_ROOT": str(province_root()), "COLUMNS": "300", "NO_COLOR": "1"}
    ok = subprocess.run(
        [sys.executable, "-m", "nornir_config", "whois", "10.160.7.2"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0
    assert ok.stdout.strip() == (
        "10.160.7.2: commune 14797 Phường Hạc Thành, zone mgmt, subnet 10.160.7.0/27, "
        "management address, device hac-thanh-14797-sw01"
    )
    bad = subprocess.run(
        [sys.executable, "-m", "nornir_config", "whois", "10.1.2"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 2
    assert (
        bad.stderr.strip()
        == "error: argument: 10.1.2: is not an IPv4 address; fix: give e.g. 10.160.4.25"
    )
