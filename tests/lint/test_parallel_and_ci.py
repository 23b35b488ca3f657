"""The forked device pass gives the serial answer; the CI examples run the lint."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from nornir_config import parallel
from nornir_config.lint import devicepass
from nornir_config.lint.engine import run_lint
from nornir_config.lint.output import render_report
from nornir_config.lint.packs import select_packs
from tests.conftest import REPO, in_own_process

PARTIALS = "templates/cisco_ios/partials"


def _lint_json(root: Path) -> dict[str, Any]:
    report = run_lint(root, select_packs([], root))
    data: dict[str, Any] = json.loads(render_report(report, "json"))
    return data


@in_own_process
def test_forked_pass_matches_the_serial_one(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = project_copy / PARTIALS / "access_ports.j2"
    edit.write_text(edit.read_text().replace(" spanning-tree bpduguard enable\n", ""))
    serial = _lint_json(project_copy)  # a province: one process
    monkeypatch.setenv(parallel.PROCESSES_ENV, "2")
    monkeypatch.setattr(devicepass, "PARALLEL_MIN_PART", 100)
    assert parallel.processes_for(517, 100) == 2  # the forked path really runs
    split = _lint_json(project_copy)
    assert split["devices"] == 517
    assert split == serial
    l2 = [f for f in serial["findings"] if f["rule"] == "IOS-L2-001"]
    assert len(l2) == 1 and len(l2[0]["devices"]) == 517 - 166  # every switch


@in_own_process
def test_a_dead_child_costs_time_not_findings(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project_copy / PARTIALS / "hardening.j2").open("a").write("ip http server\n")
    monkeypatch.setenv(parallel.PROCESSES_ENV, "2")
    monkeypatch.setattr(devicepass, "PARALLEL_MIN_PART", 100)
    marker = project_copy / "child-died"

    def die(*_args: object) -> None:
        marker.touch()  # proof that the forked child ran (and died)
        os._exit(3)

    monkeypatch.setattr(parallel, "_child", die)
    data = _lint_json(project_copy)
    assert marker.exists()
    http = [f for f in data["findings"] if f["rule"] == "IOS-SVC-001"]
    assert len(http) == 1 and len(http[0]["devices"]) == 517


def test_pre_commit_hook_runs_the_lint() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "communelan-lint")
    assert hook["entry"] == "communelan lint" and hook["pass_filenames"] is False
    assert hook["language"] == "python"


@pytest.mark.parametrize("name", ["gitlab-ci.yml", "github-actions.yml"])
def test_ci_examples_run_the_lint(name: str) -> None:
    text = (REPO / "examples" / "ci" / name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    commands = [line for line in text.splitlines() if "communelan lint" in line]
    assert commands
    for line in commands:
        if "--format" in line:
            fmt = line.split("--format", 1)[1].split()[0]
            assert fmt in ("text", "json", "junit", "sarif")
