"""A Huawei office in the lab: an AR router cabled to an S-series switch, behind real SSH."""

from __future__ import annotations

import pytest

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab

AR_PORTS = tuple(f"GigabitEthernet0/0/{n}" for n in range(10))
S_PORTS = tuple(f"GigabitEthernet0/0/{n}" for n in range(1, 25)) + tuple(
    f"XGigabitEthernet0/0/{n}" for n in range(1, 5)
)


def huawei_specs() -> list[LabDeviceSpec]:
    return [
        LabDeviceSpec(
            name="HW-R1",
            hostname="HW-R1",
            model="AR6120",
            role="router",
            interfaces=AR_PORTS,
            driver="huawei_vrp",
            links=(("GigabitEthernet0/0/2", "HW-S1", "XGigabitEthernet0/0/1"),),
        ),
        LabDeviceSpec(
            name="HW-S1",
            hostname="HW-S1",
            model="S5735-L24T4X-A",
            role="switch",
            interfaces=S_PORTS,
            driver="huawei_vrp",
        ),
    ]


@pytest.fixture
def hw_lab(lab_factory: LabFactory) -> RunningLab:
    return lab_factory(specs=huawei_specs(), client_address=None)


def netmiko_params(lab: RunningLab, name: str) -> dict[str, object]:
    return lab.netmiko_params(name, device_type="huawei")
