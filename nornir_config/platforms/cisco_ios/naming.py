"""IOS names: hostnames, reserved VLANs, SVIs and subinterfaces."""

from __future__ import annotations

import re

from nornir_config.platforms.base import Naming

# Letters, digits and hyphens; starts with a letter, ends with a letter or digit; <= 63.
HOSTNAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")

NAMING = Naming(
    hostname=HOSTNAME,
    hostname_rule="IOS hostname",
    # VLAN 1 is the default VLAN and 1002-1005 are reserved for FDDI/Token Ring.
    reserved_vlans=frozenset({1, 1002, 1003, 1004, 1005}),
    reserved_vlans_text="1, 1002-1005",
    svi=lambda vlan: f"Vlan{vlan}",
    subinterface=lambda port, vlan: f"{port}.{vlan}",
    banner_forbidden="^",
)
