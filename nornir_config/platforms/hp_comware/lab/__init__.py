"""The H3C Comware 7 lab dialect: devices, sessions and day-0 configs as MSR and S5130 have them.

Independent of the engine: its own grammar (`grammar.yaml`), config model and printer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nornir_config.platforms.base import Day0Facts

if TYPE_CHECKING:
    from nornir_config.lab.files import LabCredentials
    from nornir_config.lab.spec import LabDeviceSpec
    from nornir_config.platforms.hp_comware.lab.cli import ComwareSession
    from nornir_config.platforms.hp_comware.lab.device import ComwareDevice


def new_device(spec: LabDeviceSpec, operator: LabCredentials | None) -> ComwareDevice:
    """A booted device: the spec's own config (checked by the Comware grammar) or the lab's
    factory config, with the lab operator as a network-admin local user."""
    from nornir_config.platforms.hp_comware.lab.device import ComwareDevice

    device = ComwareDevice(spec, operator)
    device.start()
    return device


def new_session(device: ComwareDevice, user: str, privilege: int) -> ComwareSession:
    from nornir_config.platforms.hp_comware.lab.cli import ComwareSession

    return ComwareSession(device, user, privilege)


def day0_facts(text: str) -> Day0Facts:
    """Sysname, role and ports a Comware config shows (a routed subinterface: a router)."""
    name = re.search(r"^ sysname (\S+)", text, re.M)
    ports = tuple(
        m.group(1) for m in re.finditer(r"^interface ((?:Ten-)?GigabitEthernet[\d/]+)$", text, re.M)
    )
    router = bool(re.search(r"^interface \S+\.\d+$", text, re.M)) or not re.search(
        r"^ port link-type ", text, re.M
    )
    role = "router" if router else "switch"
    return Day0Facts(
        name.group(1) if name else None, role, "MSR2630" if router else "S5130S-28S-EI", ports
    )
