"""The platform's hier_config driver: stock rules plus what `running_config.yaml` adds.

One driver per platform, shared by the lab (how a device combines commands), push
(remediation) and compliance (diffs), so all three read a config the same way.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any, TypeVar

from hier_config import HConfig, MatchRule, get_hconfig, get_hconfig_driver
from hier_config.models import (
    IdempotentCommandsRule,
    NegationDefaultWithRule,
    PerLineSubRule,
    SectionalExitingRule,
)

from nornir_config.platforms.base import Platform


@dataclass(frozen=True)
class ConfigRules:
    """How config commands combine on one platform (hier_config driver plus kept negations)."""

    platform: Platform
    version_line: str
    stored_negations: tuple[re.Pattern[str], ...]
    driver: Any

    def is_stored_negation(self, text: str) -> bool:
        return any(p.search(text) for p in self.stored_negations)


T = TypeVar("T")


def built_once(build: Callable[[Platform], T]) -> Callable[[Platform], T]:
    """`functools.cache` that builds each value once even when push threads ask for it at the
    same moment: hier_config refuses to compare trees parsed with two driver objects."""
    cached = cache(build)
    lock = threading.Lock()

    @wraps(build)
    def get(driver: Platform) -> T:
        with lock:
            return cached(driver)

    return get


@built_once
def config_rules(platform: Platform) -> ConfigRules:
    """The stock hier_config driver of the platform, with the rules its YAML adds or replaces."""
    raw = platform.data("running_config")
    hc = raw.get("hier_config", {})
    stock = get_hconfig_driver(platform.hier_config)
    driver = _without_repeats(type(stock))()
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
    if "sectional_exiting" in hc:
        update["sectional_exiting"] = [
            *rules.sectional_exiting,
            *(
                SectionalExitingRule(
                    match_rules=tuple(MatchRule(**m) for m in rule["lineage"]),
                    exit_text=rule["exit_text"],
                    exit_text_parent_level=bool(rule.get("parent_level", False)),
                )
                for rule in hc["sectional_exiting"]
            ),
        ]
    if "per_line_sub" in hc:  # the volatile lines first: the driver's one list
        update["per_line_sub"] = [
            *(PerLineSubRule(search=f"(?:{v}).*", replace="") for v in platform.layout.volatile),
            *(PerLineSubRule(**r) for r in hc["per_line_sub"]),
        ]
    driver.rules = rules.model_copy(update=update)
    return ConfigRules(
        platform=platform,
        version_line=raw["version_line"],
        stored_negations=tuple(re.compile(p) for p in raw.get("stored_negations", [])),
        driver=driver,
    )


def _without_repeats(base: type[Any]) -> type[Any]:
    """The stock driver class, reading a config without a line repeated in one section.

    A device never holds one line twice; a sanitised backup does (two communities that both
    became `snmp-server community <removed> RO`), and hier_config refuses duplicate children.
    """

    class Driver(base):  # type: ignore[misc]
        @staticmethod
        def config_preprocessor(config_text: str) -> str:
            return drop_repeated_lines(base.config_preprocessor(config_text))

    Driver.__name__ = base.__name__
    return Driver


def drop_repeated_lines(text: str) -> str:
    """`text` without a leaf line equal to an earlier leaf line of the same section (same
    indentation, same parents); banner bodies are kept as they are.

    >>> drop_repeated_lines("a\\n b\\n b\\nc\\nc\\n")
    'a\\n b\\nc\\n'
    """
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    seen: set[tuple[str, ...]] = set()
    parents: list[tuple[int, str]] = []
    banner_end: str | None = None
    for index, line in enumerate(lines):
        if banner_end is not None:
            out.append(line)
            if banner_end in line:
                banner_end = None
            continue
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        while parents and parents[-1][0] >= indent:
            parents.pop()
        words = stripped.split()
        if stripped.startswith("banner ") and len(words) > 2:
            delimiter = words[2][:2] if words[2].startswith("^") else words[2][:1]
            rest = stripped.split(None, 2)[2][len(delimiter) :]
            banner_end = None if delimiter in rest else delimiter
            out.append(line)
            continue
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        is_leaf = len(nxt) - len(nxt.lstrip()) <= indent or not nxt.strip()
        key = (*(p for _, p in parents), stripped)
        if stripped and not stripped.startswith("!") and is_leaf:
            if key in seen:
                continue
            seen.add(key)
        parents.append((indent, stripped))
        out.append(line)
    return "\n".join(out)


def parse(text: str, platform: Platform) -> HConfig:
    """A config file or the device's printed running config as an HConfig tree."""
    from nornir_config.running_config import flatten

    return get_hconfig(config_rules(platform).driver, flatten(text, platform))
