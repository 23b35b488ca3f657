"""Rules, packs and findings: the data every part of the lint shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Rule:
    """One rule of a pack: what to check (`kind` + `params`), how bad, and why."""

    id: str
    severity: str
    title: str
    rationale: str
    references: tuple[str, ...]
    kind: str
    params: dict[str, Any]
    pack: str
    roles: tuple[str, ...] = ("router", "switch")
    platforms: tuple[str, ...] = ()
    partial: str | None = None
    source: str = ""
    source_line: int | None = None


@dataclass(frozen=True)
class Pack:
    """A versioned set of rules a province can swap, extend and waive."""

    name: str
    version: str
    effective: dt.date
    description: str
    path: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Finding:
    """One result. `path:line` is what a human edits; `rendered` is where it shows in the config."""

    rule: str
    severity: str
    message: str
    path: str
    line: int | None = None
    devices: tuple[str, ...] = ()
    rendered: str | None = None
    waived: bool = False
    waiver: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> bool:
        """Whether this finding fails the run (an unwaived error)."""
        return self.severity == "error" and not self.waived

    def waive(self, reason: str) -> Finding:
        return replace(self, waived=True, waiver=reason)

    def location(self) -> str:
        return f"{self.path}:{self.line or 1}"
