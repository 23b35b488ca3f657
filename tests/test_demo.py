"""README command 1 on a machine that has never seen the project: a fresh clone, a fresh venv.

The demo starts the lab with every device of the province, rolls out, drifts three offices,
audits and stops the lab. It is the slowest test (a few minutes), and the one a newcomer's first
five minutes depend on, so it runs once per suite.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def run_demo(clone: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COMMUNELAN_", "VIRTUAL_ENV", "PYTEST"))
    }
    return subprocess.run(
        ["./run", "demo"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def stop_lab(clone: Path) -> None:
    """Whatever happened, leave no lab process behind."""
    python = clone / ".venv" / "bin" / "python"
    if python.exists():
        subprocess.run(
            [str(python), "-m", "nornir_config", "--root", str(clone), "lab", "down"],
            capture_output=True,
            timeout=120,
            check=False,
        )


# A fresh venv (a few minutes of installing) and a full demo: beyond the default timeout.
@pytest.mark.timeout(2400)
def test_demo_from_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "communelan"
    git("clone", "--quiet", str(REPO), str(clone), cwd=tmp_path)
    try:
        check_demo_runs(clone)
    finally:
        stop_lab(clone)
    # Nothing was written outside build/, .lab/ and .venv/.
    untracked = git("status", "--porcelain", "--ignored", cwd=clone).splitlines()
    leftovers = [
        line
        for line in untracked
        if line[3:].rstrip("/") not in {".venv", "build", ".lab"}
        and not line[3:].endswith("__pycache__/")
        and ".egg-info" not in line
    ]
    assert leftovers == []


def check_demo_runs(clone: Path) -> None:
    proc = run_demo(clone)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert "Traceback" not in output
    assert "offices compliant" in output
    report = clone / "build" / "reports" / "compliance.json"
    data = json.loads(report.read_text(encoding="utf-8"))
    assert len(data["devices"]) >= 498
    bad = {d["host"]: d for d in data["devices"] if d["status"] != "compliant"}
    # Exactly the three offices the demo drifted, each for the feature it touched.
    assert len(bad) == 3, sorted(bad)
    failing = {
        host: {f["name"] for f in d["features"] if not f["compliant"]} for host, d in bad.items()
    }
    assert sorted(failing.values(), key=sorted) == sorted(
        [{"vlans"}, {"ssh_vty"}, {"ntp"}], key=sorted
    ), failing
    assert (clone / "build" / "reports" / "compliance.html").is_file()
    pid_file = clone / ".lab" / "lab.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().strip())
        assert not Path(f"/proc/{pid}").exists(), "the demo left the lab running"
