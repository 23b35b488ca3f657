"""Running versus intended, feature by feature, from text alone (no devices, no files).

Comparison is netutils' feature compliance; remediation is hier_config. This module only
prepares both texts alike: volatile lines out, equal secrets made equal text, lines split by
the feature that owns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from hier_config import WorkflowRemediation, get_hconfig
from netutils.config.clean import clean_config
from netutils.config.compliance import feature_compliance

from nornir_config.compliance.features import Feature, blocks_text, split_features
from nornir_config.compliance.model import UNOWNED, FeatureResult
from nornir_config.compliance.secrets import TokenVerifier, tokens
from nornir_config.hier import config_rules
from nornir_config.platforms import platform_data
from nornir_config.running_config import Block, parse_blocks


@cache
def _volatile_filters(platform: str) -> tuple[dict[str, str], ...]:
    return tuple({"regex": r} for r in platform_data(platform, "volatile")["volatile"])


@cache
def netutils_platform(platform: str) -> str:
    return str(platform_data(platform).get("netutils_platform", platform))


def without_volatile(text: str, platform: str) -> str:
    """The config without the lines that change on their own (timestamps, clock drift)."""
    text = text.replace("\r\n", "\n")
    return str(clean_config(text, list(_volatile_filters(platform))))


@dataclass
class _Equated:
    blocks: list[Block]
    notes: dict[str, list[str]]  # head of the top-level block -> notes


def equate_secrets(
    running: list[Block], intended: list[Block], verifier: TokenVerifier, platform: str
) -> _Equated:
    """Running blocks where a token hiding the same secret as the intended one is written
    exactly as intended; a different secret stays different (and so non-compliant)."""
    wanted: dict[tuple[str, str], str] = {}
    for head, children in intended:
        wanted.setdefault(("", tokens(head, platform)[0]), head)
        for child in children:
            wanted.setdefault((head, tokens(child, platform)[0]), child)
    notes: dict[str, list[str]] = {}

    def fix(parent: str, line: str, pending: list[str]) -> str:
        masked, found = tokens(line, platform)
        target = wanted.get((parent, masked)) if found else None
        if target is None or target == line:
            return line
        pairs = zip(tokens(target, platform)[1], found, strict=False)
        verdicts = [verifier.same_secret(kind, want, have) for (kind, want), (_, have) in pairs]
        if any(v is False for v in verdicts):
            return line
        if any(v is None for v in verdicts):
            pending.append(f"secret not verifiable (sanitised): {masked}")
        return target

    out: list[Block] = []
    for head, children in running:
        pending: list[str] = []
        new_head = fix("", head, pending)
        out.append((new_head, tuple(fix(new_head, c, pending) for c in children)))
        if pending:
            notes.setdefault(new_head, []).extend(pending)
    return _Equated(out, notes)


def _lines(text: str) -> list[str]:
    return [line for line in str(text or "").splitlines() if line.strip()]


def remediation(running_text: str, intended_text: str, platform: str) -> list[str]:
    """hier_config's commands that turn the running text into the intended one."""
    driver = config_rules(platform).driver
    workflow = WorkflowRemediation(
        get_hconfig(driver, running_text), get_hconfig(driver, intended_text)
    )
    out: list[str] = []
    for item in workflow.remediation_config.dump_simple():
        out.extend(item.split("\n"))
    return out


def compare_texts(
    intended: str,
    running: str,
    features: tuple[Feature, ...],
    platform: str,
    verifier: TokenVerifier,
) -> list[FeatureResult]:
    """Per-feature results (template order, then `unowned`) of one device."""
    intended_blocks = parse_blocks(without_volatile(intended, platform), platform)
    running_blocks = parse_blocks(without_volatile(running, platform), platform)
    equated = equate_secrets(running_blocks, intended_blocks, verifier, platform)
    want = split_features(intended_blocks, features)
    have = split_features(equated.blocks, features)
    ordered = {f.name: f.ordered for f in features}
    os_name = netutils_platform(platform)
    results: list[FeatureResult] = []
    for name, intended_part in want.items():
        intended_text = blocks_text(intended_part)
        actual_text = blocks_text(have[name])
        spec: Mapping[str, Any] = {"name": name, "ordered": ordered.get(name, False)}
        data = feature_compliance(dict(spec), actual_text, intended_text, os_name)
        compliant = bool(data["compliant"])
        results.append(
            FeatureResult(
                name=name,
                compliant=compliant,
                ordered=bool(spec["ordered"]),
                missing=_lines(str(data["missing"] or "")),
                extra=_lines(str(data["extra"] or "")),
                remediation=[] if compliant else remediation(actual_text, intended_text, platform),
                intended=intended_text.splitlines(),
                actual=actual_text.splitlines(),
                notes=[n for head, _ in have[name] for n in equated.notes.get(head, [])],
            )
        )
    return results


__all__ = ["UNOWNED", "compare_texts", "equate_secrets", "remediation", "without_volatile"]
