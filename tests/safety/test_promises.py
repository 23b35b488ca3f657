"""The four promises of every push, each with a test that fails when its code is broken:
the device is backed up first; a residual diff after the push is caught; a replace that fails
mid-way is really undone; a replace is confirmed, so the device's revert timer never fires.

Lab faults let the product's own safety code run: `ignore_commands` (accepted, silently not
applied), `fail_replace_partial` (a configure replace that stops half-way and does not restore
itself), and the device's real revert timer with a lab clock moved forward instead of waiting.
End states are read with our own Netmiko session, never through the product's diff.
"""

from __future__ import annotations

import re

import pytest
from netmiko import ConnectHandler

from nornir_config.connection import TIMEOUTS
from nornir_config.project import open_project
from nornir_config.push import Outcome, PushOptions, PushRun, run_push
from nornir_config.settings import RunSettings, set_run_settings
from tests.conftest import TEST_SECRETS
from tests.safety.conftest import SafetyLab, body, paths


def _push(lab: SafetyLab, host: str, method: str) -> PushRun:
    set_run_settings(RunSettings(root=lab.root, lab=True))
    return run_push(open_project([lab.codes, f"host={host}"]), PushOptions(method=method))


def _first(lab: SafetyLab, name: str, prefix: str) -> str:
    return next(x for x in lab.intended_lines(name) if x.startswith(prefix))


@pytest.mark.parametrize("method", ["merge", "replace"])
def test_backed_up_before_the_change(small_lab: SafetyLab, method: str) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[1]
    before = small_lab.reset(victim, "brownfield")
    # a verified push deletes the device's copy (it holds the secrets' hashes): the device
    # refuses that delete here, so the copy it took before the change can be read back
    with small_lab.lab.faults(victim, reject_commands=[r"^delete /force flash:communelan-before"]):
        run = _push(small_lab, victim, method)
    assert run.reports[victim].outcome == Outcome.CHANGED, run.reports[victim]
    assert "could not delete flash:communelan-before.cfg" in run.reports[victim].reason
    saved = small_lab.root / "build" / "push" / run.run_id / "before" / f"{victim}.cfg"
    stored = body(saved.read_text(encoding="utf-8"))
    # the local copy is the pre-change config, its secrets removed
    plain = [x for x in before if "community" not in x and " secret " not in x]
    assert [x for x in stored if "<removed>" not in x and "<secret:" not in x] == plain
    # and the device kept its own full copy, secrets included, before the change
    with ConnectHandler(**small_lab.lab.netmiko_params(victim)) as conn:
        conn.enable()
        copy = conn.send_command("more flash:communelan-before.cfg")
    assert paths(body(str(copy))) == paths(before)


