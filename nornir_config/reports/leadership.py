"""The leadership summary: per commune office, the three things the province reports progress
on ("X/N đơn vị hoàn thành mạng LAN; Y/N kết nối hội nghị truyền hình"), derived from
the same compliance results (and, when given, lint findings) as the detailed report.

- LAN: every device of the office was read and is compliant.
- Video conference: the router's features that carry the video QoS policy are compliant.
- One-stop zone: the router's zone features are compliant (the gateway is there and the zone
  is filtered) and no lint finding of the one-stop isolation rules is open for the router.
Which features and rules carry each indicator is platform data (`controls.yaml: leadership`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from nornir_config.compliance.model import ComplianceReport, DeviceResult
from nornir_config.platforms import driver
from nornir_config.reports.findings import leadership_features, shown_time, timezone_of
from nornir_config.reports.html_report import province_label, province_title
from nornir_config.reports.i18n import labels

INDICATORS = ("lan", "video_qos", "onestop_isolated")
Verdict = bool | None  # None: not known (a device was not read)


@dataclass(frozen=True)
class OfficeProgress:
    code: str
    name: str
    lan: Verdict
    video_qos: Verdict
    onestop_isolated: Verdict
    province_code: str = ""
    province: str = ""


def _carriers(device: DeviceResult, indicator: str) -> set[str]:
    """What carries `indicator` on this device: its own driver's data (an office may mix
    vendors)."""
    return set(leadership_features(driver(device.platform)).get(indicator, []))


def _features_ok(routers: list[DeviceResult], indicator: str) -> Verdict:
    if not routers or any(r.status == "unknown" for r in routers):
        return None
    return all(
        f.status == "compliant"
        for r in routers
        for f in r.features
        if f.name in _carriers(r, indicator)
    )


def office_progress(
    report: ComplianceReport, lint_open: Mapping[str, set[str]] | None = None
) -> list[OfficeProgress]:
    """One row per office, by commune code. `lint_open`: host -> ids of open lint findings."""
    offices: dict[str, list[DeviceResult]] = {}
    for d in report.devices:
        offices.setdefault(d.commune_code, []).append(d)
    rows = []
    for code in sorted(offices):
        devices = offices[code]
        routers = [d for d in devices if d.role == "router"]
        lan: Verdict = (
            None
            if any(d.status == "unknown" for d in devices)
            else all(d.status == "compliant" for d in devices)
        )
        onestop = _features_ok(routers, "onestop_isolated")
        if onestop and lint_open:
            rules = (lint_open.get(r.host, set()) & _carriers(r, "onestop_rules") for r in routers)
            onestop = not any(rules)
        rows.append(
            OfficeProgress(
                code,
                devices[0].commune,
                lan,
                _features_ok(routers, "video_qos"),
                onestop,
                devices[0].province_code,
                devices[0].province,
            )
        )
    return rows


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("leadership.html.j2")


def headline(rows: list[OfficeProgress], lang: str) -> str:
    """`X/N đơn vị hoàn thành mạng LAN; Y/N kết nối hội nghị truyền hình; ...`."""
    t = labels(lang)
    total = len(rows)
    parts = [
        f"{sum(getattr(r, key) is True for r in rows)}/{total} {t[label]}"
        for key, label in (
            ("lan", "lead_lan"),
            ("video_qos", "lead_video"),
            ("onestop_isolated", "lead_onestop"),
        )
    ]
    unknown = sum(r.lan is None for r in rows)
    if unknown:
        parts.append(f"{unknown}/{total} {t['lead_unknown']}")
    return "; ".join(parts)


@dataclass(frozen=True)
class ProvinceSection:
    """The offices of one province, with its own headline (several provinces only)."""

    code: str
    label: str
    headline: str
    rows: list[OfficeProgress]


def _sections(rows: list[OfficeProgress], several: bool, lang: str) -> list[ProvinceSection]:
    ordered = sorted(rows, key=lambda r: (r.lan is not False, r.lan is not None, r.code))
    if not several:
        return [ProvinceSection("", "", "", ordered)]
    groups: dict[tuple[str, str], list[OfficeProgress]] = {}
    for row in ordered:
        groups.setdefault((row.province_code, row.province), []).append(row)
    return [
        ProvinceSection(code, province_title(name, lang), headline(members, lang), members)
        for (code, name), members in sorted(groups.items())
    ]


def render_leadership(report: ComplianceReport, lang: str = "vi") -> bytes:
    rows = office_progress(report, report.lint_open)
    page = _template().render(
        lang=lang,
        t=labels(lang),
        province_label=province_label(report, lang),
        when=shown_time(report.summary.time, timezone_of(report)),
        headline=headline(rows, lang),
        sections=_sections(rows, len(report.provinces()) > 1, lang),
        indicators=INDICATORS,
    )
    return page.encode("utf-8")
