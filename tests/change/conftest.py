"""One commune (14797: a router and three switches) in an in-process lab, as the push tests
set it up: intended configs a few lines away from the devices' day-0 configs."""

from __future__ import annotations

import netmiko

from nornir_config.lab.testing import RunningLab
from tests.push.conftest import CODE, PushEnv, push_env


def out_of_band(lab: RunningLab, host: str, commands: list[str]) -> None:
    """A hand-made change over SSH, as an engineer on site would make it (no communelan)."""
    with netmiko.ConnectHandler(**lab.netmiko_params(host)) as conn:
        conn.send_config_set(commands, cmd_verify=False)


__all__ = ["CODE", "PushEnv", "out_of_band", "push_env"]
