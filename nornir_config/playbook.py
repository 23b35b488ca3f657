"""Playbooks: a YAML list of steps (render, lint, backup, push, compliance), each with its
options and a host filter, validated with pydantic before anything runs.

Steps are looked up in STEPS (kind -> function), so other packages plug theirs in with
`register_step`. Lint and compliance call their packages' entry points (run_lint,
run_compliance); if a package is missing the step fails with a clear "not available" message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nornir_config.errors import InputError, Problem


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["render", "lint", "backup", "push", "compliance"]
    name: str = ""
    filter: list[str] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    steps: list[Step] = Field(min_length=1)


@dataclass
class StepResult:
    ok: bool
    summary: str
    details: list[str] = field(default_factory=list)  # e.g. the commands a dry run would send
    pending: bool = False  # a dry run found changes to make


StepFunction = Callable[[list[str], dict[str, Any]], StepResult]
STEPS: dict[str, StepFunction] = {}


def register_step(kind: str, function: StepFunction) -> None:
    STEPS[kind] = function


def load_playbook(path: Path) -> Playbook:
    """Parse and validate; every problem is reported with the file and the step's place."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError.one(str(path), "playbook", f"cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                Problem(
                    str(path),
                    "YAML",
                    "broken YAML",
                    "fix the syntax",
                    mark.line + 1 if mark else None,
                )
            ]
        ) from None
    try:
        book = Playbook.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            Problem(
                str(path),
                ".".join(str(p) for p in err["loc"]) or "playbook",
                err["msg"],
                "see playbooks/rollout.yaml for the format",
            )
            for err in exc.errors()
        ) from None
    check_step_options(book, str(path))
    return book


class _NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _BackupOptions(_NoOptions):
    workers: int | None = None
    accept_new_host_keys: bool = False
    repo: str | None = None


class _ComplianceOptions(_NoOptions):
    workers: int | None = None
    accept_new_host_keys: bool = False
    backups_dir: str | None = None
    out: str | None = None
    formats: str = "html,json,junit,csv"
    lang: str = "vi"


class _LintOptions(_NoOptions):
    rules: list[str] = Field(default_factory=list)


class _PushStepOptions(_NoOptions):
    method: str = "merge"
    dry_run: bool = False
    workers: int | None = None
    canary: int = 0
    first: int | None = None
    max_failures: int | None = None
    retry_failed: bool = False
    accept_new_host_keys: bool = False


STEP_OPTIONS: dict[str, type[BaseModel]] = {
    "render": _NoOptions,
    "lint": _LintOptions,
    "backup": _BackupOptions,
    "push": _PushStepOptions,
    "compliance": _ComplianceOptions,
}


def check_step_options(book: Playbook, where: str) -> None:
    """Every step's options, typed, before step 1 runs: one problem per wrong option."""
    problems: list[Problem] = []
    for index, step in enumerate(book.steps):
        model = STEP_OPTIONS.get(step.kind)
        if model is None:
            continue
        try:
            options = model.model_validate(step.options)
        except ValidationError as exc:
            problems += [
                Problem(
                    where,
                    f"steps.{index}.options." + ".".join(str(p) for p in err["loc"]),
                    err["msg"],
                    f"{step.kind} takes: {', '.join(model.model_fields)}",
                )
                for err in exc.errors()
            ]
            continue
        if step.kind == "push":
            from nornir_config.push.run import PushOptions, check_options

            try:
                check_options(PushOptions(**options.model_dump()))
            except InputError as exc:
                problems += [
                    Problem(
                        where,
                        f"steps.{index}.options.{p.file.lstrip('-').replace('-', '_')}",
                        p.message,
                        p.fix,
                    )
                    for p in exc.problems
                ]
    if problems:
        raise InputError(problems)


# Steps that change devices or the backup repository; `--check` skips them.
CHANGING_STEPS = frozenset({"backup"})


def run_playbook(
    playbook: Playbook,
    filters: list[str],
    report: Callable[[str, StepResult], None],
    check: bool = False,
    diff: bool = False,
) -> bool:
    """Run the steps in order, stopping at the first that fails; True when all passed.

    `check`: every push is a dry run and CHANGING_STEPS are skipped; `diff`: push steps add
    a unified before/after diff per device to their details."""
    _register_defaults()
    for index, step in enumerate(playbook.steps, 1):
        label = f"{index}. {step.name or step.kind}"
        function = STEPS.get(step.kind)
        options = dict(step.options)
        if step.kind == "push":
            options.update({"dry_run": True} if check else {})
            options.setdefault("diff", diff)
        if check and step.kind in CHANGING_STEPS:
            result = StepResult(True, "skipped (--check)")
        elif function is None:
            result = StepResult(False, f"step kind '{step.kind}' is not available")
        else:
            try:
                result = function([*filters, *step.filter], options)
            except InputError as exc:
                result = StepResult(False, "; ".join(str(p) for p in exc.problems))
        report(label, result)
        if not result.ok:
            return False
    return True


# -- the built-in steps ----------------------------------------------------------------------

NAMED = 20  # devices named behind a count before "and N more"


def named_counts(groups: dict[str, list[str]]) -> str:
    """`1 changed (a-rt01); 2 unchanged (b-sw01, b-sw02)`: every count names its devices."""
    parts = []
    for label, hosts in sorted(groups.items()):
        if not hosts:
            continue
        shown = ", ".join(sorted(hosts)[:NAMED])
        more = f" and {len(hosts) - NAMED} more" if len(hosts) > NAMED else ""
        parts.append(f"{len(hosts)} {label} ({shown}{more})")
    return "; ".join(parts) or "no devices"


