"""What a device needs to reach a target config: hier_config remediation, as command lines.

The driver is the platform's own (rules from platforms/<platform>/running_config.yaml, shared
with the lab and compliance) plus the send-order and single-value rules of its push.yaml.
"""

from __future__ import annotations

import copy
import difflib
from functools import cache
from typing import Any

from hier_config import HConfig, MatchRule, WorkflowRemediation, get_hconfig
from hier_config.models import IdempotentCommandsRule, OrderingRule

from nornir_config.hier import config_rules
from nornir_config.platforms import platform_data


@cache
def push_driver(platform: str) -> Any:
    """The platform's hier_config driver with push.yaml's rules added."""
    base = config_rules(platform).driver
    extra = platform_data(platform, "push")
    driver = copy.copy(base)
    driver.rules = base.rules.model_copy(
        update={
            "ordering": [
                *base.rules.ordering,
                *(
                    OrderingRule(
                        match_rules=tuple(MatchRule(**m) for m in rule["lineage"]),
                        weight=int(rule["weight"]),
                    )
                    for rule in extra.get("ordering", [])
                ),
            ],
            "idempotent_commands": [
                *(
                    IdempotentCommandsRule(match_rules=tuple(MatchRule(**m) for m in lineage))
                    for lineage in extra.get("idempotent_commands", [])
                ),
                *base.rules.idempotent_commands,
            ],
        }
    )
    return driver


def error_pattern(platform: str) -> str:
    """The regex of device answers that mean a config command was refused."""
    return str(platform_data(platform, "push")["error_pattern"])


def hconfig(text: str, platform: str) -> HConfig:
    """A config file or `show running-config` output as a tree (volatile header dropped)."""
    return get_hconfig(push_driver(platform), text)


def remediation(running: str, target: str, platform: str) -> list[str]:
    """The commands, in sending order and indented by section, that turn `running` into
    `target`; empty when nothing differs."""
    workflow = WorkflowRemediation(hconfig(running, platform), hconfig(target, platform))
    return list(workflow.remediation_config.lines())


def config_diff(before: str, after: str, platform: str, names: tuple[str, str]) -> str:
    """A unified line diff of two configs' bodies (volatile header lines dropped)."""
    a = list(hconfig(before, platform).dump_simple())
    b = list(hconfig(after, platform).dump_simple())
    return "\n".join(difflib.unified_diff(a, b, names[0], names[1], lineterm=""))
