"""File copies onto and off `flash:` with real clients: OpenSSH scp (legacy and SFTP mode),
sftp with `cd flash:`, and Netmiko's file_transfer (put and get, MD5-verified)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from netmiko import ConnectHandler, file_transfer

from nornir_config.lab.testing import RunningLab

needs_openssh = pytest.mark.skipif(
    shutil.which("scp") is None or shutil.which("sftp") is None,
    reason="OpenSSH client not installed (Debian package openssh-client)",
)


def _openssh(lab: RunningLab, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """Options and environment for OpenSSH clients: host key checked, password by askpass."""
    ask = tmp_path / "askpass.sh"
    ask.write_text(f"#!/bin/sh\necho '{lab.credentials.password}'\n")
    ask.chmod(0o700)
    env = dict(os.environ, SSH_ASKPASS=str(ask), SSH_ASKPASS_REQUIRE="force", DISPLAY=":0")
    options = [
        "-o", f"UserKnownHostsFile={lab.lab_dir / 'known_hosts'}",
        "-o", "StrictHostKeyChecking=yes",
        "-o", "PubkeyAuthentication=no",
    ]  # fmt: skip
    return options, env


@needs_openssh
@pytest.mark.parametrize("legacy", [False, True], ids=["sftp-mode", "legacy-scp"])
def test_openssh_scp_both_directions(lab: RunningLab, tmp_path: Path, legacy: bool) -> None:
    options, env = _openssh(lab, tmp_path)
    endpoint = lab.endpoints["LAB-R1"]
    device = lab.device("LAB-R1")
    lab.call(lambda: device.flash.write("notes.txt", b"written on the device\n"))
    remote = f"{lab.credentials.username}@{endpoint.host}"
    mode = ["-O"] if legacy else []
    base = ["scp", *mode, "-P", str(endpoint.port), *options]
    upload = tmp_path / "change.cfg"
    upload.write_text("hostname FROM-SCP\n")

    def scp(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*base, *args], env=env, capture_output=True, text=True, timeout=30, check=False
        )

    sent = scp(str(upload), f"{remote}:flash:change.cfg")
    assert sent.returncode == 0, sent.stderr
    assert lab.call(lambda: device.flash.read("change.cfg")) == b"hostname FROM-SCP\n"
    got = scp(f"{remote}:flash:notes.txt", str(tmp_path / "notes.txt"))
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "notes.txt").read_bytes() == b"written on the device\n"
    missing = scp(f"{remote}:flash:absent.txt", str(tmp_path / "absent.txt"))
    assert missing.returncode != 0 and not (tmp_path / "absent.txt").exists()


@needs_openssh
def test_sftp_cd_flash(lab: RunningLab, tmp_path: Path) -> None:
    options, env = _openssh(lab, tmp_path)
    endpoint = lab.endpoints["LAB-R1"]
    device = lab.device("LAB-R1")
    lab.call(lambda: device.flash.write("a.txt", b"A\n"))
    (tmp_path / "b.txt").write_text("B\n")
    # commands on stdin, not `-b`: batch mode turns password prompting off
    script = f"cd flash:\nls\nget a.txt {tmp_path / 'a.txt'}\nput {tmp_path / 'b.txt'} b.txt\nbye\n"
    done = subprocess.run(
        ["sftp", "-P", str(endpoint.port), *options,
         f"{lab.credentials.username}@{endpoint.host}"],
        input=script, env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no such file system" not in done.stderr
    assert (tmp_path / "a.txt").read_text() == "A\n"
    assert lab.call(lambda: device.flash.read("b.txt")) == b"B\n"


def test_netmiko_file_transfer_put_and_get(
    lab: RunningLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = lab.device("LAB-S1")
    source = tmp_path / "golden.cfg"
    source.write_text("hostname GOLDEN\n")
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        put = file_transfer(
            conn,
            source_file=str(source),
            dest_file="golden.cfg",
            file_system="flash:",
            direction="put",
            overwrite_file=True,
        )
        assert put["file_verified"] and put["file_transferred"]
        assert lab.call(lambda: device.flash.read("golden.cfg")) == b"hostname GOLDEN\n"
        lab.call(lambda: device.flash.write("backup.cfg", b"hostname BACKUP\n"))
        monkeypatch.chdir(tmp_path)  # Netmiko's get writes dest_file relative to the cwd
        got = file_transfer(
            conn,
            source_file="backup.cfg",
            dest_file="backup.cfg",
            file_system="flash:",
            direction="get",
            overwrite_file=True,
        )
        assert got["file_verified"] and got["file_transferred"]
    assert (tmp_path / "backup.cfg").read_text() == "hostname BACKUP\n"


def test_copy_run_start_abbreviated(lab: RunningLab) -> None:
    """`copy run start` saves the config (it failed); `copy running-config start` wrote a flash
    file named `start`. IOS takes unambiguous abbreviations of the config file keywords."""
    device = lab.device("LAB-R1")
    with ConnectHandler(**lab.netmiko_params("LAB-R1")) as conn:
        conn.send_config_set(["ntp server 192.0.2.99"])
        for command in ("copy run start", "copy running-config start"):
            asked = conn.send_command(command, expect_string=r"Destination filename")
            assert "[startup-config]?" in asked
            done = conn.send_command("\n", expect_string=r"#")
            assert "[OK]" in done, done
        assert "ntp server 192.0.2.99" in lab.call(lambda: device.startup)
        assert lab.call(lambda: device.flash.read("start")) is None
        assert lab.call(lambda: device.flash.read("running-config")) is None
