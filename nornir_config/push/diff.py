"""What a device needs to reach a target config: the one remediation of push and compliance.

The driver is the platform's own (rules from platforms/<platform>/running_config.yaml, shared
with the lab) plus the send-order and single-value rules of its push.yaml. Before hier_config
compares, the lines the device owns (platforms/<platform>/protected.yaml, plus the `preserve:`
patterns of hosts/) are set aside, so a push never removes them and compliance reports them as
protected rather than extra.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from hier_config import HConfig, HConfigChild, MatchRule, WorkflowRemediation, get_hconfig
from hier_config.models import IdempotentCommandsRule, NegationSubRule, OrderingRule

from nornir_config.hier import built_once, config_rules
from nornir_config.platforms.base import Platform
from nornir_config.running_config import flatten

if TYPE_CHECKING:
    from nornir_config.compliance.fingerprints import Proof

Lineage = tuple[MatchRule, ...]


def _lineage(rule: Any) -> Lineage:
    """A YAML rule: a regex of a top-level line, or a list of match rules, one per level."""
    if isinstance(rule, str):
        return (MatchRule(re_search=rule),)
    return tuple(MatchRule(**m) for m in rule)


@built_once
def push_driver(platform: Platform) -> Any:
    """The platform's hier_config driver with push.yaml's rules added."""
    base = config_rules(platform).driver
    extra = platform.data("push")
    driver = copy.copy(base)
    driver.rules = base.rules.model_copy(
        update={
            "ordering": [
                *base.rules.ordering,
                *(
                    OrderingRule(match_rules=_lineage(rule["lineage"]), weight=int(rule["weight"]))
                    for rule in extra.get("ordering", [])
                ),
            ],
            "idempotent_commands": [
                *(
                    IdempotentCommandsRule(match_rules=_lineage(lineage))
                    for lineage in extra.get("idempotent_commands", [])
                ),
                *base.rules.idempotent_commands,
            ],
            "negation_sub": [
                *base.rules.negation_sub,
                *(
                    NegationSubRule(
                        match_rules=_lineage(rule["lineage"]),
                        search=rule["search"],
                        replace=rule["replace"],
                    )
                    for rule in extra.get("negation_sub", [])
                ),
            ],
        }
    )
    return driver


@dataclass(frozen=True)
class OwnedLines:
    """protected.yaml of a platform: what the device owns (see that file)."""

    device_owned: tuple[Lineage, ...]
    protected: tuple[Lineage, ...]
    defaults: tuple[Lineage, ...] = ()


@cache
def owned_lines(platform: Platform, preserve: tuple[str, ...] = ()) -> OwnedLines:
    """The platform's protected lines plus hosts/' `preserve:` regexes (top-level lines)."""
    data = platform.data("protected")
    return OwnedLines(
        device_owned=tuple(_lineage(r) for r in data.get("device_owned", [])),
        protected=tuple(_lineage(r) for r in [*data.get("protected", []), *preserve]),
        defaults=tuple(_lineage(r) for r in data.get("defaults", [])),
    )


def error_pattern(platform: Platform) -> str:
    """The regex of device answers that mean a config command was refused."""
    return platform.commands.error_pattern


def hconfig(text: str, platform: Platform) -> HConfig:
    """A config file or the device's printed running config as a tree (volatile header
    dropped)."""
    return get_hconfig(push_driver(platform), flatten(text, platform))


@dataclass(frozen=True)
class Remediation:
    """The commands from a running config to a target one, and what they leave alone.

    `sections`: per top-level line of the remediation, its command lines (indented, in
    sending order; a banner is one multi-line command). `protected`: running lines kept on
    purpose, as `head` or `head / child`. `removed`: running lines the commands negate.
    Both tuples name lines by their path.
    """

    sections: tuple[tuple[str, tuple[str, ...]], ...]
    protected: tuple[str, ...]
    removed: tuple[str, ...]
    device_owned_target: tuple[str, ...] = ()  # target lines left out: the device sets them

    @property
    def commands(self) -> list[str]:
        return [line for _, lines in self.sections for line in lines]


def _matches(child: HConfigChild, rules: Iterable[Lineage]) -> bool:
    """`child.is_lineage_match` of any rule, the child's lineage walked once for them all
    (hier_config walks it again for every rule: the costliest part of a plan)."""
    lineage = tuple(child.lineage())
    return any(
        len(rule) == len(lineage)
        and all(
            node.is_match(
                equals=level.equals,
                startswith=level.startswith,
                endswith=level.endswith,
                contains=level.contains,
                re_search=level.re_search,
            )
            for node, level in zip(lineage, rule, strict=True)
        )
        for rule in rules
    )


def _path(child: HConfigChild) -> str:
    return " / ".join(child.path())


@lru_cache(maxsize=64)
def _target(
    target: str, platform: Platform, preserve: tuple[str, ...]
) -> tuple[HConfig, tuple[str, ...], frozenset[str]]:
    """`target` as a tree without the lines the device owns or sets by default, the target
    lines so dropped and the paths of the device-owned ones, parsed once per target text:
    a push plans against it before the change and checks the residual against it after.
    The tree is shared: nothing changes it (the remediation copies what it needs)."""
    want = hconfig(target, platform)
    owned = owned_lines(platform, preserve)
    wanted = frozenset(_path(c) for c in want.all_children() if _matches(c, owned.device_owned))
    dropped: list[str] = []
    for child in tuple(want.all_children()):
        if _matches(child, owned.defaults):
            child.delete()
        elif _matches(child, owned.device_owned):
            dropped.append(_path(child))
            child.delete()
    return want, tuple(dropped), wanted


def _set_aside(
    have: HConfig, want: HConfig, owned: OwnedLines, wanted: frozenset[str]
) -> list[str]:
    """Drop device-owned lines and running-only protected lines from `have` (`want` has
    none: `_target`); return the running lines kept, as paths."""
    kept: list[str] = []
    for child in tuple(have.all_children()):
        if _matches(child, owned.defaults):
            child.delete()
        elif _matches(child, owned.device_owned):
            if _path(child) not in wanted:
                kept.append(_path(child))
            child.delete()

    def walk(node: HConfig | HConfigChild, other: HConfig | HConfigChild | None) -> None:
        for child in tuple(node.children):
            twin = other.get_child(equals=child.text) if other is not None else None
            # A protected line the target replaces (`no ip address` by an address) is not kept
            # (asked last: hier_config's idempotence check is the costly one).
            if (
                twin is None
                and _matches(child, owned.protected)
                and not (other is not None and child.is_idempotent_command(other.children))
            ):
                kept.append(_path(child))
                child.delete()
            else:
                walk(child, twin)

    walk(have, want)
    return kept


def _command_lines(node: HConfigChild) -> list[str]:
    """One top-level remediation item as sendable lines: explicit sub-mode exits kept (a
    VRF's `exit-address-family`), hier_config's generic `exit` left out (the device needs none)."""
    return [line for line in node.lines(sectional_exiting=True) if line.strip() != "exit"]


def _file_lines(node: HConfigChild) -> list[str]:
    """One top-level item as a config file holds it: the exits hier_config writes for a
    section are left out where they are its generic ones (`exit`, `quit`), kept where a rule
    names them (a VRF's `exit-address-family`); a config's own lines (a certificate's `quit`)
    are kept."""
    plain = list(node.lines(sectional_exiting=False))
    out: list[str] = []
    j = 0
    for line in node.lines(sectional_exiting=True):
        if j < len(plain) and line == plain[j]:
            out.append(line)
            j += 1
        elif line.strip() not in ("exit", "quit"):
            out.append(line)
    return out


def _negations(node: HConfigChild, negation: str) -> Iterable[str]:
    for child in (node, *node.all_children()):
        if child.text.startswith(negation):
            yield _path(child)


def unverifiable_as_intended(
    have: HConfig, want: HConfig, platform: Platform, proven: Proof | None
) -> None:
    """Take a running secret the device keeps in a form no one can check offline (a key sent
    in clear that the device stores in its own undocumented cipher) as the intended line only
    where `proven` says it is the one the last push left (compliance.fingerprints): any other
    is sent again. Kinds with an offline check are untouched."""
    from nornir_config.compliance.fingerprints import unverifiable
    from nornir_config.compliance.secrets import tokens

    if proven is None:
        return

    def walk(mine: HConfig | HConfigChild, theirs: HConfig | HConfigChild) -> None:
        wanted = {}
        for child in theirs.children:
            masked, found = tokens(child.text, platform)
            if found:
                wanted[masked] = child.text
        for child in tuple(mine.children):
            twin = theirs.get_child(equals=child.text)
            if twin is None and unverifiable(child.text, platform):
                target = wanted.get(tokens(child.text, platform)[0])
                if (
                    target
                    and mine.get_child(equals=target) is None
                    and proven(tuple(child.path()), child.text, target) is True
                ):
                    child.text = target
                    twin = theirs.get_child(equals=target)
            if twin is not None:
                walk(child, twin)

    walk(have, want)


def plan(
    running: str,
    target: str,
    platform: Platform,
    preserve: Sequence[str] = (),
    proven: Proof | None = None,
) -> Remediation:
    """What turns `running` into `target` on the device, and what it keeps on purpose;
    `proven`: which device-cipher secrets are the ones the last push left (else resent)."""
    want, dropped, wanted = _target(target, platform, tuple(preserve))
    have = hconfig(running, platform)
    unverifiable_as_intended(have, want, platform, proven)
    kept = _set_aside(have, want, owned_lines(platform, tuple(preserve)), wanted)
    result = WorkflowRemediation(have, want).remediation_config
    sections = tuple((node.text, tuple(_command_lines(node))) for node in sorted(result.children))
    negation = platform.commands.negation
    removed = tuple(line for node in result.children for line in _negations(node, negation))
    return Remediation(sections, tuple(kept), removed, dropped)


def remediation(
    running: str,
    target: str,
    platform: Platform,
    preserve: Sequence[str] = (),
    proven: Proof | None = None,
) -> list[str]:
    """The commands, in sending order and indented by section, that turn `running` into
    `target` (protected lines kept); empty when nothing differs."""
    return plan(running, target, platform, preserve, proven).commands


def with_protected(
    running: str, target: str, platform: Platform, preserve: Sequence[str] = ()
) -> str:
    """`target` plus the running lines a push keeps: the candidate of a full replace, so that
    `configure replace` removes no more than a merge would."""
    have, want = hconfig(running, platform), hconfig(target, platform)
    owned = owned_lines(platform, tuple(preserve))
    for child in tuple(want.all_children()):
        if _matches(child, owned.device_owned):
            child.delete()
    kept = (*owned.device_owned, *owned.protected)

    def copy_kept(node: HConfig | HConfigChild, into: HConfig | HConfigChild) -> None:
        for child in node.children:
            twin = into.get_child(equals=child.text)
            if twin is not None:
                copy_kept(child, twin)
            elif _matches(child, kept) and not child.is_idempotent_command(into.children):
                into.add_deep_copy_of(child)

    copy_kept(have, want)
    want.set_order_weight()  # push.yaml's order: a port's mode lines before that mode's lines
    return "\n".join(line for node in want.children for line in _file_lines(node)) + "\n"


def config_diff(before: str, after: str, platform: Platform, names: tuple[str, str]) -> str:
    """A unified line diff of two configs' bodies (volatile header lines dropped)."""
    a = list(hconfig(before, platform).dump_simple())
    b = list(hconfig(after, platform).dump_simple())
    return "\n".join(difflib.unified_diff(a, b, names[0], names[1], lineterm=""))


__all__ = ["Remediation", "error_pattern", "plan", "remediation", "with_protected"]
