"""The Cisco IOS-XE lab dialect: devices, sessions and day-0 configs as IOS-XE 17 has them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nornir_config.platforms.base import Day0Facts

if TYPE_CHECKING:
    from nornir_config.lab.files import LabCredentials
    from nornir_config.lab.spec import LabDeviceSpec
    from nornir_config.platforms.base import LabSession
    from nornir_config.platforms.cisco_ios.lab.device import LabDevice


def new_device(spec: LabDeviceSpec, operator: LabCredentials | None) -> LabDevice:
    """A booted device: the spec's own config (checked by the IOS grammar) or a factory
    config, with the lab operator's user and enable secret when there is one."""
    from nornir_config.platforms.cisco_ios.lab.cli import Cli
    from nornir_config.platforms.cisco_ios.lab.device import (
        LabDevice,
        operator_line_password,
        operator_lines,
    )

    device = LabDevice(
        spec,
        operator=operator_lines(operator) if operator else [],
        line_password=operator_line_password(operator) if operator else None,
    )
    if spec.day0 is not None:
        tree, errors = Cli(device, "console").load_file(spec.day0)
        device.boot(tree)
        device.boot_errors = errors
    return device


def new_session(device: LabDevice, user: str, privilege: int) -> LabSession:
    from nornir_config.platforms.cisco_ios.lab.cli import Cli

    return Cli(device, user, privilege)


def day0_facts(text: str) -> Day0Facts:
    from nornir_config.platforms.cisco_ios.lab.day0 import day0_facts as facts

    return facts(text)
