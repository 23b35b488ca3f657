"""The VN level-2 controls on every vendor: one rule id, each driver's own check (its lint.yaml
`checks:`), clean on rendered offices and failing when the vendor's line goes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from nornir_config.lint.engine import run_lint
from nornir_config.lint.packs import select_packs
from tests.conftest import REPO, province_root
from tests.offices import VENDOR_OVERRIDES

# Groups that put an office on other vendors' models (the models `communelan init` bundles):
# Huawei, H3C, and a Huawei router with H3C switches.
VENDOR_GROUPS = {
    "huawei": {"overrides": VENDOR_OVERRIDES["huawei_vrp"]},
    "h3c": {"overrides": VENDOR_OVERRIDES["hp_comware"]},
    "huawei-h3c": {
        "overrides": {
            **VENDOR_OVERRIDES["hp_comware"],
            "router_model": VENDOR_OVERRIDES["huawei_vrp"]["router_model"],
            "router_ports": VENDOR_OVERRIDES["huawei_vrp"]["router_ports"],
        }
    },
}
COMMUNES = {"16591": "huawei", "16636": "h3c", "15271": "huawei-h3c"}


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "mixed"
    shutil.copytree(province_root() / "hosts", root / "hosts")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    groups_path = root / "hosts" / "groups.yaml"
    groups = yaml.safe_load(groups_path.read_text(encoding="utf-8"))
    groups["groups"].update(VENDOR_GROUPS)
    groups_path.write_text(yaml.safe_dump(groups, allow_unicode=True), encoding="utf-8")
    communes_path = root / "hosts" / "communes.yaml"
    communes = yaml.safe_load(communes_path.read_text(encoding="utf-8"))
    for commune in communes["communes"]:
        if commune["code"] in COMMUNES:
            commune["groups"] = [COMMUNES[commune["code"]]]
    communes_path.write_text(yaml.safe_dump(communes, allow_unicode=True), encoding="utf-8")
    return root


def _ids(root: Path) -> dict[str, set[str]]:
    report = run_lint(root, select_packs([], root))
    found: dict[str, set[str]] = {}
    for finding in report.findings:
        found.setdefault(finding.rule, set()).update(finding.devices)
    return found


def test_every_vendor_office_lints_clean(tmp_path: Path) -> None:
    assert _ids(_project(tmp_path)) == {}


@pytest.mark.parametrize(
    ("driver", "partial", "line", "rule"),
    [
        # A router's Vlanif is a gateway with or without its filter: a missing one is ZONE-002.
        ("huawei_vrp", "lan_gateways.j2", "traffic-filter inbound acl", "VN2-ZONE-002"),
        ("hp_comware", "lan_gateways.j2", "packet-filter", "VN2-ZONE-002"),
        ("huawei_vrp", "logging.j2", "info-center loghost {{", "VN2-LOG-001"),
        ("hp_comware", "ntp.j2", "ntp-service unicast-server", "VN2-LOG-002"),
        # VN2-BAK-001, the config kept on the device. VRP: `set save-configuration [interval
        # minutes] [delay minutes] [cpu-limit percent]` in system view, the periodic save to
        # the startup file (Huawei AR/S V200 command reference; csdn.net 126383735 quotes its
        # examples). Comware 7: `archive configuration location flash:/
        # filename-prefix <p>` (the directory must exist, hence the flash root), `archive
        # configuration interval <min>`, `archive configuration max <n>` (HPE FlexFabric 5940
        # and H3C S5820 Fundamentals Command References, "archive configuration location").
        ("huawei_vrp", "archive.j2", "set save-configuration", "VN2-BAK-001"),
        ("hp_comware", "archive.j2", "archive configuration max", "VN2-BAK-001"),
        ("hp_comware", "archive.j2", "archive configuration location", "VN2-BAK-001"),
    ],
)
def test_the_vendor_check_fails_without_its_line(
    tmp_path: Path, driver: str, partial: str, line: str, rule: str
) -> None:
    root = _project(tmp_path)
    path = root / "templates" / driver / "partials" / partial
    text = path.read_text(encoding="utf-8")
    kept = [x for x in text.split("\n") if line not in x]
    assert len(kept) < len(text.split("\n")), f"{line!r} not in {partial}"
    path.write_text("\n".join(kept), encoding="utf-8")
    assert rule in _ids(root)
