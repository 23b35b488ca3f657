"""Push against lab devices with the real Netmiko/NAPALM clients."""

from __future__ import annotations

import json

from nornir_config.push import Outcome
from nornir_config.secrets import load_secrets
from tests.push.conftest import PushEnv


def _secret_values() -> list[str]:
    return [v for v in load_secrets().values.values() if len(v) >= 4]


def test_merge_dry_run_then_push_then_noop(push_env: PushEnv) -> None:
    before = {n: push_env.running(n) for n in push_env.names}
    dry = push_env.push(dry_run=True)
    assert {r.outcome for r in dry.reports.values()} == {Outcome.WOULD_CHANGE}
    assert all(r.commands for r in dry.reports.values())
    assert {n: push_env.running(n) for n in push_env.names} == before  # byte-identical

    first = push_env.push()
    assert {r.outcome for r in first.reports.values()} == {Outcome.CHANGED}, first.reports
    assert all(push_env.is_intended(n) for n in push_env.names)
    second = push_env.push()
    assert {r.outcome for r in second.reports.values()} == {Outcome.UNCHANGED}
    assert all(r.commands == [] for r in second.reports.values())

    audit = (push_env.root / "build" / "audit.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in audit.splitlines()]
    assert [r["result"] for r in records].count("changed") == len(push_env.names)
    stored = audit + "".join(
        p.read_text() for p in (push_env.root / "build" / "push").rglob("*.cfg")
    )
    for secret in [*_secret_values(), push_env.lab.credentials.password]:
        assert secret not in stored
    assert "snmp-server community <removed>" in audit


def test_replace_then_noop(push_env: PushEnv) -> None:
    push_env.use_rendered()  # the full rendered configs, from day 0
    first = push_env.push(method="replace")
    assert {r.outcome for r in first.reports.values()} == {Outcome.CHANGED}, first.reports
    assert all(push_env.is_intended(n) for n in push_env.names)
    second = push_env.push(method="replace")
    assert {r.outcome for r in second.reports.values()} == {Outcome.UNCHANGED}
