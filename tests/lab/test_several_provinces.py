"""A repository of several provinces in the lab: each province's devices admit only their own
NOC (their vty access-class lists `services.noc_networks` of their province), so the lab presents
each device's clients from its own province's NOC, and a push to both provinces converges."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from nornir_config.lab.testing import worker_network
from tests.conftest import QUANG_NINH, province_root

# Vân Đồn (a đặc khu of Quảng Ninh, 22) and Anh Sơn (Nghệ An, 40): one office of each province.
OFFICES = "code=06994,17329"


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMMUNELAN_ROOT": str(root), "NO_COLOR": "1", "COLUMNS": "300"}
    return subprocess.run(
        [sys.executable, "-m", "nornir_config", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def test_a_push_to_two_provinces_in_the_lab_converges(tmp_path: Path) -> None:
    root = tmp_path / "national"
    root.mkdir()
    shutil.copytree(province_root((*QUANG_NINH, "40")) / "hosts", root / "hosts")
    for name in ("templates", "config.yaml"):
        (root / name).symlink_to(province_root() / name)
    up = _cli(root, "lab", "up", "-f", OFFICES, "--network", worker_network(), "--base-port", "0")
    assert up.returncode == 0, up.stderr
    try:
        push = _cli(root, "--lab", "push", "-f", OFFICES)
        assert push.returncode == 0, push.stdout[-3000:] + push.stderr
        assert "6 changed" in push.stdout, push.stdout[-3000:]
        audit = _cli(root, "--lab", "compliance", "-f", OFFICES, "--format", "json")
        assert audit.returncode == 0, audit.stdout[-3000:] + audit.stderr
    finally:
        _cli(root, "lab", "down")
