"""The auditors' HTML report: one self-contained file (inline CSS and JS, no network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from nornir_config.compliance.model import ComplianceReport, DeviceResult
from nornir_config.reports import stats
from nornir_config.reports.findings import (
    Finding,
    coverage_text,
    findings,
    local_time,
    rate,
    reason_text,
    shown_time,
    timezone_of,
)
from nornir_config.reports.i18n import labels

_TEMPLATE = "compliance.html.j2"
PROVINCE_WORDS = ("Tỉnh ", "Thành phố ")
_STATUS_ORDER = {"non_compliant": 0, "unverified": 1, "unknown": 2, "compliant": 3}


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Office:
    """A commune office with devices to act on (not compliant or not read)."""

    code: str
    name: str
    devices: list[DeviceResult] = field(default_factory=list)

    @property
    def province(self) -> str:
        return self.devices[0].province if self.devices else ""


def offices_to_act_on(devices: list[DeviceResult]) -> list[Office]:
    """Offices with a non-compliant device first, then those with unread devices."""
    offices: dict[str, Office] = {}
    for d in sorted(devices, key=lambda d: (_STATUS_ORDER[d.status], d.host)):
        if d.status != "compliant":
            offices.setdefault(d.commune_code, Office(d.commune_code, d.commune)).devices.append(d)

    def order(o: Office) -> tuple[int, int, str]:
        return (min(_STATUS_ORDER[d.status] for d in o.devices), -len(o.devices), o.code)

    return sorted(offices.values(), key=order)


def province_title(name: str, lang: str) -> str:
    """`Tỉnh Nghệ An` from `Nghệ An`; a name hosts/ spells in full stays as it is."""
    if name.startswith(PROVINCE_WORDS):
        return name
    return labels(lang)["province_of"].format(name=name)


def province_label(report: ComplianceReport, lang: str) -> str:
    """The province(s) the report covers, each named: what every report's header shows."""
    names = [name for _, name in report.provinces() if name]
    if not names and report.province:
        names = [report.province]
    if not names:
        return labels(lang)["province"]
    return ", ".join(province_title(name, lang) for name in names)


def trend_svg(history: list[dict[str, Any]], zone: ZoneInfo | None = None, lang: str = "vi") -> str:
    """Stacked bars of the last runs (oldest left): compliant, non-compliant and unknown
    devices, with the compliance rate above; any drift gets at least 3 pixels so it shows."""
    width, height, gap = 300, 90, 4
    runs = history[-20:]
    if not runs:
        return "<svg width='300' height='20'></svg>"
    zone = zone or ZoneInfo("Asia/Ho_Chi_Minh")
    bar = min(24, max(4, (width - gap * len(runs)) // len(runs)))
    parts = [f"<svg role='img' width='{width}' height='{height + 26}'>"]
    for i, run in enumerate(runs):
        counts = [
            (int(run.get("non_compliant", 0)), "#c0392b"),
            (int(run.get("unknown", 0)), "#d68910"),
            (int(run.get("compliant", 0)), "#2e8540"),
        ]
        total = sum(n for n, _ in counts) or 1
        known = counts[0][0] + counts[2][0]
        run_rate = 100.0 * counts[2][0] / known if known else 0.0
        title = escape(
            labels(lang)["trend_title"].format(
                time=shown_time(str(run.get("time", "")), zone),
                rate=f"{run_rate:.1f}",
                checked=known,
                total=total,
                bad=counts[0][0],
                unknown=counts[1][0],
            )
        )
        x, top = i * (bar + gap), 12
        parts.append(f"<g><title>{title}</title>")
        parts.append(
            f"<text x='{x}' y='9' font-size='8'>{run_rate:.0f}%</text>" if len(runs) <= 12 else ""
        )
        for n, colour in counts:
            if not n:
                continue
            h = max(3, round(height * n / total))
            parts.append(f"<rect x='{x}' y='{top}' width='{bar}' height='{h}' fill='{colour}'/>")
            top += h
        parts.append("</g>")
    first = local_time(str(runs[0].get("time", "")), zone)
    day = escape(f"{first:%d/%m/%Y}" if first else str(runs[0].get("time", ""))[:10])
    parts.append(f"<text x='0' y='{height + 24}'>{day}</text></svg>")
    return "".join(parts)


def _by_device(found: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in found:
        out.setdefault(f.device.host, []).append(f)
    return out


def _timeline(report: ComplianceReport, zone: ZoneInfo) -> list[tuple[str, list[dict[str, str]]]]:
    """Per device (those to act on first), its last 30 events with local times."""
    order = {d.host: (_STATUS_ORDER[d.status], d.host) for d in report.devices}
    rows = []
    for host in sorted(report.timeline, key=lambda h: order.get(h, (9, h))):
        entries = [{**e, "shown": shown_time(e["when"], zone)} for e in report.timeline[host][-30:]]
        if entries:
            rows.append((host, entries))
    return rows


def render_html(report: ComplianceReport, lang: str = "vi") -> bytes:
    summary = report.summary
    zone = timezone_of(report)
    # Several provinces: everything grouped by province (a stable sort keeps the order within).
    several = len(report.provinces()) > 1
    province_code = {d.commune_code: d.province_code for d in report.devices}

    def by_province(code: str) -> str:
        return province_code.get(code, "") if several else ""

    devices = sorted(
        report.devices, key=lambda d: (by_province(d.commune_code), _STATUS_ORDER[d.status], d.host)
    )
    communes = sorted(
        stats.by_commune(report.devices),
        key=lambda r: (by_province(r.key), -r.non_compliant, -r.unknown, r.key),
    )
    offices = sorted(offices_to_act_on(report.devices), key=lambda o: by_province(o.code))
    page = (
        _env()
        .get_template(_TEMPLATE)
        .render(
            lang=lang,
            t=labels(lang),
            summary=summary,
            when=shown_time(summary.time, zone),
            province_label=province_label(report, lang),
            rate=rate(report),
            coverage=coverage_text(report, lang),
            devices=devices,
            offices=offices,
            provinces=stats.by_province(report.devices) if several else [],
            province_of={d.commune_code: province_title(d.province, lang) for d in report.devices},
            by_device=_by_device(findings(report, lang)),
            reasons={d.host: reason_text(d, lang) for d in report.devices},
            communes=communes,
            kinds=stats.by_kind(report.devices),
            roles=stats.by_role(report.devices),
            features=stats.by_feature(report.devices),
            history=report.history,
            trend_svg=trend_svg(report.history, zone, lang),
            timeline=_timeline(report, zone),
        )
    )
    return page.encode("utf-8")
