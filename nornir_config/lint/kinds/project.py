"""Project-scope kinds: the inventory validation and the template checks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from pydantic import BaseModel

from nornir_config.errors import Problem
from nornir_config.lint.model import Finding, Rule
from nornir_config.lint.registry import register
from nornir_config.render import jinja_env


@dataclass
class ProjectState:
    """What the project kinds look at, gathered once by the engine."""

    root: Path
    templates_dir: Path
    inventory_problems: list[Problem] = field(default_factory=list)
    render_problems: dict[tuple[str, int | None, str], list[str]] = field(default_factory=dict)
    # One template context per shape (its variables and their types), by the first device
    # with it: what `template_unused` reads, without keeping 10,000 contexts alive.
    contexts: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    context_shapes: set[tuple[tuple[str, type], ...]] = field(default_factory=set)
    platforms: set[str] = field(default_factory=set)
    # devices whose config was read from what `render` wrote (manifest), not rendered again
    reused: int = 0

    def saw_context(self, device: str, context: Mapping[str, Any]) -> None:
        shape = tuple((key, type(value)) for key, value in context.items())
        if shape not in self.context_shapes:
            self.context_shapes.add(shape)
            self.contexts[device] = context


def _finding(rule: Rule, problem: Problem, devices: tuple[str, ...] = ()) -> Finding:
    text = f"{problem.item}: {problem.message}" if problem.item else problem.message
    if problem.fix:
        text += f"; fix: {problem.fix}"
    return Finding(rule.id, rule.severity, text, problem.file, problem.line, devices)


@register("inventory", scope="project")
def inventory(rule: Rule, state: ProjectState) -> Iterator[Finding]:
    """Every problem the hosts/ validation (nornir_config/sot/province.py) reports."""
    for problem in state.inventory_problems:
        yield _finding(rule, problem)


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def template_files(templates_dir: Path, platforms: set[str]) -> Iterator[tuple[str, Path]]:
    for platform in sorted(platforms):
        for path in sorted((templates_dir / platform).rglob("*.j2")):
            yield platform, path


@register("template_syntax", scope="project")
def template_syntax(rule: Rule, state: ProjectState) -> Iterator[Finding]:
    """Every template parses."""
    for platform, path in template_files(state.templates_dir, state.platforms):
        env = jinja_env(state.templates_dir / platform)
        try:
            env.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except jinja2.TemplateSyntaxError as exc:
            yield Finding(
                rule.id,
                rule.severity,
                f"syntax error: {exc.message}",
                _relative(path, state.root),
                exc.lineno,
            )


@register("template_undefined", scope="project")
def template_undefined(rule: Rule, state: ProjectState) -> Iterator[Finding]:
    """No template uses a variable the device's context lacks (rendered with StrictUndefined)."""
    for (file, line, message), devices in sorted(
        state.render_problems.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)
    ):
        yield Finding(
            rule.id,
            rule.severity,
            f"{message} (on {len(devices)} devices)",
            file,
            line,
            tuple(devices),
        )


def _has_fields(value: Any) -> list[str] | None:
    """Fields worth checking one by one: those of settings that come from hosts/."""
    if isinstance(value, BaseModel):
        return list(type(value).model_fields)
    return None


def used_names(env: jinja2.Environment, source: str) -> set[str]:
    """Top-level variables a template reads, and `var.attr` for attributes read off them."""
    ast = env.parse(source)
    names = set(meta.find_undeclared_variables(ast))
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, nodes.Getattr | nodes.Getitem)
        target = node.node
        if isinstance(target, nodes.Name) and target.name in names:
            attr = (
                node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            )
            if isinstance(attr, str):
                names.add(f"{target.name}.{attr}")
        if (
            isinstance(target, nodes.Name)
            and target.name in names
            and isinstance(node, nodes.Getitem)
        ):
            names.add(f"{target.name}.*")
    return names


def _definition_line(root: Path, name: str) -> tuple[str, int | None]:
    """Where a context variable is defined: its key in nornir_config/context.py."""
    path = Path(__file__).resolve().parent.parent.parent / "context.py"
    top = name.split(".", 1)[0]
    pattern = re.compile(rf'^\s+"{re.escape(top)}":')
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if pattern.match(line):
            return "nornir_config/context.py", number
    return "nornir_config/context.py", None


@register("template_unused", scope="project")
def template_unused(rule: Rule, state: ProjectState) -> Iterator[Finding]:
    """Context variables (and fields of structured ones) that no template reads."""
    used: set[str] = set()
    for platform, path in template_files(state.templates_dir, state.platforms):
        env = jinja_env(state.templates_dir / platform)
        try:
            used |= used_names(env, path.read_text(encoding="utf-8"))
        except jinja2.TemplateSyntaxError:
            return  # reported by template_syntax; the usage is unknown
    ignore = set(rule.params.get("ignore", ()))
    defined: dict[str, None] = {}
    for context in state.contexts.values():
        for key, value in context.items():
            defined[key] = None
            for sub in _has_fields(value) or ():
                defined[f"{key}.{sub}"] = None
    for name in defined:
        top = name.split(".", 1)[0]
        if name in ignore or top in ignore or name in used:
            continue
        if "." in name and (top not in used or f"{top}.*" in used):
            continue  # the whole variable is unused (reported once) or indexed dynamically
        if "." in name and not any(u.startswith(f"{top}.") for u in used):
            continue  # passed whole (e.g. to a filter or loop): fields unknown
        file, line = _definition_line(state.root, name)
        yield Finding(
            rule.id,
            rule.severity,
            f"template variable '{name}' is defined but no template uses it",
            file,
            line,
        )
