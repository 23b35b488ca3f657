"""Host keys are pinned: a lab restart keeps each device's key, known_hosts is never
rewritten for a changed key, and a device presenting a different key is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncssh

from nornir_config.lab.files import KNOWN_HOSTS, write_known_hosts
from tests.safety.conftest import SafetyLab, make_root

CLI = [sys.executable, "-m", "nornir_config"]


def test_lab_restart_keeps_host_keys(tmp_path: Path) -> None:
    root = make_root(tmp_path)

    def lab(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, "--root", str(root), "lab", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(os.environ),
        )

    up = ["up", "-f", "host=hac-thanh-14797-rt01", "--base-port", "0"]
    try:
        first = lab(*up)
        assert first.returncode == 0, first.stderr
        keys = (root / ".lab" / KNOWN_HOSTS).read_text()
        assert "ssh-ed25519" in keys
        status = lab("status")
        assert status.returncode == 0 and "hac-thanh-14797-rt01" in status.stdout
        assert lab("down").returncode == 0
        second = lab(*up)
        assert second.returncode == 0, second.stderr
        after = (root / ".lab" / KNOWN_HOSTS).read_text()
        key = lambda text: {line.split()[-1] for line in text.splitlines() if line}  # noqa: E731
        assert key(after) == key(keys)  # the same key, whatever port the device got
    finally:
        lab("down")


def test_known_hosts_keeps_a_pinned_key(tmp_path: Path) -> None:
    old = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    new = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    write_known_hosts(tmp_path, [f"[127.0.0.1]:2001 {old}"])
    write_known_hosts(tmp_path, [f"[127.0.0.1]:2001 {new}", f"[127.0.0.1]:2002 {new}"])
    text = (tmp_path / KNOWN_HOSTS).read_text()
    assert f"[127.0.0.1]:2001 {old}" in text and f"[127.0.0.1]:2001 {new}" not in text
    assert f"[127.0.0.1]:2002 {new}" in text


def test_changed_host_key_is_refused(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[0]
    before = small_lab.reset(victim, "drift")
    known = small_lab.lab.lab_dir / KNOWN_HOSTS
    saved = known.read_text()
    endpoint = small_lab.lab.endpoints[victim]
    name = f"[{endpoint.host}]:{endpoint.port}"
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    lines = [
        f"{name} {other}" if line.split(" ", 1)[0] == name else line for line in saved.splitlines()
    ]
    known.write_text("\n".join(lines) + "\n")
    try:
        done = small_lab.cli("push", "--filter", f"host={victim}", "--accept-new-host-keys")
        assert done.returncode == 1
        assert "host key changed: refused" in done.stdout
        assert known.read_text() == "\n".join(lines) + "\n"  # not rewritten
        assert small_lab.state(victim, before)[0] == "before"
    finally:
        known.write_text(saved)


def test_backup_repo_is_a_file(small_lab: SafetyLab) -> None:
    target = small_lab.root / "not-a-folder"
    target.write_text("keep\n")
    done = small_lab.cli("backup", "--repo", str(target))
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and str(target) in done.stderr
    assert target.read_text() == "keep\n"


def test_each_host_gets_its_own_keys_from_a_national_known_hosts(tmp_path: Path) -> None:
    """Only the lines that can name the selected hosts are parsed (a national known_hosts
    holds 10,000 keys); hashed names are matched as before."""
    import base64
    import hashlib
    import hmac

    from nornir_config.connection import (
        _own_known_hosts,
        _set_extras,
        host_key_name,
        ssh_options,
    )
    from nornir_config.inventory import build_nornir
    from nornir_config.settings import RunSettings
    from tests.conftest import province_root

    nr = build_nornir(RunSettings(root=province_root())).filter(
        filter_func=lambda h: h.name.endswith(("14797-rt01", "14797-sw01"))
    )
    router, switch = sorted(nr.inventory.hosts.values(), key=lambda h: h.name)
    router.hostname, router.port = "127.9.0.1", 2201
    switch.hostname, switch.port = "127.9.0.2", 2202

    def key() -> str:
        exported = asyncssh.generate_private_key("ssh-ed25519").export_public_key()
        return bytes(exported).decode().strip()

    salt = os.urandom(20)
    digest = hmac.new(salt, host_key_name("127.9.0.2", 2202).encode(), hashlib.sha1).digest()
    hashed = f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"
    router_key, switch_key = key(), key()
    lines = [f"[127.9.1.{n % 250}]:{3000 + n} {key()}" for n in range(40)]  # other devices
    lines += [f"[127.9.0.1]:2201 {router_key}", f"{hashed} {switch_key}"]
    known = tmp_path / "known_hosts"
    known.write_text("\n".join(lines) + "\n")
    for host in (router, switch):
        _set_extras(host, ssh_options(known, ""))
    _own_known_hosts(nr, known)
    for host, expected in ((router, router_key), (switch, switch_key)):
        own = Path(host.connection_options["netmiko"].extras["alt_key_file"]).read_text()
        assert own.split() == [host_key_name(str(host.hostname), host.port), *expected.split()]
