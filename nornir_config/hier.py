"""The platform's hier_config driver: stock rules plus what `running_config.yaml` adds.

One driver per platform, shared by the lab (how a device combines commands), push
(remediation) and compliance (diffs), so all three read a config the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from hier_config import HConfig, MatchRule, Platform, get_hconfig, get_hconfig_driver
from hier_config.models import IdempotentCommandsRule, NegationDefaultWithRule, PerLineSubRule

from nornir_config.platforms import platform_data


@dataclass(frozen=True)
class ConfigRules:
    """How config commands combine on one platform (hier_config driver plus kept negations)."""

    platform: str
    version_line: str
    stored_negations: tuple[re.Pattern[str], ...]
    driver: Any

    def is_stored_negation(self, text: str) -> bool:
        return any(p.search(text) for p in self.stored_negations)


@cache
def config_rules(platform: str = "cisco_ios") -> ConfigRules:
    """The stock hier_config driver of the platform, with the rules its YAML adds or replaces."""
    raw = platform_data(platform, "running_config")
    hc = raw.get("hier_config", {})
    driver = get_hconfig_driver(Platform[str(hc.get("base", platform)).upper()])
    rules = driver.rules
    keep = set(hc.get("keep_post_load_callbacks", []))
    update: dict[str, Any] = {
        "post_load_callbacks": [cb for cb in rules.post_load_callbacks if cb.__name__ in keep],
        "idempotent_commands": [
            *rules.idempotent_commands,
            *(
                IdempotentCommandsRule(match_rules=tuple(MatchRule(**m) for m in lineage))
                for lineage in hc.get("idempotent_commands", [])
            ),
        ],
    }
    if "negate_with" in hc:
        update["negate_with"] = [
            *rules.negate_with,
            *(
                NegationDefaultWithRule(
                    match_rules=tuple(MatchRule(**m) for m in rule["lineage"]), use=rule["use"]
                )
                for rule in hc["negate_with"]
            ),
        ]
    if "per_line_sub" in hc:
        update["per_line_sub"] = [PerLineSubRule(**r) for r in hc["per_line_sub"]]
    driver.rules = rules.model_copy(update=update)
    return ConfigRules(
        platform=platform,
        version_line=raw["version_line"],
        stored_negations=tuple(re.compile(p) for p in raw.get("stored_negations", [])),
        driver=driver,
    )


def parse(text: str, platform: str = "cisco_ios") -> HConfig:
    """A config file or `show running-config` output as an HConfig tree."""
    return get_hconfig(config_rules(platform).driver, text)
