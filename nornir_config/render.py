"""Render each device's intended config: a Nornir task over nornir_jinja2 templates."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from nornir.core import Nornir
from nornir.core.task import Result, Task
from nornir.plugins.runners import SerialRunner
from nornir_jinja2.plugins.tasks import template_file

from nornir_config.collector import collector_paused
from nornir_config.context import device_context, secret_forms, secrets_needed
from nornir_config.errors import InputError, Problem
from nornir_config.parallel import split_work
from nornir_config.running_config import canonical
from nornir_config.secrets import Secrets, Spans, secret_spans
from nornir_config.sot.province import Device, ProvinceData

# Devices per process below which a second process costs more than it saves.
PARALLEL_MIN_PART = 1000


def jinja_env(platform_dir: Path) -> jinja2.Environment:
    """One environment per platform folder, so each template is compiled once. Without
    `auto_reload` (an mtime check at every include, 15 stat calls per device): a run that
    starts (`compile_templates`) drops the environment of a folder whose templates changed."""
    cached = _envs.get(platform_dir)
    if cached is None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(platform_dir)),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
            auto_reload=False,
        )
        cached = _envs[platform_dir] = (_fingerprint(platform_dir), env)
    return cached[1]


_envs: dict[Path, tuple[tuple[tuple[str, int, int], ...], jinja2.Environment]] = {}


def _fingerprint(platform_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every file under the folder: what a changed template changes."""
    out = []
    for folder, _, files in os.walk(platform_dir):
        for name in files:
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            out.append((os.path.join(folder, name), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(out))


def compile_templates(templates_dir: Path, devices: Iterable[Device]) -> None:
    """At the start of a run: compile every template of the devices' platforms now (a
    template changed since the last run is compiled afresh), before the work is forked, so
    the processes do not each compile them. A template that does not compile is left for the
    render to report (it names the device and the line)."""
    for folder in {device.driver.templates for device in devices}:
        platform_dir = templates_dir / folder
        cached = _envs.get(platform_dir)
        if cached is not None and cached[0] != _fingerprint(platform_dir):
            del _envs[platform_dir]
        env = jinja_env(platform_dir)
        for name in env.list_templates(extensions=["j2"]):
            try:
                env.get_template(name)
            except Exception:  # raised again by the render, where it names the device
                continue


def template_for(device: Device) -> str:
    return f"{device.role}.j2"


def private_dir(path: Path) -> Path:
    """A folder only its owner can enter (it holds files with decodable keys)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable by the owner only (0600): type 7 keys can be decoded."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_if_changed(path: Path, text: str) -> bool:
    """Write atomically (0600); leave an identical file untouched (its mtime says when it
    last changed)."""
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            path.chmod(0o600)
            return False
    except FileNotFoundError:
        pass
    write_private(path, data)
    return True


def render_device(
    device: Device, province: ProvinceData, secrets: Secrets, templates_dir: Path
) -> str:
    """The intended config of one device, laid out as the device prints it."""
    compile_templates(templates_dir, (device,))
    env = jinja_env(templates_dir / device.driver.templates)
    context = device_context(device, province.defaults, secrets)
    text = env.get_template(template_for(device)).render(**context)
    return canonical(text, device.driver)


def render_config(
    task: Task,
    province: ProvinceData,
    secrets: Secrets,
    templates_dir: Path,
    out_dir: Path | None,
) -> Result:
    """Nornir task: render the host's template; write `<out_dir>/<host>.cfg` when it changed."""
    device = province.device(task.host.name)
    env = jinja_env(templates_dir / device.driver.templates)
    context = device_context(device, province.defaults, secrets)
    rendered = template_file(task, template=template_for(device), jinja_env=env, **context)
    text = canonical(rendered.result, device.driver)
    changed = write_if_changed(out_dir / f"{device.name}.cfg", text) if out_dir else False
    spans = secret_spans(text, secret_forms(context))  # for the manifest lint reads
    return Result(host=task.host, result=text, changed=changed, secret_spans=spans)


def template_problem(exc: BaseException, host: str, templates_dir: Path) -> Problem:
    """A template failure as one line naming the template file and line."""
    where, line = "templates", None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.startswith(str(templates_dir)):
            where, line = os.path.relpath(filename, templates_dir.parent), lineno
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = os.path.relpath(exc.filename or where, templates_dir.parent)
        line = exc.lineno
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, jinja2.UndefinedError):
        fix = "define the variable in hosts/ or nornir_config/context.py, or fix the name"
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        fix = "correct the template syntax"
    else:
        fix = "correct the template"
    return Problem(where, f"host {host}", message, fix, line)


