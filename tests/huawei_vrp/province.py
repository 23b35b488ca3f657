"""A test province whose first commune (14797 Hạc Thành) is an all-Huawei office: an AR6120
router and S5735 switches; the other communes stay Cisco (a mixed province)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import yaml

from tests.conftest import province_root

HUAWEI_CODE = "14797"
MODELS = {
    "AR6120": {
        "role": "router",
        "platform": "huawei_vrp",
        "interfaces": ["GigabitEthernet0/0/0-9"],
    },
    "S5735-L24T4X-A": {
        "role": "switch",
        "platform": "huawei_vrp",
        "interfaces": ["GigabitEthernet0/0/1-24", "XGigabitEthernet0/0/1-4"],
    },
}
OVERRIDES = {
    "router_model": "AR6120",
    "switch_model": "S5735-L24T4X-A",
    "access_switches": 1,
    # GE0/0/0-1: the AR's WAN ports (routed); GE0/0/2: a LAN switch port trunked to the core.
    "router_ports": {
        "tslcd": "GigabitEthernet0/0/0",
        "internet": "GigabitEthernet0/0/1",
        "lan": "GigabitEthernet0/0/2",
    },
    "switch_uplinks": [f"XGigabitEthernet0/0/{n}" for n in range(1, 5)],
}


@functools.cache
def huawei_root() -> Path:
    """A project root like `province_root()` with the Huawei models and one Huawei office."""
    base = province_root()
    root = Path(tempfile.mkdtemp(prefix="communelan-huawei-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    (root / "templates").symlink_to(base / "templates")
    shutil.copy(base / "config.yaml", root / "config.yaml")
    shutil.copytree(base / "hosts", root / "hosts")
    defaults_path = root / "hosts" / "defaults.yaml"
    defaults = yaml.safe_load(defaults_path.read_text(encoding="utf-8"))
    defaults["models"].update(MODELS)
    defaults_path.write_text(yaml.safe_dump(defaults, allow_unicode=True), encoding="utf-8")
    communes_path = root / "hosts" / "communes.yaml"
    communes = yaml.safe_load(communes_path.read_text(encoding="utf-8"))
    for commune in communes["communes"]:
        if commune["code"] == HUAWEI_CODE:
            commune["overrides"] = dict(OVERRIDES)
    communes_path.write_text(yaml.safe_dump(communes, allow_unicode=True), encoding="utf-8")
    return root
