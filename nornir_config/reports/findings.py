"""What every report says about a device that is not compliant or was not read, in one place.

Each differing feature becomes a `Finding`: the office and device, the controls it breaks (the
lint rules that `platforms/<platform>/controls.yaml` links to the feature, with their pack
references), why the feature matters, the lines on the device against the lines intended (one
sign convention for every format: `-` on the device, `+` intended), the fix and the command that
applies it. Times are shown in the province's time zone; unread devices say why in words.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nornir_config.compliance.model import ComplianceReport, DeviceResult, FeatureResult
from nornir_config.lint.model import Rule
from nornir_config.platforms import driver
from nornir_config.platforms.base import Platform
from nornir_config.reports.i18n import labels

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Control:
    """A lint rule a drift breaks, worded in the report's language."""

    rule: str
    severity: str
    title: str
    why: str
    references: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "why": self.why,
            "references": list(self.references),
        }


@dataclass(frozen=True)
class Finding:
    """One differing feature of one device, with everything an auditor needs to act."""

    device: DeviceResult
    feature: FeatureResult
    purpose: str
    controls: tuple[Control, ...]
    diff: tuple[tuple[str, str], ...]  # (css class add/del/hunk/"", line)
    apply: str  # the communelan command that applies the fix


@cache
def _rules(root: Path | None) -> dict[str, Rule]:
    from nornir_config.lint.packs import select_packs

    return {rule.id: rule for pack in select_packs([], root) for rule in pack.rules}


def _controls_data(platform: Platform) -> dict[str, Any]:
    try:
        return platform.data("controls")
    except (FileNotFoundError, ValueError):
        return {"features": {}, "rules_vi": {}, "leadership": {}}


def feature_purpose(platform: Platform, feature: str, lang: str) -> str:
    entry = _controls_data(platform).get("features", {}).get(feature, {})
    return str(entry.get("why", {}).get(lang, ""))


def _names_drift(rule: Rule, missing: list[str], extra: list[str]) -> bool:
    """Whether a line rule points at exactly these lines: a required line missing from the
    device, or a forbidden line on it."""
    pattern = rule.params.get("pattern")
    if not isinstance(pattern, str):
        return False
    lines = {"required_line": missing, "forbidden_line": extra}.get(rule.kind, [])
    return any(re.search(pattern, line) for line in lines)


def feature_controls(
    platform: Platform,
    feature: str,
    lang: str,
    missing: list[str] | None = None,
    extra: list[str] | None = None,
    root: Path | None = None,
) -> tuple[Control, ...]:
    """The rules a drift of `feature` breaks: those whose line check names the differing
    lines, else every rule linked to the feature (unknown rule ids are left out)."""
    data = _controls_data(platform)
    ids = data.get("features", {}).get(feature, {}).get("rules", [])
    rules = _rules(root)
    linked = [rules[i] for i in ids if i in rules]
    named = [r for r in linked if _names_drift(r, missing or [], extra or [])]
    words = data.get("rules_vi", {}) if lang == "vi" else {}
    found = []
    for rule in named or linked:
        local = words.get(rule.id, {})
        found.append(
            Control(
                rule.id,
                rule.severity,
                str(local.get("title", rule.title)),
                str(local.get("why", rule.rationale)),
                rule.references,
            )
        )
    return tuple(found)


def leadership_features(platform: Platform) -> dict[str, list[str]]:
    """Indicator -> the features that carry it (controls.yaml `leadership`)."""
    data = _controls_data(platform).get("leadership", {})
    return {str(k): [str(f) for f in v] for k, v in data.items()}


def feature_diff(actual: list[str], intended: list[str]) -> list[tuple[str, str]]:
    """(css class, line) of a unified diff from the device's lines (`-`) to the intended (`+`)."""
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(actual, intended, "device", "intended", n=2, lineterm=""):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")
        out.append((kind, line))
    return out


def apply_command(device: DeviceResult) -> str:
    return f"communelan push --limit {device.host}"


def findings(report: ComplianceReport, lang: str) -> list[Finding]:
    """Every differing feature, offices with the most devices not compliant first."""
    out = []
    for device in report.devices:
        for feature in device.features:
            if feature.compliant:
                continue
            out.append(
                Finding(
                    device,
                    feature,
                    feature_purpose(driver(device.platform), feature.name, lang),
                    feature_controls(
                        driver(device.platform), feature.name, lang, feature.missing, feature.extra
                    ),
                    tuple(feature_diff(feature.actual, feature.intended)),
                    apply_command(device),
                )
            )
    return out


def reason_text(device: DeviceResult, lang: str) -> str:
    """Why a device was not read, in the report's language ("" for a device that was read)."""
    if device.status != "unknown":
        return ""
    t = labels(lang)
    kind = device.reason or "other"
    return f"{t['not_read']}: {t.get('reason_' + kind, t['reason_other'])}"


def timezone_of(report: ComplianceReport) -> ZoneInfo:
    try:
        return ZoneInfo(report.timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_time(iso: str, zone: ZoneInfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment.astimezone(zone)


def shown_time(iso: str, zone: ZoneInfo) -> str:
    """`01/12/2026 20:30:15 (UTC+07:00, Asia/Ho_Chi_Minh)`: the clock the province reads."""
    moment = local_time(iso, zone)
    if moment is None:
        return iso
    offset = moment.strftime("%z")
    return f"{moment:%d/%m/%Y %H:%M:%S} (UTC{offset[:3]}:{offset[3:]}, {zone.key})"


def coverage_text(report: ComplianceReport, lang: str) -> str:
    """`3 of 4 devices checked`: shown next to every rate."""
    s = report.summary
    checked = s.compliant + s.non_compliant + s.unverified
    return labels(lang)["coverage"].format(checked=checked, total=s.devices)


def rate(report: ComplianceReport) -> float:
    """Compliant among the checked devices, in percent (unread devices are not in it)."""
    s = report.summary
    known = s.compliant + s.non_compliant + s.unverified
    return round(100.0 * s.compliant / known, 1) if known else 0.0
