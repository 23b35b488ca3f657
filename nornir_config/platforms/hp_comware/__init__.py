"""H3C Comware 7 (MSR routers, S5130 switches): the driver the core is handed for
`platform: hp_comware` devices."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml
from hier_config import Platform as HierPlatform

from nornir_config.platforms.base import (
    Commands,
    DeviceCopy,
    LabDialect,
    LintDialect,
    Platform,
    ShowRunLayout,
)
from nornir_config.platforms.hp_comware import acl, lab, layout, naming, secrets

FOLDER = Path(__file__).parent


def _doc(name: str) -> dict[str, Any]:
    data = yaml.safe_load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


PUSH = _doc("push")

DRIVER = Platform(
    name="hp_comware",
    folder=FOLDER,
    templates="hp_comware",
    hier_config=HierPlatform.HP_COMWARE5,
    netmiko_device_type="hp_comware",
    napalm_driver="h3c_comware",
    netutils_platform="hp_comware",
    commands=Commands(
        show_config="display current-configuration",
        enter_config="system-view",
        exit_config="return",
        config_prompt=r"\[[^\]]+\]",
        save="save force",
        saved=r"successfully",
        session_setup=("screen-length disable",),
        negation="undo ",
        error_pattern=PUSH["error_pattern"],
    ),
    layout=ShowRunLayout(
        volatile=tuple(_doc("volatile")["volatile"] or ()),
        separator="#",
        end="return",
        comment="#",
        banner=r"(?!)(\S)",  # headers are rendered on one line: no block to gather
        read=layout.read,
        write=layout.write,
    ),
    secrets=dataclasses.replace(
        secrets.FORMS,
        anywhere=tuple((r["regex"], r["replace"]) for r in _doc("sanitize")["anywhere"]),
    ),
    naming=naming.NAMING,
    lint=LintDialect(acl_entry=acl.parse_entry),
    device_copy=DeviceCopy(**PUSH["device_copy"]),
    replace="device",
    label="Comware",
    lab=LabDialect(device=lab.new_device, session=lab.new_session, day0_facts=lab.day0_facts),
)
