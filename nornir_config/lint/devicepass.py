"""The per-device pass: render each device once, parse it, run the device-scope rules and keep
what the province-scope rules need of it (their digests); the parsed config is dropped then.

A national run (thousands of devices) is split across the cores (`parallel.split_work`): each
forked child shares the loaded province and templates and sends back only its findings and
digests, so nothing is rendered or parsed twice.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from nornir_config.context import device_context, secret_forms
from nornir_config.lint.interfaces import dialect
from nornir_config.lint.kinds import KINDS
from nornir_config.lint.kinds.project import ProjectState
from nornir_config.lint.model import Finding, Rule
from nornir_config.lint.packs import for_platform
from nornir_config.lint.parsed import parse
from nornir_config.lint.registry import DeviceView, Hit
from nornir_config.lint.sources import SourceMap, closest_line
from nornir_config.manifest import Rendered
from nornir_config.parallel import split_work
from nornir_config.render import compile_templates, jinja_env, template_for, template_problem
from nornir_config.running_config import canonical
from nornir_config.secrets import Secrets
from nornir_config.sot.province import Device

# Devices per process below which a second process costs more than it saves.
PARALLEL_MIN_PART = 1000


def applicable(rules: list[Rule], role: str, platform: str) -> list[Rule]:
    """The rules that check a device of this role and platform, in the platform's syntax."""
    out = (for_platform(rule, platform) for rule in rules if role in rule.roles)
    return [rule for rule in out if rule is not None]


def iter_views(
    devices: Sequence[Device],
    state: ProjectState,
    secrets: Secrets,
    defaults: object,
    rendered: Rendered | None = None,
) -> Iterator[DeviceView]:
    """Render each device (StrictUndefined) and parse it, one at a time; template errors go to
    `state`. A device whose config `render` wrote from the same inputs is read instead, with
    the placeholder secrets' forms (`manifest`): the text its render here would give."""
    envs: dict[str, jinja2.Environment] = {}
    for device in devices:
        context = device_context(device, defaults, secrets)  # type: ignore[arg-type]
        state.saw_context(device.name, context)
        state.platforms.add(device.platform)
        text = rendered.text(device.name, secret_forms(context)) if rendered else None
        if text is not None:
            state.reused += 1
        else:
            env = envs.get(device.platform)
            if env is None:
                folder = state.templates_dir / device.driver.templates
                env = envs[device.platform] = jinja_env(folder)
            try:
                raw = env.get_template(template_for(device)).render(**context)
            except jinja2.TemplateSyntaxError:
                continue  # reported once by the template_syntax kind
            except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
                problem = template_problem(exc, device.name, state.templates_dir)
                state.render_problems.setdefault(
                    (problem.file, problem.line, problem.message), []
                ).append(device.name)
                continue
            text = canonical(raw, device.driver)
        yield DeviceView(
            device.name,
            device.role,
            device.platform,
            context,
            parse(text, device.driver),
            dialect(device.driver),
        )


def render_views(
    devices: Sequence[Device],
    state: ProjectState,
    secrets: Secrets,
    defaults: object,
    rendered: Rendered | None = None,
) -> list[DeviceView]:
    """Every device's view at once (tests, and the few devices a province finding names)."""
    return list(iter_views(devices, state, secrets, defaults, rendered))


