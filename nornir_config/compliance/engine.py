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
from nornir_config.compliance.fingerprints import Proof
from nornir_config.compliance.model import PROTECTED, UNOWNED, FeatureResult
from nornir_config.compliance.secrets import TokenVerifier, tokens
from nornir_config.hier import drop_repeated_lines
from nornir_config.platforms.base import Platform
from nornir_config.push.diff import plan
from nornir_config.running_config import Block, parse_blocks
from nornir_config.secrets import REMOVED


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
    blocks: list[Block]  # secrets hiding the intended one written as intended
    as_pushed: list[Block]  # the same, but unverified device ciphers as the device has them
    notes: dict[str, list[str]]  # head of the top-level block -> notes
    unverified: set[str]  # heads of blocks holding a device cipher no one could verify


def equate_secrets(
    running: list[Block],
    intended: list[Block],
    verifier: TokenVerifier,
    platform: Platform,
    proven: Proof | None = None,
) -> _Equated:
    """Running blocks where a token hiding the same secret as the intended one is written
    exactly as intended; a different secret stays different (and so non-compliant). A
    device's own cipher (no offline check) is the intended secret only where `proven` says
    it is the one the last push left; with no fingerprint it is unverified."""
    wanted: dict[tuple[str, str], str] = {}
    for head, children in intended:
        wanted.setdefault(("", tokens(head, platform)[0]), head)
        for child in children:
            wanted.setdefault((head, tokens(child, platform)[0]), child)
    notes: dict[str, list[str]] = {}
    unverified: set[str] = set()

    def fix(path: tuple[str, ...], line: str, pending: list[str], blind: list[bool]) -> str:
        masked, found = tokens(line, platform)
        parent = path[0] if path else ""
        target = wanted.get((parent, masked)) if found else None
        if target is None or target == line:
            return line
        pairs = list(zip(tokens(target, platform)[1], found, strict=False))
        offline = any(held.name not in platform.secrets.verify for _, (held, _) in pairs)
        if offline:
            sanitised = any(REMOVED in have for _, (_, have) in pairs)
            verdict = None if sanitised or proven is None else proven((*path, line), line, target)
            if verdict is False:
                pending.append(f"secret changed since the last push (device cipher): {masked}")
                return line
            if verdict is None:
                pending.append(f"secret cannot be verified offline (device cipher): {masked}")
                blind.append(True)
            else:
                pending.append(f"secret verified against the last push (device cipher): {masked}")
            return target
        verdicts = [verifier.same_secret(kind, want, have) for (kind, want), (_, have) in pairs]
        if any(v is False for v in verdicts):
            return line
        if any(v is None for v in verdicts):
            pending.append(f"secret not verifiable (sanitised): {masked}")
        return target

    out: list[Block] = []
    as_pushed: list[Block] = []
    for head, children in running:
        pending: list[str] = []
        blind: list[bool] = []
        new_head = fix((), head, pending, blind)
        pushed_head = head if blind else new_head
        kids, pushed_kids = [], []
        for child in children:
            mark = len(blind)
            fixed = fix((new_head,), child, pending, blind)
            kids.append(fixed)
            pushed_kids.append(child if len(blind) > mark else fixed)
        out.append((new_head, tuple(kids)))
        as_pushed.append((pushed_head, tuple(pushed_kids)))
        if pending:
            notes.setdefault(new_head, []).extend(pending)
        if blind:
            unverified.add(new_head)
    return _Equated(out, as_pushed, notes, unverified)


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
    proven: Proof | None = None,
) -> list[FeatureResult]:
    """Per-feature results (template order, then `unowned`, then `protected` when the device
    holds lines a push keeps on purpose) of one device. A feature whose only doubt is a device
    cipher no push fingerprinted (`proven`) is unverified, with the commands a push sends to
    make it verifiable."""
    intended_blocks = parse_blocks(without_volatile(intended, platform), platform)
    running_blocks = parse_blocks(without_volatile(running, platform), platform)
    equated = equate_secrets(running_blocks, intended_blocks, verifier, platform, proven)
    fix = plan(blocks_text(equated.blocks), blocks_text(intended_blocks), platform, preserve)
    want = split_features(_without(intended_blocks, set(fix.device_owned_target)), features)
    have = split_features(
        _without(equated.blocks, {*fix.protected, *fix.device_owned_target}), features
    )
    negation = platform.commands.negation
    commands: dict[str, list[str]] = {}
    for head, lines in fix.sections:
        commands.setdefault(owner_of(head, features, negation), []).extend(lines)
    resend: dict[str, list[str]] = {}
    if equated.unverified:
        as_pushed = plan(
            blocks_text(equated.as_pushed), blocks_text(intended_blocks), platform, preserve
        )
        for head, lines in as_pushed.sections:
            resend.setdefault(owner_of(head, features, negation), []).extend(lines)
    ordered = {f.name: f.ordered for f in features}
    os_name = netutils_platform(platform)
    results: list[FeatureResult] = []
    for name, intended_part in want.items():
        intended_text = blocks_text(intended_part)
        actual_text = blocks_text(have[name])
        spec: Mapping[str, Any] = {"name": name, "ordered": ordered.get(name, False)}
        data = feature_compliance(dict(spec), actual_text, intended_text, os_name)
        fix_lines = commands.get(name, [])
        matches = bool(data["compliant"]) and not fix_lines
        unverified = matches and any(head in equated.unverified for head, _ in have[name])
        results.append(
            FeatureResult(
                name=name,
                compliant=matches and not unverified,
                ordered=bool(spec["ordered"]),
                missing=_lines(str(data["missing"] or "")),
                extra=_lines(str(data["extra"] or "")),
                remediation=list(resend.get(name, [])) if unverified else list(fix_lines),
                intended=intended_text.splitlines(),
                actual=actual_text.splitlines(),
                notes=[n for head, _ in have[name] for n in equated.notes.get(head, [])],
                unverified=unverified,
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