# One rendered device: host, config (None: failed), its problem, its secret spans.
Row = tuple[str, str | None, Problem | None, Spans | None]


@dataclass
class RenderSummary:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    configs: dict[str, str] = field(default_factory=dict)
    # host -> where its config holds the secrets' forms (None: not known for sure)
    spans: dict[str, Spans | None] = field(default_factory=dict)


def check_secrets(province: ProvinceData, hosts: Mapping[str, Any], secrets: Secrets) -> None:
    needed: dict[str, None] = {}
    for name in hosts:
        for secret in secrets_needed(province.device(name)):
            needed[secret] = None
    secrets.require(needed, "secrets")
    secrets.check_reversible(needed, "secrets")


def run_render(
    nr: Nornir,
    province: ProvinceData,
    secrets: Secrets,
    templates_dir: Path,
    out_dir: Path | None,
    progress: bool = False,
    prune: bool = False,
) -> RenderSummary:
    """Render every host of `nr`; template errors raise InputError naming the template line."""
    check_secrets(province, nr.inventory.hosts, secrets)
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise InputError.one(str(out_dir), "output folder", "is a file", "give a folder")

    # Rendering is CPU-bound under the GIL: threads only add contention, so each process renders
    # its part serially; a national run splits the devices across the cores (fork).
    def render_part(names: Sequence[str]) -> list[Row]:
        wanted = set(names)
        part = nr.filter(filter_func=lambda host: host.name in wanted)
        runner = part.with_runner(SerialRunner())
        if progress and sys.stderr.isatty() and names[:1] == list(nr.inventory.hosts)[:1]:
            from nornir_rich.progress_bar import RichProgressBar

            runner = runner.with_processors([RichProgressBar()])
        with collector_paused():
            results = runner.run(
                task=render_config,
                name="render",
                province=province,
                secrets=secrets,
                templates_dir=templates_dir,
                out_dir=None,  # every device renders before any file is written
            )
        out: list[Row] = []
        for host, multi in results.items():
            result = multi[0]
            if not result.failed:
                spans: Spans | None = result.secret_spans  # type: ignore[attr-defined]
                out.append((host, str(result.result), None, spans))
            elif result.exception is None:
                problem = Problem("templates", f"host {host}", str(result.result))
                out.append((host, None, problem, None))
            else:
                problem = template_problem(result.exception, host, templates_dir)
                out.append((host, None, problem, None))
        return out

    names = list(nr.inventory.hosts)
    problems: list[Problem] = []
    summary = RenderSummary()
    compile_templates(templates_dir, (province.device(name) for name in names))
    rendered = [row for part in split_work(names, render_part, PARALLEL_MIN_PART) for row in part]
    for host, text, problem, spans in sorted(rendered, key=lambda row: row[0]):
        if problem is not None:
            problems.append(problem)
        elif text is not None:
            summary.configs[host] = text
            summary.spans[host] = spans
    if problems:
        # One line per distinct template problem, not one per device.
        unique: dict[tuple[str, int | None, str], Problem] = {}
        for problem in problems:
            unique.setdefault((problem.file, problem.line, problem.message), problem)
        raise InputError(unique.values())
    if out_dir is None:
        summary.unchanged = sorted(summary.configs)
        return summary
    try:
        private_dir(out_dir)
        for host, text in summary.configs.items():
            written = write_if_changed(out_dir / f"{host}.cfg", text)
            (summary.written if written else summary.unchanged).append(host)
    except OSError as exc:
        raise InputError.one(
            str(exc.filename or out_dir),
            "output folder",
            f"cannot write: {exc.strerror}",
            "give a writable folder",
        ) from None
    if prune and out_dir is not None:
        keep = {f"{h}.cfg" for h in nr.inventory.hosts}
        for stale in sorted(out_dir.glob("*.cfg")):
            if stale.name not in keep:
                stale.unlink()
                summary.removed.append(stale.stem)
    return summary
