"""`LabAccess.netmiko_params` on a national lab: each device's host key is checked against a
known_hosts of its own lines, not the lab's whole file (paramiko decodes every key of the file
it is given at each login: 10,650 of them for the country)."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import paramiko

from nornir_config.lab.files import (
    KNOWN_HOSTS,
    Endpoint,
    LabAccess,
    LabCredentials,
    write_known_hosts,
)


def _key() -> str:
    exported = asyncssh.generate_private_key("ssh-ed25519").export_public_key()
    return bytes(exported).decode().strip()


def test_each_device_is_checked_against_its_own_key_only(tmp_path: Path) -> None:
    keys = {n: _key() for n in range(30)}
    write_known_hosts(tmp_path, [f"[127.35.0.{n}]:{35000 + n} {k}" for n, k in keys.items()])
    endpoints = {f"d{n}": Endpoint(f"127.35.0.{n}", 35000 + n, "cisco_ios") for n in keys}
    access = LabAccess(endpoints, LabCredentials("u", "p", "s"), tmp_path / KNOWN_HOSTS)

    params = access.netmiko_params("d7", read_timeout_override=5)
    assert params["ssh_strict"] and not params["system_host_keys"] and params["alt_host_keys"]
    assert params["read_timeout_override"] == 5
    own = Path(params["alt_key_file"])
    assert own.read_text().split() == ["[127.35.0.7]:35007", *keys[7].split()]
    # What paramiko makes of it: this device's key, and no other device's.
    known = paramiko.HostKeys(str(own))
    assert known.lookup("[127.35.0.7]:35007") is not None
    assert known.lookup("[127.35.0.8]:35008") is None
    assert access.netmiko_params("d7")["alt_key_file"] == str(own)  # cut once

    # A device booted later (lab up again) is found once the lab's known_hosts grows.
    late = _key()
    write_known_hosts(tmp_path, [f"[127.35.0.99]:35099 {late}"])
    endpoints["d99"] = Endpoint("127.35.0.99", 35099, "cisco_ios")
    added = Path(access.netmiko_params("d99")["alt_key_file"]).read_text()
    assert added.split() == ["[127.35.0.99]:35099", *late.split()]
    assert Path(access.netmiko_params("d7")["alt_key_file"]).read_text() == own.read_text()


def test_a_device_missing_from_known_hosts_gets_an_empty_file(tmp_path: Path) -> None:
    """No line for it: paramiko's RejectPolicy refuses its key, as with the whole file."""
    write_known_hosts(tmp_path, [f"[127.35.0.1]:35001 {_key()}"])
    endpoints = {"gone": Endpoint("127.35.0.2", 35002, "cisco_ios")}
    access = LabAccess(endpoints, LabCredentials("u", "p", "s"), tmp_path / KNOWN_HOSTS)
    assert Path(access.netmiko_params("gone")["alt_key_file"]).read_text() == ""
