"""The auditors' HTML report: one self-contained file (inline CSS and JS, no network)."""

from __future__ import annotations

import difflib
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import jinja2

from nornir_config.compliance.model import ComplianceReport, DeviceResult
from nornir_config.reports import stats
from nornir_config.reports.i18n import labels

_TEMPLATE = "compliance.html.j2"


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def feature_diff(actual: list[str], intended: list[str]) -> list[tuple[str, str]]:
    """(css class, line) of a unified diff from the device's lines to the intended ones."""
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(actual, intended, "running", "intended", n=2, lineterm=""):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")
        out.append((kind, line))
    return out


def _diffs(devices: list[DeviceResult]) -> dict[str, dict[str, list[tuple[str, str]]]]:
    return {
        d.host: {f.name: feature_diff(f.actual, f.intended) for f in d.features if not f.compliant}
        for d in devices
        if d.status == "non_compliant"
    }


def trend_svg(history: list[dict[str, Any]]) -> str:
    """Stacked bars of the last runs (oldest left): compliant, non-compliant and unknown
    devices, with the compliance rate above; any drift gets at least 3 pixels so it shows."""
    width, height, gap = 300, 90, 4
    runs = history[-20:]
    if not runs:
        return "<svg width='300' height='20'></svg>"
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
        rate = 100.0 * counts[2][0] / known if known else 0.0
        title = escape(
            f"{run.get('time', '')}: {rate:.1f}% "
            f"({counts[0][0]} non-compliant, {counts[1][0]} unknown)"
        )
        x, top = i * (bar + gap), 12
        parts.append(f"<g><title>{title}</title>")
        parts.append(
            f"<text x='{x}' y='9' font-size='8'>{rate:.0f}%</text>" if len(runs) <= 12 else ""
        )
        for n, colour in counts:
            if not n:
                continue
            h = max(3, round(height * n / total))
            parts.append(f"<rect x='{x}' y='{top}' width='{bar}' height='{h}' fill='{colour}'/>")
            top += h
        parts.append("</g>")
    first = escape(str(runs[0].get("time", ""))[:10])
    parts.append(f"<text x='0' y='{height + 24}'>{first}</text></svg>")
    return "".join(parts)


def render_html(report: ComplianceReport, lang: str = "vi") -> bytes:
    summary = report.summary
    known = summary.compliant + summary.non_compliant
    page = (
        _env()
        .get_template(_TEMPLATE)
        .render(
            lang=lang,
            t=labels(lang),
            summary=summary,
            rate=round(100.0 * summary.compliant / known, 1) if known else 0.0,
            devices=report.devices,
            communes=stats.by_commune(report.devices),
            kinds=stats.by_kind(report.devices),
            roles=stats.by_role(report.devices),
            features=stats.by_feature(report.devices),
            history=report.history,
            trend_svg=trend_svg(report.history),
            diffs=_diffs(report.devices),
        )
    )
    return page.encode("utf-8")
