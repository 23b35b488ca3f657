"""A merge's early exits and its revert-timer ending against the small lab, in this process
(fast enough for every mutant of `bench/mutation.py --group push-lab`): a dry run, a device
it cannot reach, one that cannot save its pre-change copy, one that refuses to restore it
(with and without the revert timer) are left as they were and said so; a change under the
timer is confirmed and saved, so the lab clock moved past the timer changes nothing. End
states are read over SSH with our own Netmiko session, never through the product's diff."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from netmiko import ConnectHandler
from nornir.core.task import Task

from nornir_config.connection import TIMEOUTS, open_netmiko
from nornir_config.platforms import driver
from nornir_config.project import open_project
from nornir_config.push import Outcome, PushOptions, PushRun, run_push
from nornir_config.push.journal import entries
from nornir_config.push.merge import merge_push
from nornir_config.push.rollback import save_device_copy
from nornir_config.push.state import DeviceReport
from nornir_config.settings import RunSettings, set_run_settings
from tests.conftest import TEST_SECRETS
from tests.safety.conftest import SafetyLab, paths
from tests.safety.tasks import on_device

COPY = "communelan-before.cfg"
DELIVERY = "communelan-merge.cfg"  # the change's file (cisco_ios push.yaml)


CISCO = driver("cisco_ios")


def _same(text: str) -> str:
    return text


def _push(
    lab: SafetyLab, host: str, faults: dict[str, object] | None = None, **options: object
) -> PushRun:
    set_run_settings(RunSettings(root=lab.root, lab=True))
    if faults:
        lab.lab.set_faults(host, **faults)
    try:
        return run_push(open_project([lab.codes, f"host={host}"]), PushOptions(**options))  # type: ignore[arg-type]
    finally:
        lab.lab.clear_faults()


def _reset(lab: SafetyLab, name: str, start: str) -> list[str]:
    """The device reset to `start`, with no pre-change copy an earlier test left on flash."""
    lines = lab.reset(name, start)
    with ConnectHandler(**lab.lab.netmiko_params(name)) as conn:
        conn.enable()
        conn.send_command(f"delete /force flash:{COPY}")
    assert COPY not in lab.look(name)[2]
    return lines


def _untouched(lab: SafetyLab, name: str, before: list[str], run: PushRun) -> None:
    """As before (running and startup), no copy on flash, no timer running, not journaled."""
    running, startup, flash = lab.look(name)
    assert paths(running) == paths(before) and paths(startup) == paths(before)
    assert COPY not in flash
    assert lab.lab.call(lambda: lab.lab.device(name).pending) is None
    assert entries(lab.root / "build") == {}
    report = run.reports[name]
    shown = "\n".join([report.reason, report.diff, *report.commands])
    assert not any(secret in shown for secret in TEST_SECRETS.values())


def _pending(lab: SafetyLab, name: str) -> object:
    return lab.lab.call(lambda: lab.lab.device(name).pending)


def test_a_dry_run_says_what_it_would_send_and_sends_nothing(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[1]
    before = _reset(small_lab, victim, "brownfield")
    run = _push(small_lab, victim, dry_run=True)
    report = run.reports[victim]
    assert (report.outcome, report.method, report.reason) == (Outcome.WOULD_CHANGE, "merge", "")
    assert report.diff.startswith("--- running\n+++ intended\n")
    # the brownfield's hand-made lines are taken out (tests/safety/conftest.py BROWNFIELD)
    assert "no logging host 192.0.2.50" in report.commands, report.commands
    _untouched(small_lab, victim, before, run)
    assert not (small_lab.root / "build" / "push" / run.run_id / "before").exists()


def test_a_device_it_cannot_reach_is_left_alone(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[2]
    before = _reset(small_lab, victim, "brownfield")
    run = _push(small_lab, victim, {"refuse_connections": True})
    report = run.reports[victim]
    assert report.outcome == Outcome.UNREACHABLE and report.commands == []
    assert report.reason == "NetmikoTimeoutException: TCP connection to device failed"
    _untouched(small_lab, victim, before, run)


def test_a_device_that_cannot_save_its_copy_is_not_changed(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[2]
    before = _reset(small_lab, victim, "brownfield")
    run = _push(small_lab, victim, {"flash_full": True})
    report = run.reports[victim]
    assert report.outcome == Outcome.FAILED, report
    assert report.reason.startswith(
        "pre-change backup failed: the device could not save its pre-change copy"
    ), report.reason
    assert report.commands  # what it would have sent, for the operator
    _untouched(small_lab, victim, before, run)


@pytest.mark.parametrize("start", ["brownfield", "drift"])  # drift has `archive`: a timer
def test_a_device_refusing_to_restore_its_copy_is_not_changed(
    small_lab: SafetyLab, start: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[3]
    before = _reset(small_lab, victim, start)
    run = _push(small_lab, victim, {"reject_commands": [r"^configure replace "]})
    report = run.reports[victim]
    assert report.outcome == Outcome.FAILED, report
    assert (
        "the device cannot restore its own pre-change copy (OSError: configure replace "
        "failed: " in report.reason
    ), report.reason
    assert report.reason.endswith(
        "so a failed change could not be undone exactly; nothing changed"
    ), report.reason
    # as before, running and startup, and neither its own copy nor the change's file on flash
    running, startup, flash = small_lab.look(victim)
    assert paths(running) == paths(before) and paths(startup) == paths(before)
    assert DELIVERY not in flash and COPY not in flash, flash
    assert _pending(small_lab, victim) is None  # a timer started in the same write: stopped
    assert entries(small_lab.root / "build") == {}


def test_a_change_under_the_timer_is_confirmed_and_saved(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[0]
    before = _reset(small_lab, victim, "drift")
    run = _push(small_lab, victim)
    report = run.reports[victim]
    assert report.outcome == Outcome.CHANGED, report
    assert report.reason == "" and report.verified and report.commands
    state, running, startup = small_lab.state(victim, before)
    assert state == "intended" and paths(startup) == paths(running)
    assert _pending(small_lab, victim) is None
    small_lab.lab.call(lambda: small_lab.lab.device(victim).advance_clock(30 * 60))
    assert small_lab.state(victim, before)[0] == "intended"
    assert COPY not in small_lab.look(victim)[2] and entries(small_lab.root / "build") == {}
    # the same push again finds the running config it verified: nothing is sent
    again = _push(small_lab, victim).reports[victim]
    assert again.outcome == Outcome.UNCHANGED and again.commands == []
    assert again.reason == "running config as an earlier push verified it; nothing sent"


def test_a_change_the_device_will_not_confirm_is_taken_back(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[0]
    before = _reset(small_lab, victim, "drift")
    run = _push(small_lab, victim, {"reject_commands": [r"^configure confirm"]})
    report = run.reports[victim]
    # kept unconfirmed, its timer would undo it in 5 minutes behind a "changed"
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason.startswith("confirming, saving and re-reading the running config: ")
    assert "Invalid input" in report.reason.split("; ")[0], report.reason  # its own refusal
    # the device refuses every `configure confirm`, so its timer still runs (it returns the
    # device to the config the push already restored): the report says what it would undo
    assert (
        "; its revert timer could not be stopped (OSError: the device refused to confirm the "
        "change: " in report.reason
    ), report.reason
    assert report.reason.endswith("within 5 min it would undo any change made after this one")
    small_lab.lab.call(lambda: small_lab.lab.device(victim).advance_clock(30 * 60))
    state, running, startup = small_lab.state(victim, before)
    assert state == "before" and paths(startup) == paths(running), report


def test_a_change_without_a_timer_is_saved_and_leaves_no_file(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[1]
    before = _reset(small_lab, victim, "brownfield")  # no `archive`: no revert timer
    run = _push(small_lab, victim)
    report = run.reports[victim]
    assert report.outcome == Outcome.CHANGED and report.reason == "", report
    state, running, startup = small_lab.state(victim, before)
    assert state == "intended" and paths(startup) == paths(running)
    flash = small_lab.look(victim)[2]
    assert COPY not in flash and DELIVERY not in flash


def _merged(
    lab: SafetyLab,
    name: str,
    redact: Callable[[str], str],
    after_change: Callable[[str], str | None],
    backed_up: list[str] | None = None,
    then: Callable[[], object] | None = None,
    faults: dict[str, object] | None = None,
) -> DeviceReport:
    """`merge_push` of the device's intended config in this process, its pre-change copy
    saved as `push` saves it (the run's local backup and journal left out); `then`: what
    befalls the device once its copy is saved (its session already open). `faults` are set
    first; every fault, these or those the hooks set, is cleared at the end."""

    def push(task: Task) -> DeviceReport:
        def before_change(host: str, _running: str) -> None:
            if backed_up is not None:
                backed_up.append(host)
            save_device_copy(task.host, open_netmiko(task.host, task.nornir.config), CISCO)
            if then is not None:
                then()

        intended = lab.intended[name]
        result = merge_push(task, intended, False, redact, before_change, after_change)
        assert isinstance(result.result, DeviceReport)
        return result.result

    if faults:
        lab.lab.set_faults(name, **faults)
    try:
        return on_device(lab, name, push)
    finally:
        lab.lab.clear_faults()


@pytest.mark.parametrize("start", ["brownfield", "drift"])
@pytest.mark.parametrize("answers_again", [True, False])
def test_a_change_that_loses_access_is_rolled_back_on_the_open_session(
    small_lab: SafetyLab, start: str, answers_again: bool
) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[2]
    before = _reset(small_lab, victim, start)
    checked: list[str] = []
    backed_up: list[str] = []

    def after_change(host: str) -> str | None:  # the change locks new logins out
        checked.append(host)
        if answers_again and len(checked) > 1:
            small_lab.lab.clear_faults()
            return None
        small_lab.lab.set_faults(victim, refuse_connections=True)
        return "a fresh login failed: test"

    report = _merged(small_lab, victim, _same, after_change, backed_up)
    assert checked == [victim, victim] and backed_up == [victim], report
    head = "lost management access after the change: a fresh login failed: test; rolled back"
    if answers_again:
        assert report.outcome == Outcome.ROLLED_BACK, report
        assert report.reason == f"{head}, and it answers again", report.reason
    else:
        assert report.outcome == Outcome.NEEDS_ATTENTION, report
        assert report.reason == f"{head}, but still: a fresh login failed: test", report.reason
    running, startup, flash = small_lab.look(victim)
    assert paths(running) == paths(before) and paths(startup) == paths(before)
    assert _pending(small_lab, victim) is None  # under a timer: stopped once rolled back
    assert DELIVERY not in flash  # the pre-change copy is the run's to delete (`settled`)


def _masked(text: str) -> str:
    return re.sub(r"(ntp authentication-key 1 md5) \S+", r"\1 <r>", text)


@pytest.mark.parametrize("start", ["brownfield", "drift"])
def test_a_rollback_the_device_refuses_is_reported_redacted(
    small_lab: SafetyLab, start: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[1]
    _reset(small_lab, victim, start)
    # the change lost access; then the device refuses both ways back: the restore of its
    # copy and the negation of the line the change added (with its key, in brownfield)
    refused = r"^no (ntp authentication-key|ntp server|logging host) "

    def after_change(_host: str) -> str:
        small_lab.lab.set_faults(victim, reject_commands=[r"^configure replace ", refused])
        return "a fresh login failed: test"

    report = _merged(small_lab, victim, _masked, after_change)
    assert report.outcome == Outcome.NEEDS_ATTENTION, report
    assert report.reason.startswith(
        "lost management access after the change: a fresh login failed: test; OSError: "
        "configure replace failed: "
    ), report.reason
    assert "; rollback failed: ConfigInvalidException: invalid input at 'no " in report.reason
    assert report.now.startswith("--- before push\n+++ running now\n"), report.now
    shown = "\n".join([report.reason, report.now, report.diff, *report.commands])
    assert not any(secret in shown for secret in TEST_SECRETS.values())
    if start == "brownfield":  # the key's device form is masked wherever the report quotes it
        key_lines = [line for line in shown.splitlines() if "ntp authentication-key" in line]
        assert key_lines and all("md5 <r> 7" in line for line in key_lines), key_lines
        assert "'no ntp authentication-key 1 md5 <r> 7'" in report.reason
    else:  # not put back: its timer is left to run, the device's own way back
        assert _pending(small_lab, victim) is not None
    small_lab.reset(victim, "brownfield")  # its timer (drift) stopped, for the next test


@pytest.mark.parametrize("start", ["brownfield", "drift"])
def test_the_change_is_saved_only_once_its_timer_is_confirmed(
    small_lab: SafetyLab, start: str
) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[0]
    before = _reset(small_lab, victim, start)
    startup_at_check: list[list[str]] = []

    def after_change(_host: str) -> None:  # the access check: what the device has saved now
        startup_at_check.append(small_lab.read(victim)[1])

    report = _merged(small_lab, victim, _same, after_change)
    assert report.outcome == Outcome.CHANGED, report
    intended = small_lab.intended_lines(victim)
    # under the revert timer nothing is saved before the confirmation (a device that reverts
    # by itself is back to its startup config too); without one the delivery saves
    saved_first = paths(before) if start == "drift" else paths(intended)
    assert [paths(s) for s in startup_at_check] == [saved_first]
    state, running, startup = small_lab.state(victim, before)
    assert state == "intended" and paths(startup) == paths(running)
    assert _pending(small_lab, victim) is None


def test_a_dry_run_names_the_removals_no_feature_owns(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[3]
    small_lab.reset(victim, "brownfield", extra=["dialer-list 1 protocol ip permit"])
    report = _push(small_lab, victim, dry_run=True).reports[victim]
    assert report.outcome == Outcome.WOULD_CHANGE, report
    assert report.unowned == ["no dialer-list 1 protocol ip permit"], report.unowned
    small_lab.reset(victim, "brownfield")


@pytest.mark.parametrize(("start", "refuse"), [("brownfield", True), ("drift", False)])
def test_a_change_cut_off_midway_is_taken_back_or_said_unknown(
    small_lab: SafetyLab, start: str, refuse: bool
) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[3]
    before = _reset(small_lab, victim, start)

    def cut() -> None:  # the copy into running is cut after its first line
        small_lab.lab.set_faults(victim, drop_after=1, refuse_connections=refuse)

    report = _merged(small_lab, victim, _masked, lambda _host: None, then=cut)
    assert report.reason.startswith("sending commands: "), report.reason
    if refuse:  # no new login for the way back: what the device runs is not known
        assert report.outcome == Outcome.NEEDS_ATTENTION, report
        assert report.reason.endswith(
            "; rollback failed: NetmikoTimeoutException: TCP connection to device failed"
        ), report.reason
        assert report.now == (
            "could not read the running config after the failure; its state is unknown"
        )
        assert small_lab.state(victim, before)[0] == "between"  # the first line applied
    else:  # back on a new session; its timer (drift has `archive`) stopped by the push
        assert report.outcome == Outcome.ROLLED_BACK, report
        running, startup, flash = small_lab.look(victim)
        assert paths(running) == paths(before) and paths(startup) == paths(before)
        assert _pending(small_lab, victim) is None
        assert DELIVERY not in flash
    small_lab.reset(victim, "brownfield")


@pytest.mark.parametrize(
    ("ignored", "residual", "left", "gone"),
    [  # a top-level line; a section's child (the remediation counts its section line too)
        (r"^ip domain name ", "1 lines): ip domain name ", 1, "ip domain name old-office.local"),
        (r"^stopbits 1$", "2 lines): line con 0", 2, " stopbits 1"),
    ],
)
def test_a_line_the_device_never_applies_is_reported_with_what_differs(
    small_lab: SafetyLab, ignored: str, residual: str, left: int, gone: str
) -> None:
    """The lab's `ignore_commands` fault: the device accepts the line without a word and
    never applies it, typed or in its own `configure replace` (so the proof of the way back
    already drops the brownfield's line). The push sees the residual, rolls back, and says
    the rollback could not put the line back, quoting the difference."""
    small_lab.fresh_build()
    victim = small_lab.names[3]
    _reset(small_lab, victim, "brownfield")
    faults = {"ignore_commands": [ignored]}
    report = _merged(small_lab, victim, _masked, lambda _host: None, faults=faults)
    assert report.outcome == Outcome.NEEDS_ATTENTION, report
    assert report.reason.startswith(f"residual diff after push ({residual}"), report.reason
    assert report.reason.endswith(f"; rollback left {left} lines differing"), report.reason
    assert report.now.startswith("--- before push\n+++ running now\n"), report.now
    removed = [line[1:].strip() for line in report.now.splitlines() if line.startswith("-")]
    assert gone.strip() in removed, report.now
    running, startup = small_lab.read(victim)
    assert gone not in running and paths(startup) == paths(running)
    small_lab.reset(victim, "brownfield")


def test_a_refused_confirm_then_a_refused_restore_is_remediated_and_said_so(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[2]
    before = _reset(small_lab, victim, "drift")  # `archive`: the change runs under a timer

    def after_change(_host: str) -> None:  # the NOC gets in; then the device turns stubborn
        small_lab.lab.set_faults(
            victim, reject_commands=[r"^configure confirm", r"^configure replace "]
        )

    report = _merged(small_lab, victim, _masked, after_change)
    assert report.outcome == Outcome.ROLLED_BACK, report
    parts = report.reason.split("; ")
    assert parts[0].startswith("confirming, saving and re-reading the running config: "), parts
    assert parts[1].startswith("OSError: configure replace failed: "), parts  # remediated
    assert parts[2].startswith("its revert timer could not be stopped (OSError: "), parts
    running, startup = small_lab.read(victim)
    assert paths(running) == paths(before) and paths(startup) == paths(before)
    small_lab.reset(victim, "brownfield")  # its timer stopped, for the next test


def test_a_residual_under_the_timer_is_taken_back_and_the_timer_stopped(
    small_lab: SafetyLab,
) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[0]
    before = _reset(small_lab, victim, "drift")  # `archive`: the change runs under a timer
    added = [line for line in small_lab.intended_lines(victim) if line not in before]
    server = next(line for line in added if line.startswith(("logging host", "ntp server")))
    faults = {"ignore_commands": [f"^{re.escape(server)}$"]}
    report = _merged(small_lab, victim, _masked, lambda _host: None, faults=faults)
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason == f"residual diff after push (1 lines): {server}", report.reason
    running, startup = small_lab.read(victim)
    assert paths(running) == paths(before) and paths(startup) == paths(before)
    # stopped by the push: left running, it would undo the engineer's next change
    assert _pending(small_lab, victim) is None


def test_a_delivery_whose_read_back_is_refused_is_never_taken_for_the_config(
    small_lab: SafetyLab,
) -> None:
    """The change's file is applied and saved, then the device refuses the show typed in the
    same write (the delivery's read-back): that refusal is not the config a residual would be
    measured against and undone from; the report names it."""
    small_lab.fresh_build()
    victim = small_lab.names[0]
    before = _reset(small_lab, victim, "brownfield")

    def refuse_the_show() -> None:
        small_lab.lab.set_faults(victim, reject_commands=[r"^show running-config"])

    report = _merged(small_lab, victim, _same, lambda _host: None, then=refuse_the_show)
    refused = "OSError: the device refused `show running-config`: ^ % Invalid input detected"
    assert report.outcome == Outcome.NEEDS_ATTENTION, report
    assert report.reason.startswith(f"sending commands: {refused}"), report.reason
    assert "residual" not in report.reason, report.reason
    assert report.now == "could not read the running config after the failure; its state is unknown"
    # the rollback's own read is refused too, so the run cannot say; the device's copy did it
    assert small_lab.state(victim, before)[0] == "before"