@pytest.mark.parametrize("method", ["merge", "replace"])
def test_silently_ignored_command_is_caught_and_undone(
    small_lab: SafetyLab, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[0]
    before = small_lab.reset(victim, "drift")
    dropped = _first(small_lab, victim, "logging host")  # drift removed it: the push sends it
    assert dropped not in before
    with small_lab.lab.faults(victim, ignore_commands=[f"^{re.escape(dropped)}$"]):
        run = _push(small_lab, victim, method)
    report = run.reports[victim]
    assert report.outcome == Outcome.ROLLED_BACK, report
    # caught by the check right after the change (a replace's second check, once its session
    # closed, is for what NAPALM's cleanup changes)
    first = {"merge": "residual diff after push (", "replace": "residual diff after replace ("}
    assert report.reason.startswith(first[method]), report.reason
    state, running, startup = small_lab.state(victim, before)
    assert state == "before" and paths(startup) == paths(running)
    # the drift start has `archive`: the change ran under the device's revert timer, which
    # the rollback stops (left running, it would later revert an engineer's next change)
    assert small_lab.lab.call(lambda: small_lab.lab.device(victim).pending) is None


def test_failed_merge_on_a_factory_device_is_undone_exactly(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A factory device prints default lines no remediation can negate: only the device's own
    restore of its pre-change copy puts it back exactly. The report says what was sent and
    why it failed, secrets removed."""
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[0]  # the router: `no negotiation auto` on every port once touched
    before = small_lab.reset(victim, "factory")
    refused = _first(small_lab, victim, "logging host")
    with small_lab.lab.faults(victim, reject_commands=[f"^{re.escape(refused)}$"]):
        run = _push(small_lab, victim, "merge")
    report = run.reports[victim]
    assert (report.outcome, report.method) == (Outcome.ROLLED_BACK, "merge"), report
    assert report.reason.startswith("sending commands: ") and refused in report.reason
    assert refused in report.commands and len(report.commands) > 20
    assert report.diff.startswith("--- running\n+++ intended\n")
    shown = "\n".join([report.reason, report.diff, *report.commands])
    assert not any(secret in shown for secret in TEST_SECRETS.values())
    state, running, startup = small_lab.state(victim, before)
    assert state == "before", [x for x in running if x not in before][:5]
    assert paths(startup) == paths(running)


def test_replace_failing_half_way_is_undone(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[2]
    before = small_lab.reset(victim, "brownfield")
    with small_lab.lab.faults(victim, fail_replace_partial=1):
        run = _push(small_lab, victim, "replace")
    report = run.reports[victim]
    assert report.outcome == Outcome.ROLLED_BACK, report
    state, running, startup = small_lab.state(victim, before)
    assert state == "before", [x for x in running if x not in before][:5]
    assert paths(startup) == paths(running)


def _changed_then_replaced_back(lab: SafetyLab, victim: str, **faults: object) -> str:
    """By hand under `faults`: save the running config to flash, add a logging host, then
    `configure replace` the saved file; the device's answer."""
    with (
        lab.lab.faults(victim, **faults),
        ConnectHandler(**lab.lab.netmiko_params(victim)) as conn,
    ):
        conn.enable()
        conn.send_command("copy running-config flash:mine.cfg", expect_string=r"\]\?")
        conn.send_command("\n", expect_string=r"#")
        conn.send_config_set(["logging host 203.0.113.7"], cmd_verify=True)
        return str(conn.send_command("configure replace flash:mine.cfg force", read_timeout=10))


def test_fail_replace_partial_really_leaves_the_device_between(small_lab: SafetyLab) -> None:
    """Pins the lab behaviour the test above relies on: the device does not restore itself."""
    victim = small_lab.names[2]
    before = small_lab.reset(victim, "factory")
    out = _changed_then_replaced_back(small_lab, victim, fail_replace_partial=1)
    assert "Rollback Failed" in str(out) and "restored" not in str(out)
    state, running, _ = small_lab.state(victim, before)
    assert state == "between" and "logging host 203.0.113.7" in running


def test_replace_is_confirmed_before_the_timer_expires(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")  # runs `archive`: NAPALM sets a revert timer
    run = _push(small_lab, victim, "replace")
    assert run.reports[victim].outcome == Outcome.CHANGED, run.reports[victim]
    assert small_lab.state(victim, before)[0] == "intended"
    small_lab.lab.call(lambda: small_lab.lab.device(victim).advance_clock(30 * 60))
    state, running, startup = small_lab.state(victim, before)
    assert state == "intended" and paths(startup) == paths(running)


def test_unconfirmed_timer_really_reverts(small_lab: SafetyLab) -> None:
    """Pins the lab behaviour the test above relies on: an unconfirmed commit reverts when
    the lab clock passes its timer (Cisco: `configure terminal revert timer`)."""
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    with ConnectHandler(**small_lab.lab.netmiko_params(victim)) as conn:
        conn.enable()
        out = conn.send_config_set(
            ["logging host 203.0.113.8"], config_mode_command="configure terminal revert timer 5"
        )
    assert "logging host 203.0.113.8" in small_lab.read(victim)[0], out
    small_lab.lab.call(lambda: small_lab.lab.device(victim).advance_clock(4 * 60))
    assert "logging host 203.0.113.8" in small_lab.read(victim)[0]
    small_lab.lab.call(lambda: small_lab.lab.device(victim).advance_clock(2 * 60))
    assert small_lab.state(victim, before)[0] == "before"


def test_drop_after_replace_really_applies_then_cuts_the_session(small_lab: SafetyLab) -> None:
    """Pins the `drop_after_replace` fault the drivers' `replace-cut` case relies on: the
    device applies the whole file, then the client gets no answer, only a closed session."""
    victim = small_lab.names[2]
    before = small_lab.reset(victim, "factory")
    with pytest.raises(Exception, match=r"(?i)closed|socket|timeout"):
        _changed_then_replaced_back(small_lab, victim, drop_after_replace=1)
    state, running, _ = small_lab.state(victim, before)
    assert state == "before" and "logging host 203.0.113.7" not in running
