"""NAPALM's ios driver, unchanged, against lab devices: getters, replace, merge, rollback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from napalm import get_network_driver

from nornir_config.lab.testing import RunningLab


@pytest.fixture
def router(lab: RunningLab) -> Iterator[Any]:
    device = get_network_driver("ios")(**lab.napalm_args("LAB-R1"))
    device.open()
    yield device
    device.close()


def test_get_facts_and_config(router: Any) -> None:
    facts = router.get_facts()
    assert facts["hostname"] == "LAB-R1"
    assert facts["model"] == "ISR4331/K9"
    assert facts["vendor"] == "Cisco"
    assert "17.9" in facts["os_version"]
    assert facts["interface_list"][0] == "GigabitEthernet0/0/0"
    config = router.get_config()
    assert config["running"].splitlines()[-1] == "end"
    assert "version 17.9" in config["startup"]


def test_replace_compare_commit_rollback(router: Any) -> None:
    running = router.get_config()["running"]
    candidate = running.replace("hostname LAB-R1", "hostname TH-RT01").replace(
        "ip http server\n", ""
    )
    router.load_replace_candidate(config=candidate)
    diff = router.compare_config()
    assert "+hostname TH-RT01" in diff and "-hostname LAB-R1" in diff and "-ip http server" in diff
    router.commit_config()
    assert router.get_facts()["hostname"] == "TH-RT01"
    assert router.compare_config() == ""
    assert "hostname TH-RT01" in router.get_config()["startup"]
    router.rollback()
    assert router.get_facts()["hostname"] == "LAB-R1"
    assert "ip http server" in router.get_config()["running"]


def test_merge_commit_and_discard(router: Any) -> None:
    router.load_merge_candidate(
        config="ntp server 10.0.0.1\ninterface GigabitEthernet0/0/1\n description WAN\nend\n"
    )
    diff = router.compare_config()
    assert "+ntp server 10.0.0.1" in diff and "+ description WAN" in diff
    router.commit_config()
    running = router.get_config()["running"]
    assert "ntp server 10.0.0.1" in running and " description WAN" in running
    router.load_merge_candidate(config="ntp server 10.0.0.2\n")
    router.discard_config()
    assert router.compare_config() == ""
    assert "10.0.0.2" not in router.get_config()["running"]


def test_replace_with_invalid_line_fails_and_restores(router: Any) -> None:
    from napalm.base.exceptions import ReplaceConfigException

    running = router.get_config()["running"]
    router.load_replace_candidate(
        config=running.replace("hostname LAB-R1", "hostname X\nbogus line")
    )
    with pytest.raises(ReplaceConfigException):
        router.commit_config()
    assert router.get_facts()["hostname"] == "LAB-R1"


def test_inline_transfer(lab: RunningLab) -> None:
    device = get_network_driver("ios")(**lab.napalm_args("LAB-S1", inline_transfer=True))
    device.open()
    try:
        running = device.get_config()["running"]
        device.load_replace_candidate(config=running.replace("vlan 99\n name OLD-VLAN\n", ""))
        assert "-vlan 99" in device.compare_config()
        device.commit_config()
        assert "vlan 99" not in device.get_config()["running"]
    finally:
        device.close()
