"""VRP names: sysnames, reserved VLANs, Vlanif interfaces and dot1q subinterfaces."""

from __future__ import annotations

import re

from nornir_config.platforms.base import Naming

# VRP takes 1-246 characters for `sysname`; communelan keeps the IOS-safe form (letters,
# digits, hyphens) so that one office's names work on every vendor.
SYSNAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")

NAMING = Naming(
    hostname=SYSNAME,
    hostname_rule="VRP sysname",
    # VLAN 1 is the default VLAN; VRP reserves 4094 by default for internal use on S series.
    reserved_vlans=frozenset({1, 4094}),
    reserved_vlans_text="1, 4094",
    svi=lambda vlan: f"Vlanif{vlan}",
    # An AR's LAN ports are switch ports: a zone's gateway on the router is its Vlanif too.
    subinterface=lambda _port, vlan: f"Vlanif{vlan}",
    banner_forbidden='"',
)
