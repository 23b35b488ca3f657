"""Huawei VRP (AR routers, S-series switches, VRP5): the driver the core is handed for
`platform: huawei_vrp` devices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hier_config import Platform as HierPlatform
from netutils.lib_mapper import NAPALM_LIB_MAPPER_REVERSE

from nornir_config.platforms.base import (
    Commands,
    DeviceCopy,
    LabDialect,
    LintDialect,
    Platform,
    ShowRunLayout,
)
from nornir_config.platforms.huawei_vrp import acl, lab, naming, secrets

FOLDER = Path(__file__).parent


def _doc(name: str) -> dict[str, Any]:
    data = yaml.safe_load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


def _driver() -> Platform:
    return Platform(
        name="huawei_vrp",
        folder=FOLDER,
        templates="huawei_vrp",
        hier_config=HierPlatform.HUAWEI_VRP,
        netmiko_device_type="huawei",
        napalm_driver=NAPALM_LIB_MAPPER_REVERSE["huawei"],
        # netutils has no VRP parser; Comware's (`#` blocks, one-space indents) reads VRP alike.
        netutils_platform="hp_comware",
        commands=Commands(
            show_config="display current-configuration",
            enter_config="system-view",
            exit_config="return",
            config_prompt=r"\[[^\]\s]+\]",
            save="save",
            saved=r"successfully",
            save_confirm=r"\[Y/N\]",
            save_answer="y",
            session_setup=("screen-length 0 temporary",),
            negation="undo ",
            error_pattern=r"^Error:",
        ),
        layout=ShowRunLayout(
            volatile=tuple(_doc("volatile")["volatile"]),
            separator="#",
            end="return",
            comment="#",
            # communelan's banner is one quoted line (`header login information "..."`): no
            # line of the body needs joining up to a delimiter.
            banner=r"(?!)",
            leaf_indent=" ",
        ),
        secrets=secrets.FORMS,
        naming=naming.NAMING,
        lint=LintDialect(acl_entry=acl.parse_entry),
        # VRP's own full copy and way back: `save <file>` then `rollback configuration to
        # file <file>` (user view; VRP undoes what the file lacks, adds what it has).
        device_copy=DeviceCopy(**_doc("push")["device_copy"]),
        replace="device",
        label="VRP",
        lab=LabDialect(device=lab.new_device, session=lab.new_session, day0_facts=lab.day0_facts),
    )


DRIVER = _driver()
