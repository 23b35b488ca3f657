"""The way back under the device's revert timer (push/revert.py), driven directly against the
small lab (fast enough for every mutant of `bench/mutation.py --group push-lab`): a device
the push still reaches is rolled back by the push and its timer stopped; one it lost is
waited for until its timer took the change back, then checked and saved; one that never
answers again is reported as needing attention. The timer runs on the lab's clock, moved
forward instead of waiting (Cisco "Configuration Rollback Confirmed Change": `configure
terminal revert timer N`, `configure confirm`). End states are read over SSH with our own
Netmiko session."""

from __future__ import annotations

import dataclasses

import pytest
from netmiko import ConnectHandler
from nornir.core.task import Task

from nornir_config.connection import TIMEOUTS
from nornir_config.platforms import driver
from nornir_config.platforms.base import Platform
from nornir_config.push import revert, session
from nornir_config.push.state import DeviceReport, Outcome
from tests.safety.conftest import SafetyLab, paths
from tests.safety.tasks import on_device

CISCO = driver("cisco_ios")
CHANGE = "logging host 203.0.113.77"
UNKNOWN = "could not read the running config after the failure; its state is unknown"


def _timed_change(lab: SafetyLab, name: str) -> str:
    """A drifted device (it has `archive`) changed under a 5-minute revert timer, as a merge
    leaves it mid-change; returns its running config as read before the change."""
    lab.reset(name, "drift")
    with ConnectHandler(**lab.lab.netmiko_params(name)) as conn:
        conn.enable()
        before = str(conn.send_command("show running-config"))
        conn.send_config_set([CHANGE], config_mode_command="configure terminal revert timer 5")
    assert CHANGE in lab.read(name)[0]
    assert lab.lab.call(lambda: lab.lab.device(name).pending) is not None
    return before


def _report(name: str) -> DeviceReport:
    return DeviceReport(name, Outcome.FAILED, "merge", "sending commands: cut")


def _redact(text: str) -> str:
    return text


