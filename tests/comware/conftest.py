"""H3C Comware lab devices: an MSR2630 router and S5130S-28S-EI switches, cabled."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab
from tests.conftest import REPO, province_root

ROUTER_PORTS = ("GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2")
SWITCH_PORTS = tuple(f"GigabitEthernet1/0/{n}" for n in range(1, 25)) + tuple(
    f"Ten-GigabitEthernet1/0/{n}" for n in range(25, 29)
)


def comware_specs() -> list[LabDeviceSpec]:
    """`H3C-R1` (MSR2630) cabled GE0/2 to `H3C-S1` XGE1/0/25 (S5130S-28S-EI)."""
    return [
        LabDeviceSpec(
            "H3C-R1", "H3C-R1", "MSR2630", "router", ROUTER_PORTS,
            links=(("GigabitEthernet0/2", "H3C-S1", "Ten-GigabitEthernet1/0/25"),),
            driver="hp_comware",
        ),
        LabDeviceSpec("H3C-S1", "H3C-S1", "S5130S-28S-EI", "switch", SWITCH_PORTS, driver="hp_comware"),
    ]  # fmt: skip


def netmiko_params(lab: RunningLab, name: str, **extra: Any) -> dict[str, Any]:
    return lab.netmiko_params(name, device_type="hp_comware", **extra)


@pytest.fixture
def h3c(lab_factory: LabFactory) -> RunningLab:
    return lab_factory(specs=comware_specs())


H3C_GROUP = {
    "description": "Offices with H3C Comware 7 gear (MSR2630 router, S5130S-28S-EI switches).",
    "overrides": {
        "router_model": "MSR2630",
        "switch_model": "S5130S-28S-EI",
        "router_ports": {
            "tslcd": "GigabitEthernet0/0",
            "internet": "GigabitEthernet0/1",
            "lan": "GigabitEthernet0/2",
        },
        "switch_uplinks": [f"Ten-GigabitEthernet1/0/{n}" for n in range(25, 29)],
    },
}
H3C_COMMUNES = ("14797", "15853")  # Phường Hạc Thành (2 access switches), Phường Đông Tiến


@functools.cache
def h3c_root() -> Path:
    """The tests' Thanh Hóa province with two communes all on H3C (group `h3c`)."""
    root = Path(tempfile.mkdtemp(prefix="communelan-h3c-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    base = province_root()
    shutil.copytree(base / "hosts", root / "hosts")
    (root / "templates").symlink_to(REPO / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    groups_path = root / "hosts" / "groups.yaml"
    groups = yaml.safe_load(groups_path.read_text(encoding="utf-8"))
    groups["groups"]["h3c"] = H3C_GROUP
    groups_path.write_text(yaml.safe_dump(groups, allow_unicode=True, sort_keys=False), "utf-8")
    communes_path = root / "hosts" / "communes.yaml"
    communes = yaml.safe_load(communes_path.read_text(encoding="utf-8"))
    for commune in communes["communes"]:
        if commune["code"] in H3C_COMMUNES:
            commune["groups"] = ["h3c"]
    communes_path.write_text(yaml.safe_dump(communes, allow_unicode=True, sort_keys=False), "utf-8")
    return root
