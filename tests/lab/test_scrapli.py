"""scrapli's IOS-XE driver, unchanged, against a lab device: open, prompt, show, configs."""

from __future__ import annotations

import shutil

import pytest
from scrapli.driver.core import IOSXEDriver

from nornir_config.lab.testing import RunningLab


@pytest.mark.skipif(shutil.which("ssh") is None, reason="needs the OpenSSH client (openssh-client)")
def test_iosxe_driver(lab: RunningLab) -> None:
    endpoint = lab.endpoints["LAB-S1"]
    conn = IOSXEDriver(
        host=endpoint.host,
        port=endpoint.port,
        auth_username=lab.credentials.username,
        auth_password=lab.credentials.password,
        auth_secondary=lab.credentials.secret,
        auth_strict_key=True,
        ssh_known_hosts_file=str(lab.lab_dir / "known_hosts"),
        transport="system",  # OpenSSH: checks the [host]:port known_hosts entry
        timeout_ops=20,
    )
    conn.open()
    try:
        assert conn.get_prompt() == "LAB-S1#"
        reply = conn.send_configs(
            [
                "vlan 30",
                " name VOICE",
                "interface GigabitEthernet1/0/5",
                " switchport access vlan 30",
            ]
        )
        assert not reply.failed, reply.result
        vlans = conn.send_command("show vlan brief")
        assert not vlans.failed
        row = next(r for r in vlans.textfsm_parse_output() if r["vlan_id"] == "30")
        assert (row["vlan_name"], row["interfaces"]) == ("VOICE", ["Gi1/0/5"])
        bad = conn.send_configs(["vlan 31", "bogus command here"], stop_on_failed=True)
        assert bad.failed
    finally:
        conn.close()
