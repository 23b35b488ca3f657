"""plan -> review -> apply against lab devices over SSH (real Netmiko through Nornir)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from nornir_config import audit
from nornir_config.change.apply import apply_plan
from nornir_config.change.plan import (
    SCHEMA_FILE,
    approve,
    load_plan,
    make_plan,
    schema,
    write_plan,
)
from nornir_config.change.timeline import device_timeline
from nornir_config.compliance.run import run_compliance
from nornir_config.compliance.secrets import tokens
from nornir_config.connection import prepare_connections
from nornir_config.errors import InputError
from nornir_config.platforms import driver
from nornir_config.push.state import Outcome
from tests.change.conftest import CODE, PushEnv, out_of_band
from tests.conftest import TEST_SECRETS


def _plan(env: PushEnv, tmp_path: Path) -> Path:
    project = env.project()
    path = tmp_path / "plan.json"
    write_plan(make_plan(project, [f"code={CODE}"]), path)
    return path


def test_schema_file_is_the_model() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == schema()


def test_plan_then_out_of_band_change_then_apply(push_env: PushEnv, tmp_path: Path) -> None:
    path = _plan(push_env, tmp_path)
    text = path.read_text() + path.with_suffix(".md").read_text()
    for secret in TEST_SECRETS.values():
        assert secret not in text  # the SNMP community is a secret: <removed> in the plan
    data = json.loads(path.read_text())
    plan_schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.validate(data, plan_schema)
    broken = json.loads(json.dumps(data))
    next(iter(broken["devices"].values()))["running_sha256"] = "not-a-hash"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, plan_schema)
    assert set(data["devices"]) == set(push_env.names)
    for host, device in data["devices"].items():
        assert "logging buffered 64000 informational" in device["commands"], host
        assert "snmp-server community <removed> RO" in device["commands"], host
    # The planned running fingerprint is the sha256 of what a backup stores.
    rt = next(n for n in push_env.names if n.endswith("rt01"))
    sw = [n for n in push_env.names if n != rt]

    out_of_band(push_env.lab, rt, ["ip domain name changed-on-site.example"])
    changed_by_hand = push_env.running(rt)
    plan = load_plan(path)
    done = apply_plan(push_env.project([f"host={','.join(plan.devices)}"]), plan, path)

    assert done.reports[rt].outcome == Outcome.FAILED
    assert "stale: re-plan" in done.reports[rt].reason
    assert push_env.running(rt) == changed_by_hand  # untouched
    for host in sw:
        assert done.reports[host].outcome == Outcome.CHANGED, done.reports[host]
        assert push_env.is_intended(host)
    project = push_env.project([f"host={','.join(sw)}"])
    prepare_connections(project.nr, project.settings)
    report = run_compliance(
        project.nr,
        project.province,
        project.secrets(),
        project.settings.templates_dir,
        intended_dir=push_env.root / "build" / "intended",
    )
    assert {d.host: d.status for d in report.devices} == dict.fromkeys(sw, "compliant")
    entries = [e for e in audit.read(push_env.root / "build" / "audit.jsonl") if e.get("plan")]
    assert {e["device"]: e["result"] for e in entries} == {
        rt: "failed",
        **dict.fromkeys(sw, "changed"),
    }
    assert {e["plan"] for e in entries} == {plan.id}
    line = device_timeline(push_env.root / "build", [sw[0]])[sw[0]]
    assert [(e.kind, e.plan) for e in line] == [("push", ""), ("apply", plan.id)]


def test_approvals_required_and_missing_then_given(
    push_env: PushEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMUNELAN_OPERATOR", "planner")
    path = _plan(push_env, tmp_path)
    data = json.loads(path.read_text())
    data["approvals_required"] = 1  # as hosts/ change_control: {approvals: 1} would set
    path.write_text(json.dumps(data))
    plan = load_plan(path)
    with pytest.raises(InputError, match=r"needs 1 approvals, has 0"):
        apply_plan(push_env.project(), plan, path)
    assert all(push_env.is_before(n) for n in push_env.names)  # nothing sent

    with pytest.raises(InputError, match="made this plan"):
        approve(path, "planner")
    approve(path, "reviewer")
    approved = load_plan(path)
    assert [a.by for a in approved.valid_approvals()] == ["reviewer"]
    # An approval vouches for the content: an edited plan loses it.
    data = json.loads(path.read_text())
    first = sorted(data["devices"])[0]
    data["devices"][first]["commands"].append("no logging console")
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"has 0 \(1 for other content"):
        apply_plan(push_env.project(), load_plan(path), path)
    assert all(push_env.is_before(n) for n in push_env.names)


def test_bad_and_expired_plans_are_one_line(tmp_path: Path, push_env: PushEnv) -> None:
    path = _plan(push_env, tmp_path)
    data = json.loads(path.read_text())
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match=r"bad.json: plan: not a JSON file"):
        load_plan(bad)
    bad.write_text(json.dumps({**data, "version": 7}))
    with pytest.raises(InputError, match=r"plan format 7 is not known"):
        load_plan(bad)
    bad.write_text(json.dumps({k: v for k, v in data.items() if k != "devices"}))
    with pytest.raises(InputError, match=r"bad.json: devices: Field required"):
        load_plan(bad)
    bad.write_text(json.dumps({**data, "expires_at": "2000-01-01T00:00:00Z"}))
    with pytest.raises(InputError, match=r"expired at 2000-01-01"):
        apply_plan(push_env.project(), load_plan(bad), bad)
    assert all(push_env.is_before(n) for n in push_env.names)


def test_a_full_plan_holds_no_secret_token(push_env: PushEnv, tmp_path: Path) -> None:
    """From day 0 to the rendered config: users, enable, NTP, SNMP and TACACS+ lines are
    planned, each with its hash or key <removed>."""
    push_env.use_rendered()
    rt = next(n for n in push_env.names if n.endswith("rt01"))
    plan = make_plan(push_env.project([f"host={rt}"]), [f"host={rt}"])
    commands = plan.devices[rt].commands
    found = [t for line in commands for t in tokens(line, driver("cisco_ios"))[1]]
    assert len(found) >= 5
    assert {token for _, token in found} == {"<removed>"}
    assert any(c.strip() == "key 7 <removed>" for c in commands), commands


def test_the_push_guard_refuses_a_device_untouched(push_env: PushEnv) -> None:
    """PushOptions.guard runs in the session that would change the device."""
    seen: list[str] = []

    def guard(host: str, running: str) -> None:
        seen.append(host)
        raise OSError("stale: re-plan (changed under us)")

    run = push_env.push(guard=guard)
    assert sorted(seen) == sorted(push_env.names)
    assert {r.outcome for r in run.reports.values()} == {Outcome.FAILED}
    assert all(r.reason.endswith("stale: re-plan (changed under us)") for r in run.reports.values())
    assert all(push_env.is_before(n) for n in push_env.names)
