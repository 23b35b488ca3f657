"""Huawei VRP (AR routers, S-series switches, VRP5): the driver the core is handed for
`platform: huawei_vrp` devices."""

from __future__ import annotations

from pathlib import Path

from hier_config import Platform as HierPlatform
from netutils.lib_mapper import NAPALM_LIB_MAPPER_REVERSE

from nornir_config.platforms.base import build
from nornir_config.platforms.huawei_vrp import acl, lab, secrets

DRIVER = build(
    Path(__file__).parent,
    hier_config=HierPlatform.HUAWEI_VRP,
    netmiko_device_type="huawei",
    napalm_driver=NAPALM_LIB_MAPPER_REVERSE["huawei"],
    # netutils has no VRP parser; Comware's (`#` blocks, one-space indents) reads VRP alike.
    netutils_platform="hp_comware",
    secrets=secrets.FORMS,
    acl_entry=acl.parse_entry,
    lab=lab,
    # VRP's own full copy and way back (push.yaml `device_copy`): `save <file>` then
    # `rollback configuration to file <file>` (VRP undoes what the file lacks, adds what it has).
    replace="device",
    label="VRP",
)
