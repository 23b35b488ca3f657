"""Each fault kind, as push and compliance tests will set them from a fixture."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from napalm import get_network_driver
from napalm.base.exceptions import ReplaceConfigException
from netmiko import ConnectHandler
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
)

from nornir_config.errors import InputError
from nornir_config.lab.faults import load_faults
from nornir_config.lab.testing import LabFactory, RunningLab


def test_refuse_connections_then_recover(lab: RunningLab) -> None:
    lab.set_faults("LAB-R1", refuse_connections=True)
    with pytest.raises(NetmikoTimeoutException):
        ConnectHandler(**lab.netmiko_params("LAB-R1"))
    lab.clear_faults("LAB-R1")
    with ConnectHandler(**lab.netmiko_params("LAB-R1")) as conn:
        assert conn.find_prompt() == "LAB-R1#"


def test_reject_credentials(lab: RunningLab) -> None:
    lab.set_faults("LAB-R1", reject_credentials=True)
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**lab.netmiko_params("LAB-R1"))


def test_latency_per_command(lab: RunningLab) -> None:
    with ConnectHandler(**lab.netmiko_params("LAB-R1")) as conn:
        lab.set_faults("LAB-R1", latency=0.5)
        started = time.monotonic()
        conn.send_command("show version")
        assert time.monotonic() - started >= 0.5


def test_drop_after_n_config_commands(lab: RunningLab) -> None:
    lab.set_faults("LAB-S1", drop_after=2)
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn, pytest.raises(Exception):  # noqa: B017
        conn.send_config_set([f"vlan {n}" for n in (10, 20, 30, 40)])
    body = lab.call(lambda: lab.device("LAB-S1").body())
    assert "vlan 10" in body and "vlan 30" not in body


def test_reject_command(lab: RunningLab) -> None:
    lab.set_faults("LAB-S1", reject_commands=[r"^ntp server"])
    with (
        ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn,
        pytest.raises(ConfigInvalidException),
    ):
        conn.send_config_set(["ntp server 10.0.0.1"], error_pattern=r"% Invalid input")


def _replace(lab: RunningLab, **optional: Any) -> None:
    device = get_network_driver("ios")(**lab.napalm_args("LAB-R1", **optional))
    device.open()
    try:
        running = device.get_config()["running"]
        device.load_replace_candidate(config=running.replace("hostname LAB-R1", "hostname NEW"))
        device.commit_config()
    finally:
        device.close()


def test_fail_configure_replace(lab: RunningLab) -> None:
    lab.set_faults("LAB-R1", fail_replace=True)
    with pytest.raises(ReplaceConfigException, match="original configuration has been"):
        _replace(lab)
    assert lab.call(lambda: lab.device("LAB-R1").hostname) == "LAB-R1"


def test_flash_full(lab: RunningLab) -> None:
    lab.set_faults("LAB-R1", flash_full=True)
    with pytest.raises(ReplaceConfigException, match="Insufficient space"):
        _replace(lab)


def test_faults_at_start_from_a_file(lab_factory: LabFactory, tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("'LAB-R*': {reject_credentials: true}\n", encoding="utf-8")
    lab = lab_factory(faults=load_faults(path))
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**lab.netmiko_params("LAB-R1"))
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        assert conn.find_prompt() == "LAB-S1#"


def test_bad_fault_file_names_the_item(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("R1: {latency: fast, explode: true}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_faults(path)
    text = str(info.value)
    assert "R1.latency" in text and "R1.explode: unknown fault" in text
