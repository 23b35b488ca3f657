"""The README and examples/ are true: each example is run as far as this machine allows
(no network: installing is checked for what it installs, not run)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import yaml

from nornir_config.lint.packs import select_packs
from nornir_config.lint.waivers import load_waivers
from nornir_config.project import open_project
from tests.conftest import REPO, province_root

README = (REPO / "README.md").read_text(encoding="utf-8")
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin"
SARIF_SCHEMA = REPO / "tests" / "lint" / "data" / "sarif-schema-2.1.0.json"


def scratch_project(tmp_path: Path) -> Path:
    """A copy of what a province repository holds, as a fresh git repository."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(province_root() / "hosts", root / "hosts")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copytree(REPO / "nornir_config" / "rules", root / "nornir_config" / "rules")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_readme_filter_examples_match_devices(at_root: None) -> None:
    examples = set(re.findall(r"`((?:code|role|kind|group|site)=[^`\sA-Z]+)`", README))
    assert "group=phuong" in examples
    for spec in examples:
        assert open_project([spec], connections=False).nr.inventory.hosts, spec


def test_readme_waiver_example_names_a_real_rule(project_copy: Path) -> None:
    block = README.split("## Waivers", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    rules = {r.id for p in select_packs([], None) for r in p.rules}
    data = yaml.safe_load(block)
    assert {w["rule"] for w in data["waivers"]} <= rules
    (project_copy / "hosts" / "waivers.yaml").write_text(block, encoding="utf-8")
    waivers = load_waivers(project_copy / "hosts", project_copy)
    assert [w.rule for w in waivers] == ["IOS-SNMP-001"]


def test_github_actions_example(tmp_path: Path) -> None:
    workflow = yaml.safe_load((REPO / "examples/ci/github-actions.yml").read_text("utf-8"))
    paths = workflow[True]["pull_request"]["paths"]  # YAML 1.1 reads the key `on` as True
    for pattern in paths:
        assert (REPO / pattern.split("/**")[0]).exists(), pattern
    steps = [s["run"] for s in workflow["jobs"]["lint"]["steps"] if "run" in s]
    assert steps[0] == "pip install ."  # from the checked-out repository, not an index
    root = scratch_project(tmp_path)
    for command in steps[1:]:
        result = run_shell(command, root)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    sarif = json.loads((root / "lint.sarif").read_text("utf-8"))
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text("utf-8")))


def test_gitlab_ci_example(tmp_path: Path) -> None:
    job = yaml.safe_load((REPO / "examples/ci/gitlab-ci.yml").read_text("utf-8"))["communelan-lint"]
    for pattern in job["rules"][0]["changes"]:
        assert (REPO / pattern.split("/**")[0]).exists(), pattern
    install, *commands = job["script"]
    assert install == "pip install --quiet ."
    root = scratch_project(tmp_path)
    result = run_shell("\n".join(commands), root)  # one shell, as GitLab runs a script
    assert result.returncode == 0, (result.stdout, result.stderr)
    for artifact in job["artifacts"]["paths"]:
        assert (root / artifact).is_file(), artifact
    suites = ET.parse(root / "lint-junit.xml").getroot()
    assert suites.get("failures") == "0"
    jsonschema.validate(
        json.loads((root / "lint.sarif").read_text("utf-8")),
        json.loads(SARIF_SCHEMA.read_text("utf-8")),
    )


def test_pre_commit_hook_from_a_scratch_repository(tmp_path: Path) -> None:
    """pre-commit itself is not installed here (it would pip-install this repository from the
    network); what it would do is done by hand: pick the staged files with the hook's `files`
    regex and run its `entry` once (pass_filenames: false) in the scratch repository."""
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    root = scratch_project(tmp_path)
    staged = subprocess.run(
        ["git", "-C", str(root), "diff", "--cached", "--name-only"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    matched = [f for f in staged if re.search(hook["files"], f)]
    assert {f.split("/")[0] for f in matched} >= {"hosts", "templates", "config.yaml"}
    assert any(f.startswith("nornir_config/rules/") for f in matched)
    assert run_shell(hook["entry"], root).returncode == 0
    # A broken template fails the hook.
    partial = next((root / "templates").rglob("hardening.j2"))
    partial.write_text(partial.read_text() + "{% if %}\n", encoding="utf-8")
    broken = run_shell(hook["entry"], root)
    assert broken.returncode == 1 and "hardening.j2" in broken.stdout + broken.stderr
