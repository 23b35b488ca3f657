"""Netmiko's `huawei` driver, unchanged, against the lab's VRP over real SSH."""

from __future__ import annotations

import re

import paramiko
import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import ConfigInvalidException

from nornir_config.lab.testing import RunningLab
from tests.huawei_vrp.conftest import netmiko_params


def test_prompts_views_and_config_set(hw_lab: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(hw_lab, "HW-S1")) as conn:
        assert conn.find_prompt() == "<HW-S1>"
        assert conn.base_prompt == "HW-S1"
        assert not conn.check_config_mode()
        output = conn.send_config_set(
            [
                "vlan batch 20 30",
                "interface GE0/0/5",
                "description printer",
                "port link-type access",
                "port default vlan 20",
            ]
        )
        assert "[HW-S1]vlan batch 20 30" in output
        assert "[HW-S1-GigabitEthernet0/0/5]description printer" in output
        assert output.rstrip().endswith("<HW-S1>")  # `return` back to the user view
        running = conn.send_command("display current-configuration | begin GigabitEthernet0/0/5")
        assert running.splitlines()[:5] == [
            "interface GigabitEthernet0/0/5",
            " description printer",
            " port link-type access",
            " port default vlan 20",
            "#",
        ]
        conn.config_mode()
        assert conn.check_config_mode()
        assert conn.find_prompt() == "[HW-S1]"
        conn.exit_config_mode()
        assert conn.find_prompt() == "<HW-S1>"


def test_undo_and_include(hw_lab: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(hw_lab, "HW-S1")) as conn:
        conn.send_config_set(["vlan batch 10 20 30 to 33", "ntp-service unicast-server 10.1.1.1"])
        assert (
            conn.send_command("display current-configuration | include vlan batch").strip()
            == "vlan batch 10 20 30 to 33"
        )
        conn.send_config_set(
            ["undo vlan batch 31 to 33", "undo ntp-service unicast-server 10.1.1.1"]
        )
        current = conn.send_command("display current-configuration")
        assert " vlan batch 10 20 30" in current.splitlines()
        assert "ntp-service" not in current
        assert (
            conn.send_command("display current-configuration | include ^ sysname")
            == " sysname HW-S1"
        )


def test_errors_carets_and_wrong_values(hw_lab: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(hw_lab, "HW-S1")) as conn:
        output = conn.send_config_set(["interface GE0/0/1", "port link-typo trunk"])
        lines = output.splitlines()
        typed = next(i for i, ln in enumerate(lines) if ln.endswith("port link-typo trunk"))
        caret = lines[typed + 1]
        assert lines[typed + 2] == "Error: Unrecognized command found at '^' position."
        assert caret.index("^") == lines[typed].index("link-typo")
        output = conn.send_config_set(["vlan 5000"])
        assert "Error: Wrong parameter found at '^' position." in output
        assert "display" not in conn.send_command(
            "display current-configuration | include vlan 5000"
        )
        output = conn.send_command("display foo")
        assert output.splitlines()[-1] == "Error: Unrecognized command found at '^' position."
        with pytest.raises(ConfigInvalidException):
            conn.send_config_set(["interface GE0/0/99"], error_pattern=r"Error:")
        output = conn.send_config_set(["interface Vlanif10", "ip address 10.0.0.1 255.0.255.0"])
        assert "Error: Wrong parameter" in output
        assert "ip address" not in conn.send_command(
            "display current-configuration | include ip address"
        )


def test_save_asks_and_saved_configuration(hw_lab: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(hw_lab, "HW-S1")) as conn:
        conn.send_config_set(["vlan batch 77"])
        assert "vlan batch 77" not in conn.send_command("display saved-configuration")
        output = conn.save_config()
        assert "Are you sure to continue?[Y/N]" in output
        assert "successfully" in output
        saved = conn.send_command("display saved-configuration")
        assert " vlan batch 77" in saved.splitlines()
        assert saved.rstrip().endswith("return")


def test_version_dir_and_screen_length(hw_lab: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(hw_lab, "HW-R1")) as conn:
        version = conn.send_command("display version")
        assert "VRP (R) software, Version 5.170" in version
        assert "HUAWEI AR6120 Router uptime is" in version
        assert "takes effect on the current user terminal" in conn.send_command(
            "screen-length 0 temporary"
        )
        conn.send_command("save backup.cfg", expect_string=r"\[Y/N\]")
        assert "successfully" in conn.send_command("y", expect_string=r">")
        listing = conn.send_command("dir")
        assert "backup.cfg" in listing
        space = re.search(r"^([\d,]+) KB total \(([\d,]+) KB free\)$", listing, re.M)
        assert space, listing
        total, free = (int(n.replace(",", "")) for n in space.groups())
        assert 0 < free < total, listing  # the image and the files use some of it


def _ssh(lab: RunningLab, name: str, username: str, password: str) -> paramiko.SSHClient:
    endpoint = lab.endpoints[name]
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        endpoint.host,
        endpoint.port,
        username=username,
        password=password,
        look_for_keys=False,
        allow_agent=False,
        timeout=10,
    )
    return client


def test_logins_follow_the_devices_own_aaa(hw_lab: RunningLab) -> None:
    creds = hw_lab.credentials
    with pytest.raises(paramiko.AuthenticationException):
        _ssh(hw_lab, "HW-S1", creds.username, "wrong-password").close()
    with ConnectHandler(**netmiko_params(hw_lab, "HW-S1")) as conn:
        conn.send_config_set(
            [
                "aaa",
                "local-user ops password irreversible-cipher Ops-Passw0rd",
                "local-user ops privilege level 3",
                "local-user ops service-type telnet",
            ]
        )
        assert "$1a$" in conn.send_command(
            "display current-configuration | include local-user ops password"
        )
    with pytest.raises(paramiko.AuthenticationException):  # no service-type ssh
        _ssh(hw_lab, "HW-S1", "ops", "Ops-Passw0rd").close()
    with ConnectHandler(**netmiko_params(hw_lab, "HW-S1")) as conn:
        conn.send_config_set(["aaa", "local-user ops service-type ssh"])
    _ssh(hw_lab, "HW-S1", "ops", "Ops-Passw0rd").close()
    with ConnectHandler(**netmiko_params(hw_lab, "HW-S1")) as conn:
        conn.send_config_set(
            [
                "acl number 2000",
                "rule 5 permit source 10.38.1.0 0.0.0.255",
                "rule 10 deny",
                "user-interface vty 0 4",
                "acl 2000 inbound",
            ]
        )
    with pytest.raises((paramiko.SSHException, EOFError, OSError)):  # 127.x is not a NOC address
        _ssh(hw_lab, "HW-S1", creds.username, creds.password).close()
