"""H3C Comware lab devices: an MSR2630 router and S5130S-28S-EI switches, cabled."""

from __future__ import annotations

from typing import Any

import pytest

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab

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
