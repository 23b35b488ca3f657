"""Comware file handling in the lab: SCP to flash:, `dir`, `more`, `delete`, and Comware 7's
`configuration replace file` with its question, its success and its failure."""

from __future__ import annotations

import paramiko
from netmiko import ConnectHandler
from scp import SCPClient

from nornir_config.lab.testing import RunningLab
from tests.comware.conftest import netmiko_params


def _upload(lab: RunningLab, name: str, remote: str, text: str) -> None:
    endpoint = lab.endpoints[name]
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        endpoint.host, endpoint.port, lab.credentials.username, lab.credentials.password,
        look_for_keys=False, allow_agent=False,
    )  # fmt: skip
    import io

    with SCPClient(client.get_transport()) as scp:  # type: ignore[arg-type]
        scp.putfo(io.BytesIO(text.encode()), remote)
    client.close()


def _replace(conn: ConnectHandler, path: str) -> str:
    conn.config_mode()
    out = conn.send_command_timing(f"configuration replace file {path}")
    assert "save current configuration? [Y/N]:" in out
    out += conn.send_command_timing("n")
    conn.exit_config_mode()
    return out


def test_configuration_replace_file(h3c: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(h3c, "H3C-S1")) as conn:
        conn.send_config_set(["vlan 20", "name OLD", "quit", "ntp-service unicast-server 1.1.1.1"])
        current = conn.send_command("display current-configuration")
        wanted = current.replace(" ntp-service unicast-server 1.1.1.1\n", "").replace(
            "vlan 20\n name OLD\n", "vlan 30\n name NEW\n"
        )
        _upload(h3c, "H3C-S1", "flash:/new.cfg", wanted)
        listing = conn.send_command("dir")
        assert "new.cfg" in listing and "KB total" in listing
        assert conn.send_command("more flash:/new.cfg").strip() == wanted.strip()
        out = _replace(conn, "flash:/new.cfg")
        assert "Succeeded in replacing current configuration with the file flash:/new.cfg." in out
        after = conn.send_command("display current-configuration")
        assert "vlan 30\n name NEW" in after
        assert "vlan 20" not in after and "1.1.1.1" not in after
        assert after == conn.send_command("display current-configuration")


def test_replace_refused_changes_nothing(h3c: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(h3c, "H3C-S1")) as conn:
        before = conn.send_command("display current-configuration")
        _upload(h3c, "H3C-S1", "flash:/bad.cfg", before.replace("vlan 1\n", "vlan 5000\n"))
        out = _replace(conn, "flash:/bad.cfg")
        assert "Failed to replace current configuration with the file flash:/bad.cfg." in out
        assert conn.send_command("display current-configuration") == before
        h3c.set_faults("H3C-S1", fail_replace=True)
        _upload(h3c, "H3C-S1", "flash:/good.cfg", before.replace(" lldp global enable\n", ""))
        assert "Failed to replace" in _replace(conn, "flash:/good.cfg")
        assert conn.send_command("display current-configuration") == before
        conn.config_mode()
        out = conn.send_command_timing("configuration replace file flash:/missing.cfg")
        assert "The file flash:/missing.cfg does not exist." in out
        conn.exit_config_mode()
        out = conn.send_command_timing("delete flash:/good.cfg")
        assert "Delete flash:/good.cfg? [Y/N]:" in out
        assert "Done." in conn.send_command_timing("y")
        assert "good.cfg" not in conn.send_command("dir")
