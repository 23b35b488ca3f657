"""Waivers (hosts/waivers.yaml): a dated, explained exception for a rule on some devices."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nornir_config.errors import InputError, Problem
from nornir_config.lint.model import Finding
from nornir_config.sot.yamlfile import load_yaml

EXPIRED_RULE = "LINT-WAIVER-EXPIRED"
UNUSED_RULE = "LINT-WAIVER-UNUSED"


class _WaiverSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    reason: str = Field(min_length=10)
    expires: dt.date
    device: str | None = None
    group: str | None = None
    code: str | None = None
    owner: str | None = None
    match: str | None = None

    @model_validator(mode="after")
    def _one_scope(self) -> _WaiverSpec:
        if sum(x is not None for x in (self.device, self.group, self.code)) != 1:
            raise ValueError("give exactly one of device (a name or glob), group or code")
        return self


class _WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    waivers: list[_WaiverSpec] = []


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    expires: dt.date
    device: str | None
    group: str | None
    code: str | None
    path: str
    line: int | None
    match: str | None = None

    def covers(self, rule: str, device: str, groups: tuple[str, ...], code: str) -> bool:
        if not fnmatchcase(rule, self.rule):
            return False
        if self.device is not None:
            return fnmatchcase(device, self.device)
        if self.group is not None:
            return self.group in groups
        return code == self.code

    def scope(self) -> str:
        return (
            f"device {self.device}"
            if self.device
            else (f"group {self.group}" if self.group else f"code {self.code}")
        )


def load_waivers(hosts_dir: Path, root: Path) -> list[Waiver]:
    """The waivers of hosts/waivers.yaml (none when the file is absent)."""
    path = hosts_dir / "waivers.yaml"
    if not path.is_file():
        return []
    shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    doc = load_yaml(path, shown)
    try:
        spec = _WaiverFile.model_validate(doc.data or {})
    except ValidationError as exc:
        raise InputError(
            Problem(
                shown,
                ".".join(str(p) for p in e["loc"]) or "waivers",
                e["msg"],
                "each waiver needs rule, reason, expires and one of device/group/code",
                doc.line_of(tuple(e["loc"])),
            )
            for e in exc.errors()
        ) from None
    out: list[Waiver] = []
    for i, w in enumerate(spec.waivers):
        if w.match is not None:
            try:
                re.compile(w.match)
            except re.error as exc:
                raise InputError.one(
                    shown,
                    f"waivers[{i}].match",
                    f"bad regex: {exc}",
                    "write a Python regex",
                    doc.line_of(("waivers", i)),
                ) from None
        out.append(
            Waiver(
                w.rule,
                w.reason,
                w.expires,
                w.device,
                w.group,
                w.code,
                shown,
                doc.line_of(("waivers", i)),
                w.match,
            )
        )
    return out


def expired(waivers: list[Waiver], today: dt.date) -> list[Finding]:
    """An expired waiver is itself an error: the exception was granted until a date."""
    return [
        Finding(
            EXPIRED_RULE,
            "error",
            f"waiver of {w.rule} for {w.scope()} expired on {w.expires.isoformat()}: fix the "
            f"cause or renew the waiver with a new date and reason",
            w.path,
            w.line,
        )
        for w in waivers
        if w.expires < today
    ]


def unused(waivers: list[Waiver], used: set[int], today: dt.date) -> list[Finding]:
    return [
        Finding(
            UNUSED_RULE,
            "warning",
            f"waiver of {w.rule} for {w.scope()} matches no finding: remove it",
            w.path,
            w.line,
        )
        for i, w in enumerate(waivers)
        if i not in used and w.expires >= today
    ]
