"""The commands as a user runs them: `communelan --lab plan / approve / apply / watch`, with
hosts/ defaults asking for one approval and a 24-hour plan lifetime."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

from tests.change.conftest import CODE, PushEnv
from tests.conftest import province_root


def _cli(env: PushEnv, *args: str, operator: str = "planner") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "nornir_config", "--root", str(env.root), "--lab", *args]
    environ = {**os.environ, "COMMUNELAN_OPERATOR": operator, "COLUMNS": "250"}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=environ)


def test_plan_approve_apply_from_the_command_line(push_env: PushEnv) -> None:
    hosts = push_env.root / "hosts"
    hosts.unlink()
    shutil.copytree(province_root() / "hosts", hosts)
    with (hosts / "defaults.yaml").open("a", encoding="utf-8") as defaults:
        defaults.write("\nchange_control:\n  approvals: 1\n  plan_ttl_hours: 24\n")
    plan = push_env.root / "plan.json"

    made = _cli(push_env, "plan", "--filter", f"code={CODE}", "--out", str(plan))
    assert made.returncode == 0, made.stderr
    data = json.loads(plan.read_text())
    assert data["approvals_required"] == 1 and data["created_by"] == "planner"
    lifetime = datetime.fromisoformat(data["expires_at"]) - datetime.fromisoformat(
        data["created_at"]
    )
    assert lifetime == timedelta(hours=24)
    assert f"# Change plan {data['id']}" in plan.with_suffix(".md").read_text()

    refused = _cli(push_env, "apply", str(plan))
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"error: {plan}: {data['id']}: needs 1 approvals, has 0; "
        "fix: communelan approve PLAN --by NAME"
    ]
    assert all(push_env.is_before(n) for n in push_env.names)

    approved = _cli(push_env, "approve", str(plan), "--by", "reviewer", operator="reviewer")
    assert approved.returncode == 0, approved.stderr
    applied = _cli(push_env, "apply", str(plan))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert all(push_env.is_intended(n) for n in push_env.names)
    again = _cli(push_env, "apply", str(plan))  # every device has changed since the plan
    assert again.returncode == 1
    assert again.stdout.count("stale: re-plan") == len(push_env.names)

    shown = _cli(push_env, "timeline", "--filter", f"code={CODE}", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    stale = f"failed (stale: re-plan (the running config changed since plan {data['id']}))"
    for host, entries in json.loads(shown.stdout).items():
        applies = [e["what"] for e in entries if e["kind"] == "apply" and e["plan"] == data["id"]]
        assert applies == ["changed", stale], host

    plan.write_text("{}")
    broken = _cli(push_env, "apply", str(plan))
    assert broken.returncode == 2 and len(broken.stderr.strip().splitlines()) == 1
    assert "not a valid plan" in broken.stderr


def test_watch_without_a_channel_is_bad_input(push_env: PushEnv) -> None:
    result = _cli(push_env, "watch", "--rounds", "1", "--filter", f"code={CODE}")
    assert result.returncode == 2
    assert "no notification channel" in result.stderr
    assert not (push_env.root / "build" / "watch").exists()
