"""Cisco IOS / IOS-XE: the driver the core is handed for `platform: cisco_ios` devices."""

from __future__ import annotations

from pathlib import Path

from hier_config import Platform as HierPlatform
from netutils.lib_mapper import NAPALM_LIB_MAPPER_REVERSE, NETMIKO_LIB_MAPPER_REVERSE

from nornir_config.platforms.base import build
from nornir_config.platforms.cisco_ios import acl, lab, secrets

DRIVER = build(
    Path(__file__).parent,
    hier_config=HierPlatform.CISCO_IOS,
    netmiko_device_type=NETMIKO_LIB_MAPPER_REVERSE["cisco_ios"],
    napalm_driver=NAPALM_LIB_MAPPER_REVERSE["cisco_ios"],
    secrets=secrets.FORMS,
    acl_entry=acl.parse_entry,
    lab=lab,
    replace="napalm",
    label="IOS",
)
