"""The push's own rollback (push/rollback.py `rollback_merge`) driven directly against the
small lab (fast enough for every mutant of `bench/mutation.py --group push-lab`): the device's
restore of its pre-change copy; a device that refuses it is remediated instead, and says
why; one that refuses both is reported as needing attention, with how it differs, secrets
removed; one that cannot be reached at all is reported as in an unknown state. Each ends
saved (startup equal to running) where the push could reach it, and without the change's
delivery file. End states are read over SSH with our own Netmiko session."""

from __future__ import annotations

import contextlib

import pytest
from netmiko import ConnectHandler
from nornir.core.task import Task

from nornir_config.connection import TIMEOUTS, open_netmiko
from nornir_config.platforms import driver
from nornir_config.push.rollback import (
    DEVICE_COPY,
    remove_device_files,
    rollback_merge,
    save_device_copy,
)
from nornir_config.push.state import DeviceReport, Outcome
from tests.safety.conftest import SafetyLab, paths
from tests.safety.tasks import copy_running, on_device

CISCO = driver("cisco_ios")
COPY = "flash:communelan-before.cfg"
DELIVERY = "flash:communelan-merge.cfg"
CHANGE = ["logging host 203.0.113.66", "snmp-server location s3cret-room"]
REFUSE_RESTORE = r"^configure replace "


def _changed(lab: SafetyLab, name: str) -> tuple[list[str], str]:
    """A brownfield device with its own copy and a change's leftover delivery file on flash,
    then changed (not saved); its lines and running text from before the change."""
    lines = lab.reset(name, "brownfield")
    with ConnectHandler(**lab.lab.netmiko_params(name)) as conn:
        conn.enable()
        text = str(conn.send_command("show running-config"))
        for file in (COPY, DELIVERY):
            copy_running(conn, file)
        conn.send_config_set(CHANGE)
    return lines, text


def _rollback(
    lab: SafetyLab, name: str, before: str, fresh: bool = True, **faults: object
) -> DeviceReport:
    """`rollback_merge` of a change cut off while sending, with `faults` on the device for
    the rollback's length."""

    def back(task: object) -> DeviceReport:
        task.host.data[DEVICE_COPY] = COPY  # type: ignore[attr-defined]
        report = DeviceReport(name, Outcome.FAILED, "merge", "sending commands: cut")
        return rollback_merge(
            task,  # type: ignore[arg-type]
            before,
            CISCO,
            report,
            lambda t: t.replace("s3cret", "<r>"),
            fresh=fresh,
        )

    if faults:
        lab.lab.set_faults(name, **faults)
    try:
        return on_device(lab, name, back)
    finally:
        lab.lab.clear_faults()


def _saved_as_before(lab: SafetyLab, name: str, lines: list[str]) -> str:
    running, startup, flash = lab.look(name)
    assert paths(running) == paths(lines) and paths(startup) == paths(running)
    return flash


@pytest.mark.parametrize("fresh", [True, False])
def test_the_devices_own_copy_puts_it_back(small_lab: SafetyLab, fresh: bool) -> None:
    victim = small_lab.names[1]
    lines, before = _changed(small_lab, victim)
    report = _rollback(small_lab, victim, before, fresh)
    assert (report.outcome, report.reason, report.now) == (
        Outcome.ROLLED_BACK,
        "sending commands: cut",
        "",
    )
    flash = _saved_as_before(small_lab, victim, lines)
    assert "communelan-merge.cfg" not in flash  # the change's file (secrets in clear) is gone


