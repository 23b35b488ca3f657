"""Every command run as a command (outside the demo), its exit code and output asserted:
render, inventory, ipplan, whois, lint against the generated province's hosts/; run (the
drift-repair and audit playbooks: push, backup, compliance inside), push, backup and
compliance against lab devices read back over our own Netmiko session. `lab up/status/
fault/down` run in tests/safety/test_host_keys.py, recover in test_interrupts.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.safety.conftest import REPO, SafetyLab, make_root

ONE = "code=14797"


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    import os
    import sys

    return subprocess.run(
        [sys.executable, "-m", "nornir_config", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
        # Tables as wide as an engineer's terminal, whether or not the suite runs on one
        # (rich reads COLUMNS; a pytest-xdist worker has no terminal: 80 columns cut cells).
        env={**os.environ, "COLUMNS": "200"},
    )


def test_render_inventory_ipplan_whois_lint(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    render = _run(root, "render", "-f", ONE)
    assert render.returncode == 0, render.stderr
    assert "rendered 4 devices: 4 written" in render.stdout
    written = sorted(p.name for p in (root / "build" / "intended").glob("*.cfg"))
    assert written == [f"hac-thanh-14797-{d}.cfg" for d in ("rt01", "sw01", "sw02", "sw03")]

    inventory = _run(root, "inventory", "-f", ONE, "--format", "json")
    assert inventory.returncode == 0
    rows = json.loads(inventory.stdout)
    assert sorted(r["name"] for r in rows) == [p.removesuffix(".cfg") for p in written]

    plan = _run(root, "ipplan", "-f", ONE)
    assert plan.returncode == 0 and "10.160.7.0/27" in plan.stdout

    whois = _run(root, "whois", "10.160.7.2")
    assert whois.returncode == 0
    assert "hac-thanh-14797-sw01" in whois.stdout and "10.160.7.0/27" in whois.stdout
    nobody = _run(root, "whois", "192.0.2.1")
    assert nobody.returncode != 0 and "192.0.2.1" in nobody.stdout + nobody.stderr

    lint = _run(root, "lint", "-f", ONE)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "4 devices" in lint.stdout and "0 errors" in lint.stdout


def test_playbooks_push_backup_compliance(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    small_lab.lab.clear_faults()
    before = {n: small_lab.reset(n, "drift") for n in small_lab.names}
    repair = small_lab.cli("run", str(REPO / "playbooks" / "drift-repair.yaml"))
    assert repair.returncode == 0, repair.stdout + repair.stderr
    assert "FAILED" not in repair.stdout and "4 compliant" in repair.stdout
    for name in small_lab.names:
        assert small_lab.state(name, before[name])[0] == "intended"
    history = subprocess.run(
        ["git", "-C", str(small_lab.root / "build" / "backups"), "log", "--oneline"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "backup: 4 changed" in history  # the drifted configs, kept before the push

    again = small_lab.cli("push")
    assert again.returncode == 0 and "4 unchanged" in again.stdout, again.stdout
    backup = small_lab.cli("backup")
    assert backup.returncode == 0 and "4 changed" in backup.stdout  # now the intended ones
    audit = small_lab.cli("run", str(REPO / "playbooks" / "audit.yaml"))
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "4 compliant (" in audit.stdout and "non-compliant (" not in audit.stdout

    with small_lab.lab.faults(small_lab.names[0], refuse_connections=True):
        compliance = small_lab.cli("compliance")
    assert compliance.returncode == 0  # 3 compliant; the unreachable one is unknown, not ok
    said = " ".join((compliance.stdout + compliance.stderr).split())
    assert "3 compliant, 0 non-compliant, 0 unverified, 1 unknown" in said, said
