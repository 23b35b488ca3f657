"""The `lab up` background process: starts from run.json, answers the control socket, stops."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from netmiko import ConnectHandler

from nornir_config.lab.control import control_request
from nornir_config.lab.files import lab_access
from nornir_config.lab.testing import make_specs


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
        assert (lab_dir / "keys" / "LAB-R1").exists()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
