"""H3C Comware 7 (MSR routers, S5130 switches): the driver the core is handed for
`platform: hp_comware` devices."""

from __future__ import annotations

from pathlib import Path

from hier_config import Platform as HierPlatform

from nornir_config.platforms.base import build
from nornir_config.platforms.hp_comware import acl, lab, secrets

DRIVER = build(
    Path(__file__).parent,
    hier_config=HierPlatform.HP_COMWARE5,
    netmiko_device_type="hp_comware",
    napalm_driver="h3c_comware",
    secrets=secrets.FORMS,
    acl_entry=acl.parse_entry,
    lab=lab,
    replace="device",
    label="Comware",
)
