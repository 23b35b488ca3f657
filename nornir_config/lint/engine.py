"""Run every selected rule over the project: inventory, templates, each device, the province."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from nornir_config.collector import collector_paused
from nornir_config.context import secrets_needed
from nornir_config.errors import InputError
from nornir_config.filters import apply_filters
from nornir_config.inventory import build_nornir, province_of
from nornir_config.lint.devicepass import device_pass, locate, render_views
from nornir_config.lint.kinds import KINDS
from nornir_config.lint.kinds.project import ProjectState
from nornir_config.lint.model import Finding, Pack, Rule
from nornir_config.lint.registry import DeviceView
from nornir_config.lint.sources import SourceMap, new_run
from nornir_config.lint.waivers import Waiver, expired, load_waivers, unused
from nornir_config.manifest import Rendered, input_paths, inputs_hash
from nornir_config.secrets import Secrets
from nornir_config.settings import RunSettings
from nornir_config.sot.province import Device
from nornir_config.sot.yamlfile import load_yaml

_VARYING = re.compile(r"[\w./-]*\d[\w./-]*")
SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


@dataclass
class LintReport:
    packs: list[Pack]
    findings: list[Finding] = field(default_factory=list)
    devices: int = 0
    # of them, how many configs were read from what `render` wrote instead of rendered again
    reused: int = 0
    # device -> "code name" of its province, only when the devices span several provinces
    provinces: dict[str, str] = field(default_factory=dict)

    def provinces_of(self, finding: Finding) -> list[str]:
        return sorted({self.provinces[d] for d in finding.devices if d in self.provinces})

    @property
    def failed(self) -> bool:
        return any(f.counts for f in self.findings)

    def rules(self) -> list[Rule]:
        return [r for p in self.packs for r in p.rules]


def placeholder_secrets(devices: Iterable[Device]) -> Secrets:
    """Lint never needs real secrets (CI has none, and findings quote config lines)."""
    names = {name for d in devices for name in secrets_needed(d)}
    return Secrets({n: f"lint-{n}"[:24] for n in names})


class CommuneEntries:
    """Where each commune is written in hosts/communes.yaml (read only if a finding needs it)."""

    def __init__(self, hosts_dir: Path, root: Path) -> None:
        self.path = hosts_dir / "communes.yaml"
        self.root = root
        self._lines: dict[str, int | None] | None = None

    def line(self, code: str) -> int | None:
        if self._lines is None:
            doc = load_yaml(self.path, str(self.path))
            communes = doc.data.get("communes", []) if isinstance(doc.data, dict) else []
            self._lines = {
                str(c.get("code")): doc.line_of(("communes", i))
                for i, c in enumerate(communes)
                if isinstance(c, dict)
            }
        return self._lines.get(code)

    def point(self, finding: Finding, code: str) -> Finding:
        """A province-wide finding also names the commune's entry in hosts/ (its data)."""
        line = self.line(code)
        entry = os.path.relpath(self.path, self.root) + (f":{line}" if line else "")
        return replace(finding, message=f"{finding.message} (commune {code}, {entry})")


def on_devices(devices: tuple[str, ...]) -> str:
    return f" (on {len(devices)} devices)" if len(devices) > 1 else ""