class _Clock:
    """The push's own clock (patched on `revert.time`, and `session.time` for the logins'
    pauses; the lab's clock is not moved), advanced by its sleeps: no test waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _timer_of(minutes: int) -> Platform:
    """Cisco's driver with a revert timer of `minutes` (the push's wait is on its own clock)."""
    assert CISCO.revert_timer is not None
    return dataclasses.replace(
        CISCO, revert_timer=dataclasses.replace(CISCO.revert_timer, minutes=minutes)
    )


def _checked(lab: SafetyLab, name: str, before: str) -> None:
    """As before, startup equal to running, no timer left to revert a later change."""
    running, startup = lab.read(name)
    assert CHANGE not in running and paths(startup) == paths(running)
    assert lab.lab.call(lambda: lab.lab.device(name).pending) is None
    assert CHANGE not in before


@pytest.mark.parametrize("fresh", [True, False])
def test_a_device_still_reached_is_rolled_back_and_its_timer_stopped(
    small_lab: SafetyLab, fresh: bool
) -> None:
    victim = small_lab.names[1]
    before = _timed_change(small_lab, victim)
    rolled = on_device(
        small_lab,
        victim,
        lambda t: revert.undo(t, before, CISCO, _report(victim), _redact, True, fresh=fresh),
    )
    assert (rolled.outcome, rolled.reason) == (Outcome.ROLLED_BACK, "sending commands: cut")
    _checked(small_lab, victim, before)


def test_without_a_timer_the_push_rolls_back_alone(small_lab: SafetyLab) -> None:
    victim = small_lab.names[2]
    before = small_lab.reset(victim, "brownfield")
    with ConnectHandler(**small_lab.lab.netmiko_params(victim)) as conn:
        conn.enable()
        text = str(conn.send_command("show running-config"))
        conn.send_config_set([CHANGE])
    rolled = on_device(
        small_lab, victim, lambda t: revert.undo(t, text, CISCO, _report(victim), _redact, False)
    )
    assert rolled.outcome == Outcome.ROLLED_BACK
    running, startup = small_lab.read(victim)
    assert paths(running) == paths(before) and paths(startup) == paths(running)


def test_a_device_cut_off_is_waited_for_until_its_timer_took_the_change_back(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = small_lab.names[3]
    before = _timed_change(small_lab, victim)
    monkeypatch.setattr(revert, "POLL", 0.2)
    device = small_lab.lab.device(victim)
    tries: list[int] = []

    def cut_until_reverted(t: Task) -> DeviceReport:
        # cut off: refused until the timer ran out on the device's clock (after a few tries)
        small_lab.lab.set_faults(victim, refuse_connections=True)
        original = revert.time.sleep

        def sleep(seconds: float) -> None:
            tries.append(1)
            if len(tries) == 3:
                small_lab.lab.call(lambda: device.advance_clock(5 * 60 + 1))
                small_lab.lab.clear_faults()
            original(seconds)

        monkeypatch.setattr(revert.time, "sleep", sleep)
        try:
            return revert.undo(t, before, CISCO, _report(victim), _redact, True)
        finally:
            monkeypatch.setattr(revert.time, "sleep", original)
            small_lab.lab.clear_faults()

    rolled = on_device(small_lab, victim, cut_until_reverted)
    assert len(tries) >= 3
    assert rolled.outcome == Outcome.ROLLED_BACK, rolled
    assert rolled.reason == (
        "sending commands: cut; the push lost the device, which reverted the change by itself "
        "(device revert timer, 5 min)"
    )
    _checked(small_lab, victim, before)


def test_a_device_answering_again_unreverted_is_rolled_back_by_the_push(
    small_lab: SafetyLab,
) -> None:
    victim = small_lab.names[1]
    before = _timed_change(small_lab, victim)
    rolled = on_device(
        small_lab,
        victim,
        lambda t: revert.await_revert(t, before, CISCO, _report(victim), _redact),
    )
    assert rolled.outcome == Outcome.ROLLED_BACK, rolled
    assert rolled.reason == (
        "sending commands: cut; the push lost the device, which answered again without "
        "reverting (rolled back by the push) (device revert timer, 5 min)"
    )
    _checked(small_lab, victim, before)  # its timer stopped too


def test_a_device_that_never_answers_again_needs_attention(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = small_lab.names[2]
    before = _timed_change(small_lab, victim)
    monkeypatch.setitem(TIMEOUTS, "timeout", 5)
    monkeypatch.setattr(revert, "GRACE", 1.0)
    monkeypatch.setattr(revert, "POLL", 0.2)
    quick = _timer_of(0)  # the lab clock does not move the push's own wait: 1 s of grace
    with small_lab.lab.faults(victim, refuse_connections=True):
        stuck = on_device(
            small_lab,
            victim,
            lambda t: revert.undo(t, before, quick, _report(victim), _redact, True),
        )
    assert stuck.outcome == Outcome.NEEDS_ATTENTION
    head = (
        "sending commands: cut; the device did not answer within its revert timer (0 min) and "
        "1 s more: "
    )
    assert stuck.reason.startswith(head) and len(stuck.reason) > len(head), stuck.reason
    assert stuck.now == UNKNOWN
    assert CHANGE in small_lab.read(victim)[0]  # untouched: nothing reached it
    small_lab.lab.call(lambda: small_lab.lab.device(victim).cancel_revert_timer())


def test_confirm_stops_the_timer_or_says_the_device_refused(small_lab: SafetyLab) -> None:
    victim = small_lab.names[0]
    _timed_change(small_lab, victim)
    params = small_lab.lab.netmiko_params(victim)
    with (
        small_lab.lab.faults(victim, reject_commands=[r"^configure confirm"]),
        ConnectHandler(**params) as conn,
    ):
        conn.enable()
        with pytest.raises(OSError) as refused:
            revert.confirm(conn, CISCO)
    assert str(refused.value).startswith("the device refused to confirm the change: "), refused
    assert "% Invalid input" in str(refused.value)
    assert small_lab.lab.call(lambda: small_lab.lab.device(victim).pending) is not None
    with ConnectHandler(**params) as conn:
        conn.enable()
        revert.confirm(conn, CISCO)
    assert small_lab.lab.call(lambda: small_lab.lab.device(victim).pending) is None
    assert CHANGE in small_lab.read(victim)[0]  # kept: the timer will not take it back
    small_lab.reset(victim, "drift")


def test_the_wait_ends_at_the_timer_and_its_grace_with_the_last_error(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = small_lab.names[3]
    before = _timed_change(small_lab, victim)
    clock = _Clock()
    monkeypatch.setattr(revert, "time", clock)
    monkeypatch.setattr(session, "time", clock)  # each try is one login, with no pause
    monkeypatch.setattr(revert, "POLL", 60.0)  # 5 min + 60 s of grace: 6 tries, 60 s apart
    with small_lab.lab.faults(victim, refuse_connections=True):
        stuck = on_device(
            small_lab,
            victim,
            lambda t: revert.await_revert(t, before, CISCO, _report(victim), _redact),
        )
    assert clock.sleeps == [0.0, 60.0] * 6, clock.sleeps
    assert stuck.outcome == Outcome.NEEDS_ATTENTION
    assert stuck.reason == (
        "sending commands: cut; the device did not answer within its revert timer (5 min) and "
        "60 s more: NetmikoTimeoutException: TCP connection to device failed "
        "(cause: connection refused)"
    ), stuck.reason
    assert stuck.now == UNKNOWN
    assert CHANGE in small_lab.read(victim)[0]  # untouched: nothing reached it
    small_lab.lab.call(lambda: small_lab.lab.device(victim).cancel_revert_timer())


def test_no_time_to_wait_is_no_answer(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = small_lab.names[3]
    before = _timed_change(small_lab, victim)
    clock = _Clock()
    monkeypatch.setattr(revert, "time", clock)
    monkeypatch.setattr(revert, "GRACE", 0.0)
    stuck = on_device(
        small_lab,
        victim,
        lambda t: revert.await_revert(t, before, _timer_of(0), _report(victim), _redact),
    )
    assert clock.sleeps == []
    assert stuck.reason == (
        "sending commands: cut; the device did not answer within its revert timer (0 min) and "
        "0 s more: no answer"
    ), stuck.reason
    small_lab.lab.call(lambda: small_lab.lab.device(victim).cancel_revert_timer())