def test_a_refused_restore_is_remediated_and_said_so(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    victim = small_lab.names[2]
    lines, before = _changed(small_lab, victim)
    report = _rollback(small_lab, victim, before, reject_commands=[REFUSE_RESTORE])
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason.startswith("sending commands: cut; OSError: configure replace failed: ")
    _saved_as_before(small_lab, victim, lines)


def test_a_device_refusing_every_way_back_needs_attention(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    victim = small_lab.names[3]
    _lines, before = _changed(small_lab, victim)
    refused = [REFUSE_RESTORE, r"^no snmp-server location"]
    report = _rollback(small_lab, victim, before, reject_commands=refused)
    assert report.outcome == Outcome.NEEDS_ATTENTION, report
    assert "; OSError: configure replace failed: " in report.reason
    # the device refused the negation: the rollback stops there, quoting the refused line
    # with its secret redacted (it was in the report in clear before)
    assert report.reason.endswith(
        "; rollback failed: ConfigInvalidException: invalid input at 'no snmp-server location "
        "<r>-room': ['no snmp-server location <r>-room']"
    ), report.reason
    # how it differs from before the change, its secret redacted
    assert report.now.startswith("--- before push\n+++ running now\n"), report.now
    assert "+snmp-server location <r>-room" in report.now and "s3cret" not in report.now
    running = small_lab.read(victim)[0]
    assert "snmp-server location s3cret-room" in running
    # the pass applied the lines the device took: the report says what it runs after it
    assert "logging host 203.0.113.66" not in running
    assert "logging host 203.0.113.66" not in report.now, report.now
    _clean_flash(small_lab, victim)


def test_a_device_it_cannot_reach_again_is_in_an_unknown_state(small_lab: SafetyLab) -> None:
    victim = small_lab.names[0]
    _lines, before = _changed(small_lab, victim)
    report = _rollback(small_lab, victim, before, refuse_connections=True)
    assert report.outcome == Outcome.NEEDS_ATTENTION
    assert report.reason.startswith("sending commands: cut; rollback failed: "), report.reason
    assert report.now == (
        "could not read the running config after the failure; its state is unknown"
    )
    assert CHANGE[0] in small_lab.read(victim)[0]  # nothing reached it
    _clean_flash(small_lab, victim)


def _clean_flash(lab: SafetyLab, name: str) -> None:
    """What this test left on flash, deleted (a later test waits for the delivery file)."""
    with ConnectHandler(**lab.lab.netmiko_params(name)) as conn:
        conn.enable()
        for file in (COPY, DELIVERY):
            conn.send_command(f"delete /force {file}")
    listing = lab.look(name)[2]
    assert "communelan-before.cfg" not in listing and "communelan-merge.cfg" not in listing


def test_a_dropped_session_is_replaced_before_the_way_back(small_lab: SafetyLab) -> None:
    victim = small_lab.names[1]
    lines, before = _changed(small_lab, victim)

    def back(task: Task) -> DeviceReport:
        task.host.data[DEVICE_COPY] = COPY
        conn = open_netmiko(task.host, task.nornir.config)  # the push's session, then cut
        small_lab.lab.set_faults(victim, drop_after=0)
        with contextlib.suppress(Exception):
            conn.send_config_set(["logging host 203.0.113.67"])
        small_lab.lab.clear_faults()
        report = DeviceReport(victim, Outcome.FAILED, "replace", "committing: cut")
        return rollback_merge(task, before, CISCO, report, lambda t: t)  # fresh by default

    report = on_device(small_lab, victim, back)
    assert (report.outcome, report.reason) == (Outcome.ROLLED_BACK, "committing: cut"), report
    flash = _saved_as_before(small_lab, victim, lines)
    assert "communelan-merge.cfg" not in flash


def test_a_copy_that_fails_forgets_an_earlier_one(small_lab: SafetyLab) -> None:
    victim = small_lab.names[2]
    small_lab.reset(victim, "brownfield")
    kept: list[object] = []

    def save(task: Task) -> DeviceReport:
        task.host.data[DEVICE_COPY] = "flash:an-earlier-runs-copy.cfg"
        with small_lab.lab.faults(victim, flash_full=True), pytest.raises(OSError) as failed:
            save_device_copy(task.host, open_netmiko(task.host, task.nornir.config), CISCO)
        kept.append(task.host.data.get(DEVICE_COPY))
        return DeviceReport(victim, Outcome.FAILED, "merge", str(failed.value))

    report = on_device(small_lab, victim, save)
    assert report.reason.startswith("the device could not save its pre-change copy: "), report
    assert kept == [None]  # no way back to name: a later restore cannot pick the stale file


def test_a_session_lost_in_the_way_back_is_reported_as_last_read(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 5)
    victim = small_lab.names[2]
    _lines, before = _changed(small_lab, victim)
    report = _rollback(small_lab, victim, before, reject_commands=[REFUSE_RESTORE], drop_after=0)
    assert report.outcome == Outcome.NEEDS_ATTENTION, report
    assert "; rollback failed: " in report.reason, report.reason
    # the read after the restore's failure, the last one the session gave
    assert report.now.startswith("--- before push\n+++ running now\n"), report.now
    assert "+snmp-server location <r>-room" in report.now and "s3cret" not in report.now
    _clean_flash(small_lab, victim)


def test_files_the_device_will_not_delete_are_named_with_its_answer(
    small_lab: SafetyLab,
) -> None:
    victim = small_lab.names[1]
    _changed(small_lab, victim)
    with (
        small_lab.lab.faults(victim, reject_commands=[r"^delete "]),
        ConnectHandler(**small_lab.lab.netmiko_params(victim)) as conn,
    ):
        conn.enable()
        note = remove_device_files(conn, CISCO, [COPY, "", DELIVERY])
    head, tail = "; could not delete ", " from the device"
    assert note.startswith(head) and note.endswith(tail), note
    parts = note[len(head) : -len(tail)].split(", flash:")
    assert [p.split(": ", 1)[0] for p in parts] == [COPY, DELIVERY.removeprefix("flash:")]
    for part in parts:  # the device's answer on one line, as the report prints it
        answer = part.split(": ", 1)[1]
        assert "% Invalid input" in answer and "  " not in answer and "XX" not in answer
    assert COPY.removeprefix("flash:") in small_lab.look(victim)[2]
    _clean_flash(small_lab, victim)


def test_a_device_owned_line_the_remediation_keeps_is_named_as_left_differing(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hier_config's remediation never negates a line the device owns (protected.yaml: its
    `boot system`), so a remediated rollback that converges may still leave one the change
    added: the line sets of before and now say so, and the device needs attention."""
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    victim = small_lab.names[2]
    lines, before = _changed(small_lab, victim)
    image = "boot system flash:c2960-s3cret.bin"
    with ConnectHandler(**small_lab.lab.netmiko_params(victim)) as conn:
        conn.enable()
        conn.send_config_set([image])
    report = _rollback(small_lab, victim, before, reject_commands=[REFUSE_RESTORE])
    assert report.outcome == Outcome.NEEDS_ATTENTION, report
    assert report.reason.startswith("sending commands: cut; OSError: configure replace failed: ")
    assert report.reason.endswith("; rollback left 1 lines differing"), report.reason
    assert "+boot system flash:c2960-<r>.bin" in report.now.splitlines(), report.now
    running, startup = small_lab.read(victim)
    assert paths(running) == paths([*lines, image]) and paths(startup) == paths(running)
    _clean_flash(small_lab, victim)
    small_lab.reset(victim, "brownfield")
