"""The `lab up` background process: starts from run.json, answers the control socket, stops."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from nornir_config.lab.control import control_request
from nornir_config.lab.files import lab_access
from nornir_config.lab.runner import RunnerFailed, await_ready, stop_runner
from nornir_config.lab.testing import make_specs
from tests.conftest import REPO


def test_background_lab(tmp_path: Path) -> None:
    lab_dir = tmp_path / ".lab"
    lab_dir.mkdir()
    run = {"devices": [s.to_dict() for s in make_specs(1, 1)], "network": "127.101.0.0"}
    (lab_dir / "run.json").write_text(json.dumps(run))
    proc = subprocess.Popen([sys.executable, "-m", "nornir_config.lab.runner", str(lab_dir)])
    try:
        deadline = time.monotonic() + 30
        while not (lab_dir / "endpoints.json").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        access = lab_access(lab_dir)
        assert set(access.endpoints) == {"LAB-R1", "LAB-S1"}
        assert access.endpoints["LAB-R1"].host == "127.101.0.1"
        control = lab_dir / "control.sock"
        assert control_request(
            control, {"op": "faults", "device": "LAB-S1", "faults": {"latency": 0.1}}
        )["ok"]
        assert control_request(control, {"op": "status"})["faults"] == {"LAB-S1": {"latency": 0.1}}
        with ConnectHandler(**access.netmiko_params("LAB-R1")) as conn:
            assert conn.find_prompt() == "LAB-R1#"
        assert control_request(control, {"op": "stop"})["ok"]
        assert proc.wait(10) == 0
        assert not (lab_dir / "endpoints.json").exists()
        # The host keys persist as one private seed, not one file per device.
        seed = lab_dir / "keys" / "seed"
        assert seed.stat().st_mode & 0o777 == 0o600
        assert sorted(p.name for p in (lab_dir / "keys").iterdir()) == ["seed"]
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


def _fake_runner(tmp_path: Path, body: str) -> subprocess.Popen[bytes]:
    """A real process standing in for the runner: it writes boot progress as `body` says."""
    script = tmp_path / "runner.py"
    script.write_text(
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from nornir_config.lab.files import write_progress\n"
        "lab = Path(sys.argv[1])\n" + body
    )
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)], start_new_session=True, cwd=REPO
    )


def test_lab_up_waits_while_the_runner_boots(tmp_path: Path) -> None:
    # 2.5 s of boot with a stall limit of 1 s: a fixed deadline would have given up.
    proc = _fake_runner(
        tmp_path,
        "for n in range(10):\n"
        "    write_progress(lab, 'devices', n, 10)\n"
        "    time.sleep(0.25)\n"
        "(lab / 'endpoints.json').write_text('{}')\n"
        "time.sleep(30)\n",
    )
    started = time.monotonic()
    try:
        await_ready(proc, tmp_path, stall_s=1.0)
        assert time.monotonic() - started > 2.0 and proc.poll() is None
    finally:
        stop_runner(proc, tmp_path)
    assert proc.poll() is not None


def test_a_stalled_runner_is_stopped_and_named(tmp_path: Path) -> None:
    proc = _fake_runner(
        tmp_path,
        "write_progress(lab, 'listening', 500, 10650)\n"
        "(lab / 'lab.pid').write_text('1')\n"
        "time.sleep(60)\n",
    )
    with pytest.raises(RunnerFailed, match=r"no progress for 1 s at listening 500/10650"):
        await_ready(proc, tmp_path, stall_s=1.0)
    assert proc.poll() is not None  # no runner left behind
    assert not (tmp_path / "lab.pid").exists()


def test_a_runner_that_dies_is_reported_with_its_last_log_line(tmp_path: Path) -> None:
    (tmp_path / "lab.log").write_text("INFO booting\nOSError: [Errno 98] address already in use\n")
    proc = _fake_runner(tmp_path, "write_progress(lab, 'devices', 0, 3)\nsys.exit(3)\n")
    with pytest.raises(RunnerFailed, match=r"exited with code 3: OSError: \[Errno 98\]"):
        await_ready(proc, tmp_path, stall_s=30.0)


def test_lab_devices_boot_on_first_use() -> None:
    from nornir_config.platforms.cisco_ios.lab.device import LabDevice

    device = LabDevice(make_specs(1, 1)[1])
    assert device._running is None  # nothing parsed yet: a national lab listens in seconds
    assert device.startup.startswith("version ")
    assert device.hostname == "LAB-S1"


def test_host_keys_persist_differ_and_keep_older_files(tmp_path: Path) -> None:
    """Each device has its own ed25519 host key, the same after the lab restarts (known_hosts
    pins it); a device's key file from a lab booted before the seed existed is kept."""
    import asyncssh

    from nornir_config.lab.server import HostKeys

    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    old = asyncssh.generate_private_key("ssh-ed25519")
    old.write_private_key(str(keys_dir / "OLD-R1"))
    first, again = HostKeys(keys_dir), HostKeys(keys_dir)

    def public(keys: HostKeys, name: str) -> bytes:
        key = keys.key(name)
        assert key.algorithm == b"ssh-ed25519"
        return bytes(key.public_data)

    assert public(first, "LAB-R1") == public(again, "LAB-R1")
    assert public(first, "LAB-R1") != public(first, "LAB-S1")
    assert public(first, "OLD-R1") == bytes(old.public_data)
    assert public(HostKeys(tmp_path / "other"), "LAB-R1") != public(first, "LAB-R1")
    assert public(HostKeys(None), "LAB-R1") != public(HostKeys(None), "LAB-R1")
