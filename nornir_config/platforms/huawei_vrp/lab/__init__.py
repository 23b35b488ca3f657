"""The Huawei VRP lab dialect: devices, sessions and day-0 configs as VRP5 (AR, S series) has
them. Its own grammar, config model and printing; nothing from the engine."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nornir_config.platforms.base import Day0Facts
from nornir_config.platforms.huawei_vrp.lab import tree
from nornir_config.platforms.huawei_vrp.lab.cli import VrpSession
from nornir_config.platforms.huawei_vrp.lab.device import VrpDevice

if TYPE_CHECKING:
    from nornir_config.lab.files import LabCredentials
    from nornir_config.lab.spec import LabDeviceSpec
    from nornir_config.platforms.base import LabSession


def new_device(spec: LabDeviceSpec, operator: LabCredentials | None) -> VrpDevice:
    """A booted device: the spec's own config (checked by the VRP grammar) or a factory
    config, with the lab operator's local user when there is one; saved as booted."""
    device = VrpDevice(spec, operator)
    device.start()
    return device


def new_session(device: VrpDevice, user: str, privilege: int) -> LabSession:
    return VrpSession(device, user, privilege)


def day0_facts(text: str) -> Day0Facts:
    """Hostname, role and ports a VRP configuration shows (a router has WAN-side routed
    ports with addresses on GigabitEthernet0/0/0-1; a switch has XGigabitEthernet uplinks)."""
    root = tree.parse(text)
    name = next((c.text[8:] for c in root.children if c.text.startswith("sysname ")), None)
    ports = tuple(
        c.text.split()[1]
        for c in root.children
        if re.match(r"interface (X?GigabitEthernet|Ethernet)\d", c.text)
    )
    router = any(
        c.text.startswith("nat ") or c.text.startswith("ip address ")
        for c in root.children
        if c.text.startswith("interface GigabitEthernet")
        for c in c.children
    )
    model = "AR6120" if router else "S5735-L24T4X-A"
    return Day0Facts(name, "router" if router else "switch", model, ports)
