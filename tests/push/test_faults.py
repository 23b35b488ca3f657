"""Rollouts under injected lab faults stop where they should and resume with --retry-failed.
Each fault's end state on one device, per driver, is `tests/push/test_drivers.py`."""

from __future__ import annotations

from pathlib import Path

from nornir_config.push import Outcome
from tests.push.conftest import PushEnv


def test_canary_stops_and_retry_failed_finishes(push_env: PushEnv) -> None:
    first, *others = push_env.names
    push_env.lab.set_faults(first, reject_commands=["^logging buffered"])
    run = push_env.push(canary=1)
    assert run.reports[first].outcome == Outcome.ROLLED_BACK
    assert {run.reports[n].outcome for n in others} == {Outcome.SKIPPED}
    assert run.stopped and not run.ok
    assert all(push_env.is_before(n) for n in push_env.names)

    push_env.lab.clear_faults()
    retry = push_env.push(retry_failed=True)
    assert sorted(retry.reports) == sorted(push_env.names)
    assert {r.outcome for r in retry.reports.values()} == {Outcome.CHANGED}
    again = push_env.push(retry_failed=True)
    assert again.reports == {}  # nothing left to do


def test_limit_holds_the_rest_for_retry_failed(push_env: PushEnv) -> None:
    """The rollout playbook's canary step: change the first devices only, the rest next."""
    first, *others = push_env.names
    run = push_env.push(first=1)
    assert run.ok and run.reports[first].outcome == Outcome.CHANGED
    assert {run.reports[n].outcome for n in others} == {Outcome.SKIPPED}
    assert all(push_env.is_before(n) for n in others)
    rest = push_env.push(retry_failed=True)
    assert sorted(rest.reports) == sorted(others)
    assert {r.outcome for r in rest.reports.values()} == {Outcome.CHANGED}


def test_max_failures_stops_rollout(push_env: PushEnv) -> None:
    # farthest from the NOC first: the access switches (sw02, sw03), then the core, the router
    order = [*push_env.names[2:], *push_env.names[1::-1]]
    push_env.lab.set_faults(order[0], refuse_connections=True)
    push_env.lab.set_faults(order[1], refuse_connections=True)
    run = push_env.push(max_failures=1, workers=1)
    outcomes = [run.reports[n].outcome for n in order]
    assert outcomes[0] == Outcome.UNREACHABLE
    assert outcomes[1:] == [Outcome.SKIPPED] * (len(order) - 1)
    push_env.lab.clear_faults()
    assert all(push_env.is_before(n) for n in push_env.names)


def _rewrite_known_hosts(path: Path, victim_key_name: str, replacement: str | None) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [line for line in lines if not line.startswith(victim_key_name + " ")]
    if replacement is not None:
        out.append(f"{victim_key_name} {replacement}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_host_keys_unknown_and_changed(push_env: PushEnv) -> None:
    changed, unknown = push_env.names[0], push_env.names[1]
    known_hosts = push_env.lab.lab_dir / "known_hosts"
    e = push_env.lab.endpoints
    # another device's real key, as known_hosts pinned it at boot
    unknown_name = f"[{e[unknown].host}]:{e[unknown].port}"
    other = next(
        line.split(" ", 1)[1]
        for line in known_hosts.read_text(encoding="utf-8").splitlines()
        if line.startswith(unknown_name + " ")
    )
    assert other.startswith("ssh-ed25519 ")
    _rewrite_known_hosts(known_hosts, f"[{e[changed].host}]:{e[changed].port}", other)
    _rewrite_known_hosts(known_hosts, unknown_name, None)
    filters = [f"host={changed},{unknown}"]

    run = push_env.push(filters)
    assert run.reports[changed].outcome == Outcome.UNREACHABLE
    assert "changed" in run.reports[changed].reason
    assert run.reports[unknown].outcome == Outcome.UNREACHABLE
    assert "unknown host key" in run.reports[unknown].reason

    accepted = push_env.push(filters, accept_new_host_keys=True)
    assert accepted.reports[changed].outcome == Outcome.UNREACHABLE  # never accepted
    assert accepted.reports[unknown].outcome == Outcome.CHANGED
    assert push_env.is_before(changed)
