"""The one test that reads the shipped hosts/: it validates, renders and lints. Every other test
uses provinces the suite generates itself (tests/conftest.py `province_root`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "300"}
    return subprocess.run(
        [sys.executable, "-m", "nornir_config", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_the_shipped_hosts_validates_renders_and_lints(tmp_path: Path) -> None:
    inventory = _cli(REPO, "inventory", "--format", "json")
    assert inventory.returncode == 0, inventory.stderr
    assert json.loads(inventory.stdout)
    render = _cli(REPO, "render", "--out", str(tmp_path / "intended"))
    assert render.returncode == 0, render.stderr
    assert len(list((tmp_path / "intended").glob("*.cfg"))) == len(json.loads(inventory.stdout))
    lint = _cli(REPO, "lint", "--format", "json")
    assert lint.returncode == 0, lint.stdout[-2000:] + lint.stderr
    assert [f for f in json.loads(lint.stdout)["findings"] if f["severity"] == "error"] == []