def _render(filters: list[str], options: dict[str, Any]) -> StepResult:
    from nornir_config.project import open_project
    from nornir_config.render import run_render

    project = open_project(filters)
    summary = run_render(
        project.nr,
        project.province,
        project.secrets(),
        project.settings.templates_dir,
        project.settings.build_dir / "intended",
    )
    return StepResult(
        True, named_counts({"written": summary.written, "unchanged": summary.unchanged})
    )


def _backup(filters: list[str], options: dict[str, Any]) -> StepResult:
    from nornir_config.backup import run_backup
    from nornir_config.connection import prepare_connections
    from nornir_config.project import open_project

    project = open_project(filters, num_workers=options.get("workers"))
    prepare_connections(project.nr, project.settings, bool(options.get("accept_new_host_keys")))
    repo = Path(options.get("repo") or project.settings.build_dir / "backups")
    try:
        summary = run_backup(project.nr, repo)
    finally:
        project.nr.close_connections()
    text = named_counts(
        {
            "changed": list(summary.changed),
            "unchanged": list(summary.unchanged),
            "failed": list(summary.failed),
        }
    )
    details = [f"{host}: {reason}" for host, reason in sorted(summary.failed.items())]
    return StepResult(not summary.failed, text, details)


def _push(filters: list[str], options: dict[str, Any]) -> StepResult:
    from nornir_config.project import open_project
    from nornir_config.push import PushOptions, run_push
    from nornir_config.push.state import Outcome

    show_diff = bool(options.pop("diff", False))
    allowed = set(PushOptions.__dataclass_fields__) - {"progress", "intended_dir"}
    unknown = set(options) - allowed
    if unknown:
        raise InputError.one(
            "playbook",
            "push options",
            f"unknown: {', '.join(sorted(unknown))}",
            f"use: {', '.join(sorted(allowed))}",
        )
    project = open_project(filters, num_workers=options.get("workers"))
    push_options = PushOptions(**options)
    run = run_push(project, push_options)
    groups: dict[str, list[str]] = {}
    details: list[str] = []
    for host, r in sorted(run.reports.items()):
        groups.setdefault(r.outcome.value, []).append(host)
        if show_diff and r.diff and r.outcome != Outcome.UNCHANGED:
            details += [f"--- {host} ({r.outcome.value})", r.diff]
        elif r.outcome == Outcome.WOULD_CHANGE:  # the commands, shown before any push
            details += [f"--- {host}: would send", *r.commands]
    text = named_counts(groups)
    if run.stopped:
        text += f"; {run.stopped}"
    pending = Outcome.WOULD_CHANGE.value in groups
    return StepResult(run.ok, text, details, pending and push_options.dry_run)


def _lint(filters: list[str], options: dict[str, Any]) -> StepResult:
    try:
        from nornir_config.lint import run_lint
        from nornir_config.lint.packs import select_packs
    except ImportError:
        return StepResult(False, "lint is not available (nornir_config.lint is not installed)")
    from nornir_config.settings import run_settings

    root = run_settings().root
    report = run_lint(root, select_packs(options.get("rules", []), root), filters)
    counted = [f for f in report.findings if f.counts]
    behind = sorted({d for f in counted for d in f.devices})
    return StepResult(
        not report.failed,
        f"{report.devices} devices, {len(counted)} blocking findings"
        + (f" on {named_counts({'devices': behind})}" if behind else ""),
    )


def _compliance(filters: list[str], options: dict[str, Any]) -> StepResult:
    try:
        from nornir_config.compliance.run import run_compliance
    except ImportError:
        return StepResult(
            False, "compliance is not available (nornir_config.compliance is not installed)"
        )
    from nornir_config.connection import prepare_connections
    from nornir_config.project import open_project

    project = open_project(filters, num_workers=options.get("workers"))
    backups = options.get("backups_dir")
    if not backups:
        prepare_connections(project.nr, project.settings, bool(options.get("accept_new_host_keys")))
    try:
        report = run_compliance(
            project.nr,
            project.province,
            project.secrets(),
            project.settings.templates_dir,
            backups_dir=Path(backups) if backups else None,
        )
    finally:
        project.nr.close_connections()
    from nornir_config.reports import open_lint_findings, parse_formats, publish

    out_dir = Path(options.get("out") or project.settings.build_dir / "reports")
    formats = parse_formats(str(options.get("formats", "html,leadership,json,junit,csv")))
    if "leadership" in formats:
        report.lint_open = open_lint_findings(filters)
    paths = publish(
        report,
        out_dir.resolve(),
        formats,
        str(options.get("lang", "vi")),
        build_dir=project.settings.build_dir,
    )
    s = report.summary
    groups: dict[str, list[str]] = {}
    for d in report.devices:
        groups.setdefault(d.status.replace("_", "-"), []).append(d.host)
    return StepResult(
        # unverified (a device cipher no push fingerprinted) is not a pass either
        s.non_compliant == 0 and s.unknown == 0 and s.unverified == 0,
        f"{named_counts(groups)} -> {paths[0].parent}",
    )


def _register_defaults() -> None:
    defaults: dict[str, StepFunction] = {
        "render": _render,
        "backup": _backup,
        "push": _push,
        "lint": _lint,
        "compliance": _compliance,
    }
    for kind, function in defaults.items():
        STEPS.setdefault(kind, function)
