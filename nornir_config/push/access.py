"""Management access after a change: the order that never cuts the push off from the devices
still to come, and the check that the NOC can still log in to a device and reach everything
behind it.

Within an office the far devices change first (access switches, then the core, then the
router): a change that cuts a path is then made where nothing behind it is left to reach.
After each changed device a fresh SSH login to it (the one the next run will make), and to
every device behind it, must succeed; a device whose change lost that is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable

from nornir.core import Nornir

from nornir_config.connection import failure_reason, fresh_login
from nornir_config.inventory import province_of
from nornir_config.sot.cabling import behind, depths

AccessCheck = Callable[[str], str | None]


def waves(nr: Nornir, hosts: list[str]) -> list[list[str]]:
    """`hosts` in waves, farthest from the NOC first (offices side by side in each wave)."""
    try:
        hops = depths(province_of(nr).devices)
    except KeyError:  # not a province inventory: one wave
        return [hosts]
    by_depth: dict[int, list[str]] = {}
    for host in hosts:
        by_depth.setdefault(hops.get(host, 0), []).append(host)
    return [by_depth[d] for d in sorted(by_depth, reverse=True)]


def access_check(nr: Nornir, skip: Callable[[str], bool]) -> AccessCheck:
    """`check(host)`: why the NOC lost `host` or a device behind it (None: all answer).

    Devices behind it that `skip` names (e.g. already unreachable before) are not checked.
    """
    try:
        downstream = behind(province_of(nr).devices)
    except KeyError:
        downstream = {}

    def check(host: str) -> str | None:
        for name in [host, *downstream.get(host, [])]:
            device = nr.inventory.hosts.get(name)
            if device is None or (name != host and skip(name)):
                continue
            try:
                fresh_login(device, nr.config)
            except Exception as exc:  # refused, reset, timed out or login refused
                where = "it" if name == host else f"{name} (behind it)"
                # Netmiko says "TCP connection to device failed" for a refused or unreachable
                # device: the cause says which
                return f"a fresh login to {where} failed: {failure_reason(exc)}"
        return None

    return check
