"""Lint reads what `render` wrote only while that is provably what it would render itself: the
inputs unchanged (manifest) and each file as written; anything else is rendered afresh, and
the report is always the one a lint from scratch gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from nornir_config.context import device_context, secret_forms
from nornir_config.inventory import build_nornir, province_of
from nornir_config.lint.engine import LintReport, placeholder_secrets, run_lint
from nornir_config.lint.output import render_report
from nornir_config.lint.packs import select_packs
from nornir_config.manifest import FILE, Rendered, input_paths, inputs_hash
from nornir_config.render import render_device
from nornir_config.settings import RunSettings
from tests.conftest import TEST_SECRETS

DEVICES = 517
CLI = "from nornir_config.cli import main; main()"
HARDENING = "templates/cisco_ios/partials/hardening.j2"


def render(root: Path) -> None:
    """`communelan render` as a user runs it (it writes the manifest)."""
    proc = subprocess.run(
        [sys.executable, "-c", CLI, "--root", str(root), "render"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr


def lint(root: Path) -> tuple[LintReport, dict[str, Any]]:
    report = run_lint(root, select_packs([], root))
    data: dict[str, Any] = json.loads(render_report(report, "json"))
    return report, data


def from_scratch(root: Path) -> dict[str, Any]:
    """The lint of the same tree with no manifest: every device rendered by lint."""
    manifest = root / "build" / "intended" / FILE
    kept = manifest.read_bytes()
    manifest.unlink()
    try:
        report, data = lint(root)
    finally:
        manifest.write_bytes(kept)
    assert report.reused == 0
    return data


def rule_devices(data: dict[str, Any], rule: str) -> set[str]:
    return {d for f in data["findings"] if f["rule"] == rule for d in f["devices"]}


def test_lint_reads_what_render_wrote_and_reports_the_same(project_copy: Path) -> None:
    hardening = project_copy / HARDENING
    hardening.write_text(hardening.read_text() + "ip http server\n")  # a finding on every device
    render(project_copy)
    report, data = lint(project_copy)
    assert report.reused == DEVICES == report.devices
    assert len(rule_devices(data, "IOS-SVC-001")) == DEVICES
    assert data == from_scratch(project_copy)


def test_each_config_read_is_the_one_lint_would_render(project_copy: Path) -> None:
    """With the placeholders' forms put in, a written config is, byte for byte, lint's own
    render with placeholders (the secrets are the only input render and lint differ in)."""
    render(project_copy)
    settings = RunSettings(root=project_copy.resolve())
    province = province_of(build_nornir(settings, num_workers=1))
    rendered = Rendered.load(settings.build_dir / "intended", inputs_hash(input_paths(settings)))
    assert rendered is not None
    secrets = placeholder_secrets(province.devices)
    for device in province.devices:
        context = device_context(device, province.defaults, secrets)
        text = rendered.text(device.name, secret_forms(context))
        assert text == render_device(device, province, secrets, settings.templates_dir)
        written = (settings.build_dir / "intended" / f"{device.name}.cfg").read_text()
        assert text != written  # the real secrets' forms were there, lint's are not


def test_an_edited_hosts_file_is_rendered_afresh(project_copy: Path) -> None:
    render(project_copy)
    defaults = project_copy / "hosts" / "defaults.yaml"
    text = defaults.read_text()
    assert "syslog: [10.38.1.51, 10.38.2.51]" in text
    defaults.write_text(text.replace("syslog: [10.38.1.51, 10.38.2.51]", "syslog: [10.38.1.51]"))
    report, data = lint(project_copy)
    assert report.reused == 0
    # the written configs still log to two hosts; lint saw the edit: one is not enough
    assert len(rule_devices(data, "VN2-LOG-001")) == DEVICES
    assert data == from_scratch(project_copy)


def test_an_edited_template_is_rendered_afresh(project_copy: Path) -> None:
    render(project_copy)
    hardening = project_copy / HARDENING
    hardening.write_text(hardening.read_text() + "ip http server\n")
    report, data = lint(project_copy)
    assert report.reused == 0
    assert len(rule_devices(data, "IOS-SVC-001")) == DEVICES
    assert data == from_scratch(project_copy)


def test_a_hand_edited_config_is_rendered_afresh(project_copy: Path) -> None:
    render(project_copy)
    configs = sorted((project_copy / "build" / "intended").glob("*.cfg"))
    edited, removed = configs[0], configs[1]
    edited.write_text(edited.read_text() + "ip http server\n")
    removed.unlink()
    report, data = lint(project_copy)
    assert report.reused == DEVICES - 2
    assert rule_devices(data, "IOS-SVC-001") == set()  # lint linted its own render of it
    assert data == from_scratch(project_copy)


def test_the_manifest_holds_no_secret(project_copy: Path) -> None:
    render(project_copy)
    manifest = project_copy / "build" / "intended" / FILE
    assert oct(os.stat(manifest).st_mode & 0o777) == "0o600"
    text = manifest.read_text()
    written = (project_copy / "build" / "intended" / "hac-thanh-14797-rt01.cfg").read_text()
    data = json.loads(text)
    spans = data["devices"]["hac-thanh-14797-rt01"]["spans"]
    forms = {written[start:end] for start, end, _ in spans}
    assert len(forms) >= 4  # hashes and reversible keys of several secrets
    for secret in [*TEST_SECRETS.values(), *forms]:
        assert secret not in text
