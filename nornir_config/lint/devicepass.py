"""The per-device pass: render each device once, parse it, run the device-scope rules.

One process by default: the pass is cheap enough (measured by bench/lint.py) that a forked child
sending back its texts and findings saves nothing on a busy CI runner. With
COMMUNELAN_LINT_PROCESSES=2, many devices and more than one core, half of them are done in a
forked child at the same time (fork: the child shares the loaded province and templates; it sends
back the findings and the rendered texts, which the parent parses again for the province rules).
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from nornir_config.context import device_context
from nornir_config.lint.interfaces import dialect
from nornir_config.lint.kinds import KINDS
from nornir_config.lint.kinds.project import ProjectState
from nornir_config.lint.model import Finding, Rule
from nornir_config.lint.parsed import parse
from nornir_config.lint.registry import DeviceView, Hit
from nornir_config.lint.sources import SourceMap, closest_line
from nornir_config.render import jinja_env, template_for, template_problem
from nornir_config.running_config import canonical
from nornir_config.secrets import Secrets
from nornir_config.sot.province import Device

# Below this many devices a second process costs more than it saves.
PARALLEL_MIN_DEVICES = 120
# A child that has not answered by then is stopped and its half done here.
CHILD_TIMEOUT_S = 300.0
# Set to 2 to do half the devices in a forked child (default 1: one process).
PROCESSES_ENV = "COMMUNELAN_LINT_PROCESSES"


def applies(rule: Rule, role: str, platform: str) -> bool:
    return role in rule.roles and (not rule.platforms or platform in rule.platforms)


def render_views(
    devices: Sequence[Device], state: ProjectState, secrets: Secrets, defaults: object
) -> list[DeviceView]:
    """Render each device once (StrictUndefined) and parse it; template errors go to `state`."""
    views: list[DeviceView] = []
    envs: dict[str, jinja2.Environment] = {}
    for device in devices:
        env = envs.get(device.platform)
        if env is None:
            folder = state.templates_dir / device.driver.templates
            env = envs[device.platform] = jinja_env(folder)
        context = device_context(device, defaults, secrets)  # type: ignore[arg-type]
        state.contexts[device.name] = context
        state.platforms.add(device.platform)
        try:
            text = env.get_template(template_for(device)).render(**context)
        except jinja2.TemplateSyntaxError:
            continue  # reported once by the template_syntax kind
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
            problem = template_problem(exc, device.name, state.templates_dir)
            state.render_problems.setdefault(
                (problem.file, problem.line, problem.message), []
            ).append(device.name)
            continue
        views.append(
            DeviceView(
                device.name,
                device.role,
                device.platform,
                context,
                parse(canonical(text, device.driver), device.driver),
                dialect(device.driver),
            )
        )
    return views


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


def _check(
    views: list[DeviceView],
    rules: list[Rule],
    state: ProjectState,
    build_dir: Path,
    maps: dict[str, SourceMap],
) -> list[Finding]:
    findings: list[Finding] = []
    plans: dict[tuple[str, str], list[tuple[Rule, Any]]] = {}
    for view in views:
        plan = plans.get((view.role, view.platform))
        if plan is None:
            plan = plans[(view.role, view.platform)] = [
                (rule, KINDS[rule.kind].run)
                for rule in rules
                if applies(rule, view.role, view.platform)
            ]
        for rule, run in plan:
            for hit in run(rule, view):
                findings.append(locate(rule, view, hit, maps, state, build_dir))
        view.parsed.release()
    return findings


def _child(
    conn: Any,
    devices: Sequence[Device],
    state: ProjectState,
    secrets: Secrets,
    defaults: object,
    rules: list[Rule],
    build_dir: Path,
) -> None:
    """In the forked child: the pass over `devices`; send back texts, findings, problems."""
    try:
        views = render_views(devices, state, secrets, defaults)
        findings = _check(views, rules, state, build_dir, {})
        conn.send(("ok", {v.name: v.parsed.text for v in views}, findings, state.render_problems))
    except BaseException:
        conn.send(("error", traceback.format_exc(), [], {}))
    finally:
        conn.close()


def device_pass(
    devices: Sequence[Device],
    state: ProjectState,
    secrets: Secrets,
    defaults: object,
    rules: list[Rule],
    build_dir: Path,
    maps: dict[str, SourceMap],
) -> tuple[list[DeviceView], list[Finding]]:
    """Views of every device and the findings of the device-scope `rules`, in device order."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    forkable = "fork" in multiprocessing.get_all_start_methods()
    serial = os.environ.get(PROCESSES_ENV, "").strip() != "2"
    if serial or len(devices) < PARALLEL_MIN_DEVICES or (cores or 1) < 2 or not forkable:
        views = render_views(devices, state, secrets, defaults)
        return views, _check(views, rules, state, build_dir, maps)
    half = len(devices) // 2
    mine, theirs = devices[:half], devices[half:]
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, theirs, state, secrets, defaults, rules, build_dir)
    )
    child.start()
    sender.close()
    views = render_views(mine, state, secrets, defaults)
    findings = _check(views, rules, state, build_dir, maps)
    answer: tuple[str, Any, list[Finding], dict[Any, list[str]]] = ("error", {}, [], {})
    try:
        if receiver.poll(CHILD_TIMEOUT_S):
            answer = receiver.recv()
    except EOFError:
        pass  # the child died: its half is done again below
    status, texts, their_findings, problems = answer
    if status != "ok" and child.is_alive():
        child.terminate()
    child.join()
    if status != "ok":
        their_views = render_views(theirs, state, secrets, defaults)
        return views + their_views, findings + _check(their_views, rules, state, build_dir, maps)
    for key, names in problems.items():
        state.render_problems.setdefault(key, []).extend(names)
    for device in theirs:
        text = texts.get(device.name)
        context_vars = device_context(device, defaults, secrets)  # type: ignore[arg-type]
        state.contexts[device.name] = context_vars
        state.platforms.add(device.platform)
        if text is not None:
            views.append(
                DeviceView(
                    device.name,
                    device.role,
                    device.platform,
                    context_vars,
                    parse(text, device.driver),
                    dialect(device.driver),
                )
            )
    return views, findings + their_findings
