"""Rule packs as data: YAML files shipped in nornir_config/rules/packs/ (vendor-neutral), in
each platform driver's `packs/` folder (its vendor baseline), or in a project's rules/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nornir_config.errors import InputError, Problem
from nornir_config.lint.kinds import KINDS
from nornir_config.lint.model import Pack, Rule
from nornir_config.platforms import driver, drivers
from nornir_config.sot.yamlfile import load_yaml

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "rules" / "packs"
CORE_PACK = "communelan-core"


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
    severity: str = Field(pattern=r"^(error|warning|note)$")
    title: str
    rationale: str
    references: list[str] = Field(min_length=1)
    check: dict[str, Any]
    roles: list[str] = ["router", "switch"]
    platforms: list[str] = []
    partial: str | None = None


class _PackSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    effective: dt.date
    description: str = ""
    rules: list[_RuleSpec]


def _display(path: Path, root: Path | None) -> str:
    if root is not None and path.is_relative_to(root):
        return str(path.relative_to(root))
    if path.is_relative_to(SHIPPED_DIR.parent.parent.parent):
        return str(path.relative_to(SHIPPED_DIR.parent.parent.parent))
    return str(path)


def load_pack(path: Path, root: Path | None = None) -> Pack:
    """One pack file; every mistake in it is an InputError naming the line."""
    shown = _display(path, root)
    doc = load_yaml(path, shown)
    try:
        spec = _PackSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(
            Problem(
                shown,
                ".".join(str(p) for p in e["loc"]) or "pack",
                e["msg"],
                "see nornir_config/rules/packs/*.yaml for the format",
                doc.line_of(tuple(e["loc"])),
            )
            for e in exc.errors()
        ) from None
    problems: list[Problem] = []
    rules: list[Rule] = []
    for index, r in enumerate(spec.rules):
        params = dict(r.check)
        kind = str(params.pop("kind", ""))
        line = doc.line_of(("rules", index))
        if kind not in KINDS:
            problems.append(
                Problem(
                    shown,
                    f"rule {r.id}",
                    f"unknown check kind '{kind}'",
                    f"use one of: {', '.join(sorted(KINDS))}",
                    line,
                )
            )
            continue
        try:
            KINDS[kind].prepare(params)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(
                Problem(
                    shown, f"rule {r.id}", f"bad check: {exc}", "correct the check parameters", line
                )
            )
            continue
        rules.append(
            Rule(
                id=r.id,
                severity=r.severity,
                title=r.title,
                rationale=r.rationale.strip(),
                references=tuple(r.references),
                kind=kind,
                params=params,
                pack=spec.pack,
                roles=tuple(r.roles),
                platforms=tuple(r.platforms),
                partial=r.partial,
                source=shown,
                source_line=line,
            )
        )
    if problems:
        raise InputError(problems)
    return Pack(
        spec.pack, spec.version, spec.effective, spec.description.strip(), shown, tuple(rules)
    )


def for_platform(rule: Rule, platform: str) -> Rule | None:
    """The rule as it checks a device of `platform`, or None if it does not apply there.

    A control keeps one rule id on every vendor; the vendor's own syntax for it is the
    driver's (`checks: {RULE-ID: {param: value}}` in its `lint.yaml`), laid over the pack's
    check. A driver that gives a check takes part even in a rule the pack limits to
    other platforms; one that names another `kind` (a control that is a section on one
    vendor and plain lines on another) gives the whole check."""
    own = drivers_checks(platform).get(rule.id)
    if own is None:
        return rule if not rule.platforms or platform in rule.platforms else None
    own = dict(own)
    kind = str(own.pop("kind", rule.kind))
    params = {**rule.params, **own} if kind == rule.kind else own
    KINDS[kind].prepare(params)
    return replace(rule, kind=kind, params=params, platforms=())


@cache
def drivers_checks(platform: str) -> dict[str, dict[str, Any]]:
    checks = driver(platform).data("lint").get("checks", {})
    return {str(k): dict(v) for k, v in checks.items()}


def available_packs(root: Path | None) -> dict[str, Path]:
    """Pack files by pack name: the shipped ones, the drivers', then the project's
    rules/*.yaml (which win)."""
    found: dict[str, Path] = {}
    vendors = [d.folder / "packs" for d in drivers()]
    folders = [SHIPPED_DIR, *vendors] + ([root / "rules"] if root is not None else [])
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            found[path.stem] = path
    return found


def select_packs(selectors: Iterable[str], root: Path | None) -> list[Pack]:
    """Packs named or pointed at by `--rules` (all available ones when none); the core always."""
    available = available_packs(root)
    chosen: list[Path] = []
    for selector in selectors:
        as_path = Path(selector)
        if selector.endswith((".yaml", ".yml")) or as_path.is_file():
            if not as_path.is_file():
                raise InputError.one(
                    "--rules", selector, "no such pack file", "give a path to a pack YAML"
                )
            chosen.append(as_path.resolve())
        elif selector in available:
            chosen.append(available[selector])
        else:
            raise InputError.one(
                "--rules",
                selector,
                "unknown pack",
                f"use a path or one of: {', '.join(sorted(available))}",
            )
    if not chosen:
        chosen = list(available.values())
    if CORE_PACK in available and available[CORE_PACK] not in chosen:
        chosen.insert(0, available[CORE_PACK])
    packs: list[Pack] = []
    errors: list[Problem] = []
    for path in dict.fromkeys(chosen):
        try:
            packs.append(load_pack(path, root))
        except InputError as exc:
            errors.extend(exc.problems)
    if errors:
        raise InputError(errors)
    seen: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in seen:
                errors.append(
                    Problem(
                        pack.path,
                        f"rule {rule.id}",
                        f"id also used in {seen[rule.id]}",
                        "give every rule a unique id",
                        rule.source_line,
                    )
                )
            seen[rule.id] = pack.path
    if errors:
        raise InputError(errors)
    return packs
