"""A change plan: the commands each device needs, tied to the configs they were computed from.

The plan is a plain JSON file (`plan.json`, with a readable `plan.md` beside it) that a
reviewer reads in a merge request. Format version 1 is the pydantic model `Plan`; its JSON
schema is `plan.schema.json` beside this module (generated from the model, checked by a test).

Secrets are never in a plan: commands are stored with secrets `<removed>`, and `apply`
re-derives the real lines from the intended config, sending a device's commands only if their
redacted form is exactly the planned one.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nornir_config import audit
from nornir_config.change.fingerprint import fingerprint, redacted
from nornir_config.compliance.fingerprints import Fingerprints
from nornir_config.compliance.run import running_live
from nornir_config.connection import prepare_connections
from nornir_config.errors import InputError
from nornir_config.platforms import driver_for
from nornir_config.project import Project
from nornir_config.push.diff import remediation
from nornir_config.push.intended import intended_configs
from nornir_config.reports.files import write_atomic

FORMAT = "communelan-plan"
VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("plan.schema.json")
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Approval(_Model):
    by: Annotated[str, Field(min_length=1)]
    at: datetime
    digest: Sha256  # the plan content it approves (Plan.digest): an edited plan loses it


class PlannedDevice(_Model):
    platform: str
    running_sha256: Sha256 | None  # None: the device could not be read (see error)
    intended_sha256: Sha256
    commands: list[str]  # in sending order, secrets <removed>
    error: str = ""


class Plan(_Model):
    """Format version 1 of a change plan."""

    format: Literal["communelan-plan"] = "communelan-plan"
    version: Literal[1] = 1
    id: Annotated[str, Field(pattern=r"^plan-\d{8}T\d{6}Z-[0-9a-f]{6}$")]
    created_by: Annotated[str, Field(min_length=1)]
    created_at: datetime
    expires_at: datetime | None
    method: Literal["merge"] = "merge"
    filters: list[str]
    approvals_required: Annotated[int, Field(ge=0)]
    approvals: list[Approval] = Field(default_factory=list)
    devices: dict[str, PlannedDevice]

    @property
    def digest(self) -> str:
        """sha256 of everything but the approvals: what an approval vouches for."""
        content = self.model_dump(mode="json", exclude={"approvals"})
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def valid_approvals(self) -> list[Approval]:
        """Approvals of this exact content, one per approver."""
        seen: dict[str, Approval] = {}
        for approval in self.approvals:
            if approval.digest == self.digest:
                seen.setdefault(approval.by, approval)
        return list(seen.values())


def schema() -> dict[str, object]:
    """The JSON schema of the plan format (what plan.schema.json holds)."""
    data = Plan.model_json_schema()
    data["$id"] = f"{FORMAT}-{VERSION}"
    return data


def make_plan(project: Project, filters: list[str], accept_new_host_keys: bool = False) -> Plan:
    """Read every selected device and record what a merge push would send to it."""
    settings = project.settings
    nr = project.nr
    hosts = sorted(nr.inventory.hosts)
    intended = intended_configs(project, hosts, settings.build_dir / "intended")
    prepare_connections(nr, settings, accept_new_host_keys=accept_new_host_keys)
    fetched = running_live(nr)
    secrets = project.secrets()
    control = project.province.defaults.change_control
    now = datetime.now(UTC).replace(microsecond=0)
    devices: dict[str, PlannedDevice] = {}
    for host in hosts:
        platform = driver_for(nr.inventory.hosts[host])
        running, reason = fetched.get(host, (None, "not read"))
        device = PlannedDevice(
            platform=platform.name,
            running_sha256=None,
            intended_sha256=fingerprint(intended[host], platform),
            commands=[],
            error=redacted([reason], secrets, platform)[0] if running is None else "",
        )
        if running is not None:
            device.running_sha256 = fingerprint(running, platform)
            device.commands = redacted(
                remediation(
                    running,
                    intended[host],
                    platform,
                    proven=Fingerprints.load(settings.build_dir, host, platform, secrets),
                ),
                secrets,
                platform,
            )
        devices[host] = device
    ttl = control.plan_ttl_hours
    return Plan(
        id=now.strftime("plan-%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6],
        created_by=audit.who(),
        created_at=now,
        expires_at=now + timedelta(hours=ttl) if ttl else None,
        filters=list(filters),
        approvals_required=control.approvals,
        devices=devices,
    )


def write_plan(plan: Plan, path: Path) -> tuple[Path, Path]:
    """plan.json (stable key order, one command per line) and plan.md beside it."""
    text = json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    markdown = plan_markdown(plan)
    md_path = path.with_suffix(".md")
    return write_atomic(path, text.encode()), write_atomic(md_path, markdown.encode())


def load_plan(path: Path) -> Plan:
    """The plan in `path`; anything else is one line of bad input."""
    shown = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.one(
            shown, "plan", "not found", "give the plan.json that `plan` wrote"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.one(shown, "plan", f"not a JSON file ({exc})", "re-plan") from None
    if isinstance(data, dict) and data.get("version") not in (None, VERSION):
        raise InputError.one(
            shown,
            "version",
            f"plan format {data.get('version')!r} is not known to this communelan",
            f"re-plan with this version (format {VERSION})",
        )
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "plan"
        raise InputError.one(
            shown, where, f"{first['msg']} (not a valid plan)", "re-plan; never edit a plan"
        ) from None


def approve(path: Path, by: str) -> Plan:
    """Record `by`'s approval of the plan's current content inside the file."""
    plan = load_plan(path)
    if not by.strip():
        raise InputError.one("--by", repr(by), "an approver needs a name", "--by 'Nguyen Van A'")
    if plan.created_by == by:
        raise InputError.one(
            str(path), "--by", f"{by} made this plan", "a plan is approved by someone else"
        )
    now = datetime.now(UTC).replace(microsecond=0)
    plan.approvals = [a for a in plan.approvals if a.by != by]
    plan.approvals.append(Approval(by=by, at=now, digest=plan.digest))
    write_plan(plan, path)
    return plan


def check_ready(plan: Plan, path: Path, now: datetime | None = None) -> None:
    """Refuse (bad input, nothing sent) an expired or not yet approved plan."""
    now = now or datetime.now(UTC)
    if plan.expires_at is not None and now >= plan.expires_at:
        raise InputError.one(
            str(path),
            plan.id,
            f"expired at {plan.expires_at.isoformat()}",
            "re-plan (hosts/ change_control.plan_ttl_hours sets how long a plan lives)",
        )
    valid = plan.valid_approvals()
    if len(valid) < plan.approvals_required:
        stale = len(plan.approvals) - len(valid)
        note = f" ({stale} for other content: the plan was edited)" if stale else ""
        raise InputError.one(
            str(path),
            plan.id,
            f"needs {plan.approvals_required} approvals, has {len(valid)}{note}",
            "communelan approve PLAN --by NAME",
        )


def plan_markdown(plan: Plan) -> str:
    """The plan for a reviewer: summary, approvals and each device's commands."""
    lines = [
        f"# Change plan {plan.id}",
        "",
        f"- made by {plan.created_by} at {plan.created_at.isoformat()}",
        f"- expires: {plan.expires_at.isoformat() if plan.expires_at else 'never'}",
        f"- filters: {' '.join(plan.filters) or '(all devices)'}",
        f"- approvals: {len(plan.valid_approvals())} of {plan.approvals_required} required"
        + "".join(f"; {a.by} at {a.at.isoformat()}" for a in plan.valid_approvals()),
        f"- content sha256: {plan.digest}",
        "",
        "| device | commands | running sha256 | intended sha256 |",
        "| --- | --- | --- | --- |",
    ]
    for host, device in sorted(plan.devices.items()):
        running = (device.running_sha256 or "unreadable")[:12]
        count = "error" if device.error else str(len(device.commands))
        lines.append(f"| {host} | {count} | {running} | {device.intended_sha256[:12]} |")
    for host, device in sorted(plan.devices.items()):
        lines += ["", f"## {host}", ""]
        if device.error:
            lines.append(f"not read: {device.error} (apply will skip it)")
        elif not device.commands:
            lines.append("already as intended: nothing to send")
        else:
            lines += ["```", *device.commands, "```"]
    return "\n".join(lines) + "\n"
