"""Running versus intended, feature by feature, from text alone (no devices, no files).

Comparison is netutils' feature compliance; remediation is the push's own (push/diff.plan),
so a report never suggests commands a push would not send. This module only prepares both
texts alike: volatile lines out, equal secrets made equal text, the lines the device owns set
aside, lines split by the feature that owns them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from netutils.config.clean import clean_config
from netutils.config.compliance import feature_compliance

from nornir_config.compliance.features import Feature, blocks_text, owner_of, split_features
from nornir_config.compliance.model import PROTECTED, UNOWNED, FeatureResult
from nornir_config.compliance.secrets import TokenVerifier, tokens
from nornir_config.hier import drop_repeated_lines
from nornir_config.platforms.base import Platform
from nornir_config.push.diff import plan
from nornir_config.running_config import Block, parse_blocks


@cache
def _volatile_filters(platform: Platform) -> tuple[dict[str, str], ...]:
    return tuple({"regex": f"(?:{r}).*\n"} for r in platform.layout.volatile)


@cache
def netutils_platform(platform: Platform) -> str:
    return platform.netutils_platform


def without_volatile(text: str, platform: Platform) -> str:
    """The config without the lines that change on their own (timestamps, clock drift), nor
    a line repeated in one section (a sanitised backup's; netutils refuses them)."""
    text = text.replace("\r\n", "\n")
    return drop_repeated_lines(str(clean_config(text, list(_volatile_filters(platform)))))


@dataclass
class _Equated:
    blocks: list[Block]
    notes: dict[str, list[str]]  # head of the top-level block -> notes


def equate_secrets(
    running: list[Block], intended: list[Block], verifier: TokenVerifier, platform: Platform
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
        pairs = list(zip(tokens(target, platform)[1], found, strict=False))
        # A form the device keeps that has no offline check (a vendor's own cipher):
        # neither the same secret nor a different one, and the report says so.
        offline = [held.name not in platform.secrets.verify for _, (held, _) in pairs]
        verdicts = [
            None if blind else verifier.same_secret(kind, want, have)
            for ((kind, want), (_, have)), blind in zip(pairs, offline, strict=True)
        ]
        if any(v is False for v in verdicts):
            return line
        if any(offline):
            pending.append(f"secret cannot be verified offline (device cipher): {masked}")
        elif any(v is None for v in verdicts):
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


def remediation(
    running_text: str, intended_text: str, platform: Platform, preserve: Sequence[str] = ()
) -> list[str]:
    """The commands a push would send (the push's own remediation, one for both)."""
    return plan(running_text, intended_text, platform, preserve).commands


def _without(blocks: list[Block], paths: set[str]) -> list[Block]:
    """Blocks without the lines the remediation set aside (`head` or `head / child` paths)."""
    out: list[Block] = []
    for head, children in blocks:
        if head in paths:
            continue
        out.append((head, tuple(c for c in children if f"{head} / {c.strip()}" not in paths)))
    return out


def compare_texts(
    intended: str,
    running: str,
    features: tuple[Feature, ...],
    platform: Platform,
    verifier: TokenVerifier,
    preserve: Sequence[str] = (),
) -> list[FeatureResult]:
    """Per-feature results (template order, then `unowned`, then `protected` when the device
    holds lines a push keeps on purpose) of one device."""
    intended_blocks = parse_blocks(without_volatile(intended, platform), platform)
    running_blocks = parse_blocks(without_volatile(running, platform), platform)
    equated = equate_secrets(running_blocks, intended_blocks, verifier, platform)
    fix = plan(blocks_text(equated.blocks), blocks_text(intended_blocks), platform, preserve)
    want = split_features(_without(intended_blocks, set(fix.device_owned_target)), features)
    have = split_features(
        _without(equated.blocks, {*fix.protected, *fix.device_owned_target}), features
    )
    commands: dict[str, list[str]] = {}
    for head, lines in fix.sections:
        commands.setdefault(owner_of(head, features, platform.commands.negation), []).extend(lines)
    ordered = {f.name: f.ordered for f in features}
    os_name = netutils_platform(platform)
    results: list[FeatureResult] = []
    for name, intended_part in want.items():
        intended_text = blocks_text(intended_part)
        actual_text = blocks_text(have[name])
        spec: Mapping[str, Any] = {"name": name, "ordered": ordered.get(name, False)}
        data = feature_compliance(dict(spec), actual_text, intended_text, os_name)
        fix_lines = commands.get(name, [])
        results.append(
            FeatureResult(
                name=name,
                compliant=bool(data["compliant"]) and not fix_lines,
                ordered=bool(spec["ordered"]),
                missing=_lines(str(data["missing"] or "")),
                extra=_lines(str(data["extra"] or "")),
                remediation=list(fix_lines),
                intended=intended_text.splitlines(),
                actual=actual_text.splitlines(),
                notes=[n for head, _ in have[name] for n in equated.notes.get(head, [])],
            )
        )
    if fix.protected:
        results.append(
            FeatureResult(
                name=PROTECTED,
                compliant=True,
                ordered=False,
                actual=list(fix.protected),
                notes=["kept on purpose: owned by the device or named by preserve:"],
            )
        )
    return results


__all__ = [
    "PROTECTED",
    "UNOWNED",
    "compare_texts",
    "equate_secrets",
    "remediation",
    "without_volatile",
]
