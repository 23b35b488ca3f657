"""Comware names: sysnames, reserved VLANs, VLAN interfaces and subinterfaces."""

from __future__ import annotations

import re

from nornir_config.platforms.base import Naming

# Comware takes 1-64 printable characters; communelan keeps to names valid everywhere.
HOSTNAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$")

NAMING = Naming(
    hostname=HOSTNAME,
    hostname_rule="Comware sysname (letters, digits, hyphens; up to 64)",
    # VLAN 1 is the default VLAN; 4094 is kept for internal use on S5130 (IRF MAD).
    reserved_vlans=frozenset({1, 4094}),
    reserved_vlans_text="1, 4094",
    svi=lambda vlan: f"Vlan-interface{vlan}",
    subinterface=lambda port, vlan: f"{port}.{vlan}",
    banner_forbidden="%",
)
