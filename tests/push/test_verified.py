"""A no-op push that reads back a running config an earlier push verified (same intended
config, same rules) skips the remediation; anything else that differs is pushed as before.

Drift is made the way an operator makes it, over SSH with Netmiko's send_config_set.
"""

from __future__ import annotations

import json

from netmiko import ConnectHandler

from nornir_config.platforms import driver
from nornir_config.push import Outcome
from nornir_config.push.state import STATE_FILE, load_verified
from nornir_config.push.verified import RunningFingerprints
from nornir_config.secrets import load_secrets
from tests.conftest import write_intended
from tests.push.conftest import PushEnv

VERIFIED = "as an earlier push verified it"
PLATFORM = driver("cisco_ios")


def test_noop_skips_the_remediation_until_the_device_or_the_intended_differs(
    push_env: PushEnv,
) -> None:
    first = push_env.push()
    assert {r.outcome for r in first.reports.values()} == {Outcome.CHANGED}, first.reports
    noop = push_env.push()
    assert {r.outcome for r in noop.reports.values()} == {Outcome.UNCHANGED}
    assert all(VERIFIED in r.reason and not r.commands for r in noop.reports.values())
    # the fingerprints hold neither a secret nor the lab's password, nor a config line
    state = (push_env.root / "build" / STATE_FILE).read_text(encoding="utf-8")
    secrets = [v for v in load_secrets().values.values() if len(v) >= 4]
    for secret in [*secrets, push_env.lab.credentials.password]:
        assert secret not in state
    assert "snmp-server" not in state and "logging" not in state
    assert sorted(json.loads(state)["verified"]) == sorted(push_env.names)

    drifted, edited = push_env.names[0], push_env.names[1]
    with ConnectHandler(**push_env.lab.netmiko_params(drifted)) as conn:
        conn.send_config_set(["logging buffered 16000 informational"])
    text = push_env.intended[edited] + "ip domain lookup source-interface Vlan1\n"
    write_intended(push_env.root, {edited: text})
    push_env.intended[edited] = text
    after = push_env.push()
    for name in (drifted, edited):
        report = after.reports[name]
        assert report.outcome == Outcome.CHANGED, report
        assert report.commands and VERIFIED not in report.reason
        assert push_env.is_intended(name)
    for name in push_env.names[2:]:
        assert VERIFIED in after.reports[name].reason
    assert {r.outcome for r in push_env.push().reports.values()} == {Outcome.UNCHANGED}


def test_a_dry_run_keeps_the_fingerprints_and_a_failed_device_loses_its_own(
    push_env: PushEnv,
) -> None:
    push_env.push()
    dry = push_env.push(dry_run=True)
    assert all(VERIFIED in r.reason for r in dry.reports.values())
    victim = push_env.names[0]
    with ConnectHandler(**push_env.lab.netmiko_params(victim)) as conn:
        conn.send_config_set(["logging buffered 16000 informational"])
    push_env.lab.set_faults(victim, reject_commands=["^logging buffered 64000"])
    failed = push_env.push([f"host={victim}"]).reports[victim]
    assert failed.outcome == Outcome.ROLLED_BACK, failed
    _, verified = load_verified(push_env.root / "build")
    assert victim not in verified and set(verified) == set(push_env.names[1:])
    push_env.lab.clear_faults()
    again = push_env.push([f"host={victim}"]).reports[victim]
    assert again.outcome == Outcome.CHANGED and push_env.is_intended(victim), again


def test_a_fingerprint_changes_with_what_the_remediation_depends_on() -> None:
    running = "Building configuration...\n\nhostname R1\n!\nlogging buffered 8000\nend\n"
    intended = "hostname R1\nlogging buffered 8000\n"
    mine = RunningFingerprints.of_run({"snmp": "s3cret"}, "salt")
    base = mine.of(running, intended, PLATFORM, ())
    # a volatile line is not part of the config
    stamped = running.replace("\n\n", "\n! Last configuration change at 10:00:00 UTC\n\n", 1)
    assert mine.of(stamped, intended, PLATFORM, ()) == base
    assert mine.of(running.replace("8000", "16000"), intended, PLATFORM, ()) != base
    assert mine.of(running, intended + "ip domain name x\n", PLATFORM, ()) != base
    assert mine.of(running, intended, PLATFORM, ("^logging ",)) != base
    assert mine.of(running, intended, driver("huawei_vrp"), ()) != base
    assert (
        RunningFingerprints.of_run({"snmp": "other"}, "salt").of(running, intended, PLATFORM, ())
        != base
    )
    assert (
        RunningFingerprints.of_run({"snmp": "s3cret"}, "pepper").of(running, intended, PLATFORM, ())
        != base
    )
