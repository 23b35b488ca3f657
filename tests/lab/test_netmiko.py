"""Netmiko's cisco_ios driver, unchanged, against lab devices over real SSH."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import paramiko
import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import ConfigInvalidException

from nornir_config.lab.testing import LabFactory, RunningLab


def test_send_command_and_config_set(lab: RunningLab) -> None:
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        assert conn.find_prompt() == "LAB-S1#"
        assert "Current configuration" in conn.send_command("show running-config")
        output = conn.send_config_set(["interface g1/0/5", "description printer", "no vlan 99"])
        assert "LAB-S1(config-if)#" in output
        running = conn.send_command("show running-config | section GigabitEthernet1/0/5$")
        assert running.splitlines() == ["interface GigabitEthernet1/0/5", " description printer"]
        assert "vlan 99" not in conn.send_command("show running-config")
        assert "[OK]" in conn.save_config()
        assert "description printer" in conn.send_command("show startup-config")


def test_error_pattern_raises_on_invalid_input(lab: RunningLab) -> None:
    with (
        ConnectHandler(**lab.netmiko_params("LAB-R1")) as conn,
        pytest.raises(ConfigInvalidException),
    ):
        conn.send_config_set(
            ["ip route 0.0.0.0 0.0.0.0 10.0.0.1", "bogus command"],
            error_pattern=r"% Invalid input",
        )


def test_prompt_after_hostname_change(lab: RunningLab) -> None:
    with ConnectHandler(**lab.netmiko_params("LAB-R1")) as conn:
        conn.send_config_set(["hostname TH-NEW-RT01"])
        conn.set_base_prompt()
        assert conn.find_prompt() == "TH-NEW-RT01#"
        assert "TH-NEW-RT01 uptime is" in conn.send_command("show version")
    # State survives the session.
    with ConnectHandler(**lab.netmiko_params("LAB-R1")) as conn:
        assert conn.find_prompt() == "TH-NEW-RT01#"


def test_enable_from_user_exec(lab_factory: LabFactory) -> None:
    lab = lab_factory(routers=1, switches=0, login_privilege=1)
    with ConnectHandler(**lab.netmiko_params("LAB-R1")) as conn:
        assert conn.find_prompt() == "LAB-R1>"
        conn.enable()
        assert conn.find_prompt() == "LAB-R1#"
        assert "level is 15" in conn.send_command("show privilege")


def test_exec_channel(lab: RunningLab) -> None:
    e = lab.endpoints["LAB-R1"]
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        e.host,
        e.port,
        lab.credentials.username,
        lab.credentials.password,
        look_for_keys=False,
        allow_agent=False,
    )
    try:
        _, stdout, _ = client.exec_command("show version")
        assert "Cisco IOS XE Software" in stdout.read().decode()
        sftp = client.open_sftp()
        with sftp.open("flash:/notes.txt", "w") as f:
            f.write("hello\n")
        assert "notes.txt" in sftp.listdir("/")
        sftp.close()
    finally:
        client.close()
    assert lab.call(lambda: lab.device("LAB-R1").flash.read("notes.txt")) == b"hello\n"


def test_strict_host_keys_from_known_hosts(lab: RunningLab) -> None:
    params = lab.netmiko_params(
        "LAB-S1",
        ssh_strict=True,
        system_host_keys=False,
        alt_host_keys=True,
        alt_key_file=str(lab.lab_dir / "known_hosts"),
    )
    with ConnectHandler(**params) as conn:
        assert conn.find_prompt() == "LAB-S1#"


def test_many_concurrent_sessions(lab_factory: LabFactory) -> None:
    lab = lab_factory(routers=10, switches=10)

    def session(name: str) -> str:
        with ConnectHandler(**lab.netmiko_params(name)) as conn:
            conn.send_config_set([f"interface Loopback{len(name)}", f"description {name}"])
            return str(conn.send_command("show running-config | include description"))

    names = lab.names * 2  # two sessions per device at once
    with ThreadPoolExecutor(max_workers=20) as pool:
        outputs = list(pool.map(session, names))
    assert all(f"description {name}" in out for name, out in zip(names, outputs, strict=True))