def _group(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and source line across devices (a template bug hits every device)."""
    groups: dict[tuple[object, ...], list[Finding]] = defaultdict(list)
    for f in findings:
        source_is_shared = not f.path.startswith("build/") and len(f.devices) == 1
        shape = _VARYING.sub("#", f.message)  # the same problem, whatever the device's values
        key = (f.rule, f.path, f.line, f.waived, f.waiver, shape) if source_is_shared else (id(f),)
        groups[key].append(f)
    out: list[Finding] = []
    for members in groups.values():
        first = members[0]
        if len(members) == 1:
            out.append(first)
            continue
        devices = tuple(dict.fromkeys(d for m in members for d in m.devices))
        out.append(replace(first, devices=devices, message=f"{first.message}{on_devices(devices)}"))
    return out


def run_lint(
    root: Path,
    packs: list[Pack],
    filters: Sequence[str] = (),
    today: dt.date | None = None,
) -> LintReport:
    """Lint the project at `root` with `packs`; bad waivers raise InputError."""
    new_run()
    with collector_paused():  # ~200k config nodes live through the run
        return _run(root, packs, filters, today)


def _run(
    root: Path, packs: list[Pack], filters: Sequence[str], today: dt.date | None
) -> LintReport:
    today = today or dt.date.today()
    settings = RunSettings(root=root.resolve())
    state = ProjectState(root=settings.root, templates_dir=settings.templates_dir)
    report = LintReport(packs)
    inputs = inputs_hash(input_paths(settings))  # before reading them
    rules = report.rules()
    waivers = load_waivers(settings.hosts_dir, settings.root)
    findings: list[Finding] = []
    try:
        nr = build_nornir(settings, num_workers=1)
    except InputError as exc:
        state.inventory_problems = exc.problems
        for rule in rules:
            if rule.kind == "inventory":
                findings.extend(KINDS["inventory"].run(rule, state))
        if not findings:
            raise
        report.findings = _finish(findings, waivers, {}, today, check_unused=False)
        return report
    province = province_of(nr)
    selected = apply_filters(nr, filters)
    by_name = {d.name: d for d in province.devices}
    devices = [by_name[name] for name in selected.inventory.hosts]
    report.devices = len(devices)
    if len({d.province.code for d in devices}) > 1:
        report.provinces = {d.name: f"{d.province.code} {d.province.name}" for d in devices}
    maps: dict[str, SourceMap] = {}
    entries = CommuneEntries(settings.hosts_dir, settings.root)
    secrets = placeholder_secrets(devices)
    rendered = Rendered.load(settings.build_dir / "intended", inputs)
    digests, device_findings = device_pass(
        devices, state, secrets, province.defaults, rules, settings.build_dir, rendered
    )
    report.reused = state.reused
    findings.extend(device_findings)
    # The few devices a province finding names are rendered again, to point at the source.
    views: dict[str, DeviceView] = {}
    for rule in rules:
        kind = KINDS[rule.kind]
        if kind.over_digests is not None:
            for name, hit in kind.over_digests(rule, [d for _, d in digests[rule.id]]):
                if name not in views:
                    views[name] = render_views(
                        [by_name[name]], state, secrets, province.defaults, rendered
                    )[0]
                found = locate(rule, views[name], hit, maps, state, settings.build_dir)
                findings.append(entries.point(found, by_name[name].code))
        elif kind.scope == "project":
            findings.extend(kind.run(rule, state))
    meta = {d.name: (d.groups, d.code) for d in devices}
    report.findings = _finish(findings, waivers, meta, today, check_unused=not filters)
    return report


def _finish(
    findings: list[Finding],
    waivers: list[Waiver],
    meta: dict[str, tuple[tuple[str, ...], str]],
    today: dt.date,
    check_unused: bool,
) -> list[Finding]:
    """Apply live waivers (waived findings stay, marked), add waiver findings, group, sort."""
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        reason = None
        for index, waiver in enumerate(waivers):
            if waiver.expires < today or not finding.devices:
                continue
            if waiver.match is not None and not re.search(waiver.match, finding.message):
                continue
            if all(waiver.covers(finding.rule, d, *meta.get(d, ((), ""))) for d in finding.devices):
                used.add(index)
                until = waiver.expires.isoformat()
                reason = f"{waiver.reason} (until {until}, {waiver.path}:{waiver.line})"
                break
        out.append(finding.waive(reason) if reason else finding)
    out.extend(expired(waivers, today))
    if check_unused:
        out.extend(unused(waivers, used, today))
    grouped = _group(out)
    grouped.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.waived, f.rule, f.path, f.line or 0))
    return grouped
