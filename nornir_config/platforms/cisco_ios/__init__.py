"""Cisco IOS / IOS-XE: the driver the core is handed for `platform: cisco_ios` devices."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml
from hier_config import Platform as HierPlatform
from netutils.lib_mapper import NAPALM_LIB_MAPPER_REVERSE, NETMIKO_LIB_MAPPER_REVERSE

from nornir_config.platforms.base import (
    Commands,
    DeviceCopy,
    FileDelivery,
    LabDialect,
    LintDialect,
    Platform,
    RevertTimer,
    ShowRunLayout,
)
from nornir_config.platforms.cisco_ios import acl, lab, naming, secrets

FOLDER = Path(__file__).parent


def _doc(name: str) -> dict[str, Any]:
    data = yaml.safe_load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


def _driver() -> Platform:
    info, push, sanitize = _doc("platform"), _doc("push"), _doc("sanitize")
    delivery = dict(push["file_delivery"])
    return Platform(
        name="cisco_ios",
        folder=FOLDER,
        templates="cisco_ios",
        hier_config=HierPlatform.CISCO_IOS,
        netmiko_device_type=NETMIKO_LIB_MAPPER_REVERSE["cisco_ios"],
        napalm_driver=NAPALM_LIB_MAPPER_REVERSE["cisco_ios"],
        netutils_platform="cisco_ios",
        commands=Commands(
            show_config="show running-config",
            enter_config="configure terminal",
            exit_config="end",
            config_prompt=r"\(config[^()]*\)#",
            save=delivery["save"],
            saved=delivery["saved"],
            session_setup=tuple(info["session_setup"]),
            negation="no ",
            error_pattern=push["error_pattern"],
        ),
        layout=ShowRunLayout(
            volatile=tuple(_doc("volatile")["volatile"]),
            separator="!",
            end="end",
            comment="!",
            banner=r"^banner \S+ (\^C|\S)",
        ),
        secrets=dataclasses.replace(
            secrets.FORMS,
            anywhere=tuple((r["regex"], r["replace"]) for r in sanitize["anywhere"]),
        ),
        naming=naming.NAMING,
        lint=LintDialect(acl_entry=acl.parse_entry),
        device_copy=DeviceCopy(**push["device_copy"]),
        revert_timer=RevertTimer(**push["revert_timer"]),
        replace="napalm",
        label="IOS",
        lab=LabDialect(device=lab.new_device, session=lab.new_session, day0_facts=lab.day0_facts),
        file_delivery=FileDelivery(
            path=delivery["path"],
            write=tuple(delivery["write"]),
            write_failed=delivery["write_failed"],
            unquotable=delivery["unquotable"],
            apply=delivery["apply"],
            question=delivery["question"],
            done=delivery["done"],
            copied=delivery["copied"],
            failed=delivery["failed"],
            delete=delivery["delete"],
            type=tuple(delivery["type"]),
        ),
    )


DRIVER = _driver()
