"""Compliance features of a platform (its `features.yaml`), filled in for one device.

A feature owns the top-level lines (with their children) whose text matches one of its
`sections` regexes; the first feature in file order wins. Lines no feature of the device's
role owns belong to the feature `unowned`, so nothing on a device goes unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from nornir_config.compliance.model import UNOWNED
from nornir_config.platforms.base import Platform
from nornir_config.running_config import Block
from nornir_config.sot.province import Device


@dataclass(frozen=True)
class FeatureSpec:
    """One `features.yaml` entry; `sections` still hold their `{{ }}` placeholders."""

    name: str
    partial: str
    roles: tuple[str, ...]
    ordered: bool
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Feature:
    """A feature with its regexes filled in for one device."""

    name: str
    ordered: bool
    patterns: tuple[re.Pattern[str], ...]

    def owns(self, line: str) -> bool:
        return any(p.match(line) for p in self.patterns)


@cache
def feature_specs(platform: Platform) -> tuple[FeatureSpec, ...]:
    data = platform.data("features")
    return tuple(
        FeatureSpec(
            name=str(f["name"]),
            partial=str(f["partial"]),
            roles=tuple(f["roles"]),
            ordered=bool(f["ordered"]),
            sections=tuple(f["sections"]),
        )
        for f in data["features"]
    )


def _escape(value: Any) -> str:
    """Template values are literal text inside the regexes (interface names hold dots)."""
    return re.escape(str(value))


_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    finalize=_escape,
    autoescape=False,  # regexes, not HTML
)


@cache
def _template(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


@cache
def _compile(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def device_features(
    platform: Platform, role: str, context: Mapping[str, Any]
) -> tuple[Feature, ...]:
    """The features of a device of `role`, placeholders filled from its template variables."""
    return tuple(
        Feature(
            spec.name,
            spec.ordered,
            tuple(_compile(_template(s).render(**context)) for s in spec.sections),
        )
        for spec in feature_specs(platform)
        if role in spec.roles
    )


def features_for(device: Device) -> tuple[Feature, ...]:
    """The features of one device of the source of truth. Section regexes may name the
    device's ports and names (`router_ports`, `interfaces`, `hostname`, `code`), never its
    secrets, so that a push can tell which lines no feature owns without them."""
    context = {
        "router_ports": device.settings.router_ports,
        "interfaces": device.interfaces,
        "hostname": device.name,
        "code": device.code,
    }
    return device_features(device.driver, device.role, context)


def owner_of(line: str, features: tuple[Feature, ...], negation: str) -> str:
    """The feature owning a top-level line, or a negation's line; `unowned` if none."""
    for text in (line, line.removeprefix(negation)):
        owner = next((f.name for f in features if f.owns(text)), None)
        if owner is not None:
            return owner
    return UNOWNED


def split_features(blocks: list[Block], features: tuple[Feature, ...]) -> dict[str, list[Block]]:
    """Blocks by owning feature (every feature present, possibly empty), plus `unowned`."""
    owned: dict[str, list[Block]] = {f.name: [] for f in features}
    owned[UNOWNED] = []
    for block in blocks:
        owner = next((f.name for f in features if f.owns(block[0])), UNOWNED)
        owned[owner].append(block)
    return owned


def blocks_text(blocks: list[Block]) -> str:
    """Blocks as config text (one space of indentation per level, as the device prints them)."""
    lines: list[str] = []
    for head, children in blocks:
        lines.append(head)
        lines.extend(children)
    return "\n".join(lines)