def locate(
    rule: Rule,
    view: DeviceView,
    hit: Hit,
    maps: dict[str, SourceMap],
    state: ProjectState,
    build_dir: Path,
) -> Finding:
    rendered_path = build_dir / "intended" / f"{view.name}.cfg"
    rendered = os.path.relpath(rendered_path, state.root)
    message = f"{rule.title}: {hit.message}"
    if hit.line is not None:
        smap = maps.get(view.name)
        if smap is None:
            smap = maps[view.name] = SourceMap(
                state.templates_dir, state.root, view.platform, view.role, view.context, view.parsed
            )
        where = smap.locate(hit.line)
        rendered_at = f"{rendered}:{hit.line}"
        if where is not None:
            return Finding(
                rule.id, rule.severity, message, where[0], where[1], (view.name,), rendered_at
            )
        return Finding(
            rule.id, rule.severity, message, rendered, hit.line, (view.name,), rendered_at
        )
    if rule.partial:
        path = state.templates_dir / view.driver.templates / "partials" / rule.partial
        return Finding(
            rule.id,
            rule.severity,
            message,
            os.path.relpath(path, state.root),
            closest_line(path, str(rule.params.get("pattern", ""))),
            (view.name,),
            rendered,
        )
    return Finding(rule.id, rule.severity, message, rendered, None, (view.name,), rendered)


# Digests of the province-scope rules: rule id -> (device, digest) in device order.
Digests = dict[str, list[tuple[str, Any]]]


@dataclass
class PassPart:
    """What the pass over some devices found (a forked child sends it back whole)."""

    findings: list[Finding] = field(default_factory=list)
    digests: Digests = field(default_factory=dict)
    render_problems: dict[tuple[str, int | None, str], list[str]] = field(default_factory=dict)
    contexts: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    platforms: set[str] = field(default_factory=set)
    reused: int = 0


def _pass(
    devices: Sequence[Device],
    state: ProjectState,
    secrets: Secrets,
    defaults: object,
    rules: list[Rule],
    build_dir: Path,
    maps: dict[str, SourceMap],
    rendered: Rendered | None,
) -> PassPart:
    part = PassPart(digests={r.id: [] for r in rules if KINDS[r.kind].digest is not None})
    plans: dict[tuple[str, str], tuple[list[tuple[Rule, Any]], list[tuple[Rule, Any]]]] = {}
    for view in iter_views(devices, state, secrets, defaults, rendered):
        plan = plans.get((view.role, view.platform))
        if plan is None:
            own = applicable(rules, view.role, view.platform)
            plan = plans[(view.role, view.platform)] = (
                [
                    (rule, KINDS[rule.kind].run)
                    for rule in own
                    if KINDS[rule.kind].scope == "device"
                ],
                [
                    (rule, KINDS[rule.kind].digest)
                    for rule in own
                    if KINDS[rule.kind].digest is not None
                ],
            )
        checks, digests = plan
        for rule, run in checks:
            for hit in run(rule, view):
                part.findings.append(locate(rule, view, hit, maps, state, build_dir))
        for rule, digest in digests:
            part.digests[rule.id].append((view.name, digest(rule, view)))
        maps.pop(view.name, None)  # the view goes now: its source map with it
    return part


def device_pass(
    devices: Sequence[Device],
    state: ProjectState,
    secrets: Secrets,
    defaults: object,
    rules: list[Rule],
    build_dir: Path,
    rendered: Rendered | None = None,
) -> tuple[Digests, list[Finding]]:
    """The findings of the device-scope `rules` and the digests of the province-scope ones,
    in device order; no parsed config outlives its device."""

    def work(chunk: Sequence[Device]) -> PassPart:
        own = ProjectState(root=state.root, templates_dir=state.templates_dir)
        part = _pass(chunk, own, secrets, defaults, rules, build_dir, {}, rendered)
        part.render_problems, part.contexts = own.render_problems, own.contexts
        part.platforms, part.reused = own.platforms, own.reused
        return part

    findings: list[Finding] = []
    digests: Digests = {r.id: [] for r in rules if KINDS[r.kind].digest is not None}
    compile_templates(state.templates_dir, devices)
    for part in split_work(devices, work, PARALLEL_MIN_PART):
        findings.extend(part.findings)
        for rule_id, found in part.digests.items():
            digests[rule_id].extend(found)
        for key, names in part.render_problems.items():
            state.render_problems.setdefault(key, []).extend(names)
        for name, context in part.contexts.items():
            state.saw_context(name, context)
        state.platforms |= part.platforms
        state.reused += part.reused
    return digests, findings
