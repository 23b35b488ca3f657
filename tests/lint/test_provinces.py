"""Lint over a hosts/ with two provinces: SARIF and JUnit say which provinces a finding is in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from nornir_config.lint.engine import run_lint
from nornir_config.lint.output import render_report
from nornir_config.lint.packs import select_packs
from tests.conftest import QUANG_NINH, REPO, THANH_HOA, province_root


def _project(tmp_path: Path, codes: tuple[str, ...]) -> Path:
    """A copy with its own templates, one of which serves HTTP on every device."""
    root = tmp_path / "-".join(codes)
    root.mkdir()
    shutil.copytree(province_root(codes) / "hosts", root / "hosts")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    with (root / "templates" / "cisco_ios" / "partials" / "hardening.j2").open("a") as partial:
        partial.write("ip http server\n")
    return root


def _sarif_http(root: Path) -> dict[str, object]:
    report = run_lint(root, select_packs([], root))
    results = json.loads(render_report(report, "sarif"))["runs"][0]["results"]
    found = [r for r in results if r["ruleId"] == "IOS-SVC-001"]
    assert len(found) == 1
    properties: dict[str, object] = found[0]["properties"]
    return properties


def test_findings_name_their_provinces(tmp_path: Path) -> None:
    root = _project(tmp_path, THANH_HOA + QUANG_NINH)
    assert _sarif_http(root)["provinces"] == ["22 Quảng Ninh", "38 Thanh Hóa"]
    junit = render_report(run_lint(root, select_packs([], root)), "junit")
    assert "[22 Quảng Ninh; 38 Thanh Hóa]" in junit


def test_one_province_findings_stay_as_they_were(tmp_path: Path) -> None:
    assert "provinces" not in _sarif_http(_project(tmp_path, QUANG_NINH))
