"""A NAPALM replace against the small lab, in this process (fast enough for every mutant of
`bench/mutation.py --group push-lab`): the commit runs under the device's revert timer until
the checks pass and it is confirmed; a replace whose access check fails is taken back under
that timer; a dry run, a device already as intended and a replace the device stops half-way
are reported as such. The timer is read on the lab device while the push's own check runs
(Cisco "Configuration Rollback Confirmed Change"; NAPALM `commit_config(revert_in=...)`).
End states are read over SSH with our own Netmiko session, never through the product's diff."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from netmiko import ConnectHandler
from nornir.core.task import Task

from nornir_config.connection import TIMEOUTS, open_netmiko
from nornir_config.platforms import driver_for
from nornir_config.project import open_project
from nornir_config.push import Outcome, PushOptions, PushRun, run_push
from nornir_config.push.replace import replace_push
from nornir_config.push.rollback import save_device_copy
from nornir_config.push.state import DeviceReport
from nornir_config.settings import RunSettings, set_run_settings
from tests.conftest import TEST_SECRETS
from tests.safety.conftest import SafetyLab, body, paths
from tests.safety.tasks import on_device


def _replaced(
    lab: SafetyLab,
    name: str,
    after_change: Callable[[str], str | None] | None,
    redact: Callable[[str], str] = str,
) -> tuple[DeviceReport, list[str]]:
    """replace_push on the device with `after_change` as its access check; the report and
    the running configs its pre-change hook was given."""
    backups: list[str] = []

    def backup(host: str, running: str) -> None:
        assert host == name
        backups.append(running)

    def replace(t: Task) -> DeviceReport:
        result = replace_push(t, lab.intended[name], False, redact, backup, after_change)
        assert isinstance(result.result, DeviceReport)
        return result.result

    return on_device(lab, name, replace), backups


def _replaced_after_its_copy(
    lab: SafetyLab, name: str, after_change: Callable[[str], str | None]
) -> DeviceReport:
    """replace_push whose pre-change hook has the device save its own copy over Netmiko, as
    a push's does: a Netmiko session is open before the replace."""

    def replace(t: Task) -> DeviceReport:
        def backup(host: str, running: str) -> None:
            save_device_copy(t.host, open_netmiko(t.host, t.nornir.config), driver_for(t.host))

        result = replace_push(t, lab.intended[name], False, str, backup, after_change)
        assert isinstance(result.result, DeviceReport)
        return result.result

    return on_device(lab, name, replace)


def _pending_minutes(lab: SafetyLab, name: str) -> int | None:
    pending = lab.lab.call(lambda: lab.lab.device(name).pending)
    return None if pending is None else int(pending.minutes)


def test_the_commit_runs_under_a_5_minute_timer_until_confirmed(small_lab: SafetyLab) -> None:
    victim = small_lab.names[3]
    small_lab.reset(victim, "drift")  # `archive`: the device can run a timer
    # the device's own image line (protected.yaml): kept by the replace, as by a merge
    kept = "boot system flash:c2960-s3cret.bin"
    with ConnectHandler(**small_lab.lab.netmiko_params(victim)) as conn:
        conn.send_config_set([kept])
    before = small_lab.read(victim)[0]
    seen: list[int | None] = []

    def check(host: str) -> None:
        seen.append(_pending_minutes(small_lab, host))  # while the push checks access

    report, backups = _replaced(small_lab, victim, check, lambda t: t.replace("s3cret", "<r>"))
    assert (report.host, report.outcome, report.method) == (victim, Outcome.CHANGED, "replace")
    assert report.protected == ["boot system flash:c2960-<r>.bin"]
    assert seen == [5]  # committed under the timer, checked once
    assert _pending_minutes(small_lab, victim) is None  # then confirmed
    assert len(backups) == 1 and paths(body(backups[0])) == paths(before)
    running, startup = small_lab.read(victim)
    assert paths(running) == paths([*small_lab.intended_lines(victim), kept])
    assert paths(startup) == paths(running)


def test_a_replace_that_loses_access_is_taken_back_under_its_timer(small_lab: SafetyLab) -> None:
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    answers = iter(["SSH to 10.0.0.1 refused", None])  # lost after the change, back after

    report, _ = _replaced(small_lab, victim, lambda host: next(answers))
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason == (
        "lost management access after the replace: SSH to 10.0.0.1 refused; rolled back, "
        "and it answers again"
    )
    state, running, startup = small_lab.state(victim, before)
    assert state == "before" and paths(startup) == paths(running)
    assert _pending_minutes(small_lab, victim) is None  # the timer taken back, not left running


def _push(lab: SafetyLab, host: str, **options: object) -> PushRun:
    set_run_settings(RunSettings(root=lab.root, lab=True))
    return run_push(open_project([lab.codes, f"host={host}"]), PushOptions(**options))  # type: ignore[arg-type]


def test_a_replace_dry_run_shows_the_devices_own_diff_and_changes_nothing(
    small_lab: SafetyLab,
) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[2]
    before = small_lab.reset(victim, "brownfield")
    report = _push(small_lab, victim, method="replace", dry_run=True).reports[victim]
    assert (report.outcome, report.method) == (Outcome.WOULD_CHANGE, "replace"), report
    # what the device says the candidate changes (NAPALM compare_config): the hand-made lines
    assert "logging host 192.0.2.50" in report.diff and "ip domain name" in report.diff
    assert not any(secret in report.diff for secret in TEST_SECRETS.values())
    state, _running, startup = small_lab.state(victim, before)
    assert state == "before" and paths(startup) == paths(before)


def test_a_device_already_as_intended_is_not_replaced(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    victim = small_lab.names[1]
    _push(small_lab, victim)  # as intended
    report = _push(small_lab, victim, method="replace").reports[victim]
    assert (report.host, report.outcome, report.method) == (
        victim,
        Outcome.UNCHANGED,
        "replace",
    ), report
    assert report.reason.endswith("; nothing sent") and report.commands == []


def test_a_replace_the_device_stops_half_way_says_where(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[2]
    before = small_lab.reset(victim, "brownfield")
    with small_lab.lab.faults(victim, fail_replace_partial=1):
        report = _push(small_lab, victim, method="replace").reports[victim]
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason.startswith("configure replace: "), report.reason
    assert small_lab.state(victim, before)[0] == "before"


def test_a_replace_whose_access_check_fails_is_taken_back(small_lab: SafetyLab) -> None:
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")

    def broken(host: str) -> str | None:
        raise RuntimeError("probe crashed")

    report, _ = _replaced(small_lab, victim, broken)
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason.startswith("checking management access: "), report.reason
    assert "probe crashed" in report.reason
    _saved_as_before(small_lab, victim, before)


def test_a_commit_the_device_will_not_confirm_is_taken_back(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    small_lab.fresh_build()
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    with small_lab.lab.faults(victim, reject_commands=[r"^configure confirm"]):
        report = _push(small_lab, victim, method="replace").reports[victim]
    assert report.outcome == Outcome.ROLLED_BACK, report
    # NAPALM's rollback (`configure revert now`) stopped the timer: the refused confirm
    # after it is no warning (the device says no timer runs)
    assert report.reason == (
        "confirming the commit: OSError: the device did not confirm the commit: its revert "
        "timer runs"
    ), report.reason
    state, running, startup = small_lab.state(victim, before)
    assert state == "before" and paths(startup) == paths(running)
    assert _pending_minutes(small_lab, victim) is None  # reverted now, not left to run out


def test_a_timer_the_device_will_not_revert_is_stopped_once_rolled_back(
    small_lab: SafetyLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 10)
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")

    def broken(host: str) -> str | None:  # NAPALM's way back then fails: the push's own runs
        small_lab.lab.set_faults(
            victim, reject_commands=[r"^configure revert", r"^configure replace "]
        )
        raise RuntimeError("probe crashed")

    try:
        report, _ = _replaced(small_lab, victim, broken, lambda t: t.replace("s3cret", "<r>"))
    finally:
        small_lab.lab.clear_faults()
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason == "checking management access: RuntimeError: probe crashed", report
    state, running, startup = small_lab.state(victim, before)
    assert state == "before" and paths(startup) == paths(running)
    # left running, the timer would take back any change an engineer makes in the next 5 min
    assert _pending_minutes(small_lab, victim) is None


def _typed(lab: SafetyLab, name: str, lines: list[str]) -> None:
    """Lines a technician typed on the device before the push (our own Netmiko session)."""
    with ConnectHandler(**lab.lab.netmiko_params(name)) as conn:
        conn.send_config_set(lines)


def _saved_as_intended(lab: SafetyLab, name: str) -> None:
    running, startup = lab.read(name)
    assert paths(running) == paths(lab.intended_lines(name))
    assert paths(startup) == paths(running)


def _saved_as_before(lab: SafetyLab, name: str, before: list[str]) -> None:
    """Back as before, saved, and no revert timer left to undo a later change."""
    state, running, startup = lab.state(name, before)
    assert state == "before" and paths(startup) == paths(running)
    assert _pending_minutes(lab, name) is None


def _forget_candidate(lab: SafetyLab, name: str) -> None:
    """Delete the candidate an earlier replace left: NAPALM uploads nothing when the file
    on flash already has the candidate's MD5."""
    with ConnectHandler(**lab.lab.netmiko_params(name)) as conn:
        conn.send_command("delete /force flash:candidate_config.txt")


def test_a_device_it_cannot_reach_is_left_alone(small_lab: SafetyLab) -> None:
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    with small_lab.lab.faults(victim, refuse_connections=True):
        report, backups = _replaced(small_lab, victim, lambda host: None)
    assert (report.host, report.outcome, report.method) == (
        victim,
        Outcome.UNREACHABLE,
        "replace",
    ), report
    assert report.reason.startswith("ConnectionException: Cannot connect to "), report.reason
    assert backups == [] and report.seconds > 0
    assert small_lab.state(victim, before)[0] == "before"


def test_a_candidate_the_device_cannot_store_changes_nothing(small_lab: SafetyLab) -> None:
    """flash: full: NAPALM cannot upload the candidate; no backup, no commit, no timer."""
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    _forget_candidate(small_lab, victim)
    with small_lab.lab.faults(victim, flash_full=True):
        report, backups = _replaced(small_lab, victim, lambda host: None)
    assert report.outcome == Outcome.FAILED, report
    assert report.reason.startswith("loading the candidate: "), report.reason
    assert report.reason.endswith("; nothing applied") and "space" in report.reason
    assert backups == [] and report.seconds > 0
    _saved_as_before(small_lab, victim, before)


def test_a_failed_backup_stops_the_replace_before_the_commit(small_lab: SafetyLab) -> None:
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    tried: list[str] = []

    def backup(host: str, running: str) -> None:
        tried.append(host)
        raise OSError(28, "No space left on device")

    def replace(t: Task) -> DeviceReport:
        result = replace_push(t, small_lab.intended[victim], False, str, backup, None)
        assert isinstance(result.result, DeviceReport)
        return result.result

    report = on_device(small_lab, victim, replace)
    assert tried == [victim]
    assert (report.outcome, report.reason) == (
        Outcome.FAILED,
        "pre-change backup failed: [Errno 28] No space left on device",
    ), report
    assert report.diff and report.seconds > 0  # what it would have changed
    _saved_as_before(small_lab, victim, before)


def test_a_device_with_scp_off_gets_the_candidate_inline(small_lab: SafetyLab) -> None:
    """No `ip scp server enable`: NAPALM refuses SCP, the candidate goes through tclsh (and
    no access check is asked for: the replace is confirmed on its residual check alone)."""
    victim = small_lab.names[3]
    small_lab.reset(victim, "drift")
    _forget_candidate(small_lab, victim)
    _typed(small_lab, victim, ["no ip scp server enable"])
    assert "ip scp server enable" not in small_lab.read(victim)[0]
    report, backups = _replaced(small_lab, victim, None)
    assert report.outcome == Outcome.CHANGED, report
    assert len(backups) == 1
    _saved_as_intended(small_lab, victim)


def test_a_line_napalm_takes_back_on_close_is_found_and_rolled_back(
    small_lab: SafetyLab,
) -> None:
    """NAPALM types `file prompt quiet` for its file operations and `no file prompt quiet`
    when it closes: an intended config holding that line differs once NAPALM has gone."""
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    assert "file prompt quiet" not in before
    intended = small_lab.intended[victim].replace(
        "\nservice password-encryption\n", "\nservice password-encryption\nfile prompt quiet\n"
    )
    assert "file prompt quiet" in intended

    def replace(t: Task) -> DeviceReport:
        result = replace_push(t, intended, False, str, lambda h, r: None, lambda h: None)
        assert isinstance(result.result, DeviceReport)
        return result.result

    report = on_device(small_lab, victim, replace)
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason == "residual diff after the session closed (1 lines): file prompt quiet"
    _saved_as_before(small_lab, victim, before)


def test_a_line_the_device_ignores_is_taken_back_under_its_timer(small_lab: SafetyLab) -> None:
    """The replace leaves a residual; NAPALM's `configure revert` is refused, so the push's
    own rollback puts it back, and then stops the timer."""
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    missing = [x for x in small_lab.intended_lines(victim) if x not in before]
    ignored = next(x for x in missing if x.startswith(("logging host", "ntp server")))
    seen: list[int | None] = []

    def check(host: str) -> None:
        seen.append(_pending_minutes(small_lab, host))

    with small_lab.lab.faults(
        victim, ignore_commands=[f"^{ignored}$"], reject_commands=[r"^configure revert"]
    ):
        report, _ = _replaced(small_lab, victim, check, lambda t: t.replace("s3cret", "<r>"))
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason == "residual diff after replace (1 lines)", report.reason
    assert seen == []  # never checked: the residual came first
    _saved_as_before(small_lab, victim, before)


def test_a_replace_that_locks_new_logins_out_is_taken_back_on_the_open_session(
    small_lab: SafetyLab,
) -> None:
    """As a push does, the pre-change hook has the device save its own copy over Netmiko;
    once the change refuses new logins, only the sessions already open can take it back."""
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift")
    checks: list[str] = []

    def lost(host: str) -> str | None:  # refused until the rollback is done, then back
        checks.append(host)
        if len(checks) > 1:
            small_lab.lab.clear_faults()
            return None
        small_lab.lab.set_faults(victim, refuse_connections=True)
        return "SSH to 10.0.0.1 refused"

    with small_lab.lab.faults(victim):  # none yet: the check's are cleared at the end
        report = _replaced_after_its_copy(small_lab, victim, lost)
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason == (
        "lost management access after the replace: SSH to 10.0.0.1 refused; rolled back, "
        "and it answers again"
    ), report.reason
    assert checks == [victim, victim]
    _saved_as_before(small_lab, victim, before)


def test_a_replace_that_renames_the_device_reads_it_back_on_a_new_session(
    small_lab: SafetyLab,
) -> None:
    """The Netmiko session opened before the replace knows the old prompt: the last check
    reads the renamed device on a new one."""
    victim = small_lab.names[3]
    small_lab.reset(victim, "drift")
    _typed(small_lab, victim, ["hostname OLD-NAME"])
    assert "hostname OLD-NAME" in small_lab.read(victim)[0]
    report = _replaced_after_its_copy(small_lab, victim, lambda host: None)
    assert report.outcome == Outcome.CHANGED, report
    _saved_as_intended(small_lab, victim)


def test_a_device_that_takes_no_new_login_after_the_confirm_needs_attention(
    small_lab: SafetyLab,
) -> None:
    """Confirmed on NAPALM's session, then the last check's new session is refused: the run
    cannot say what the device runs, and says so (it is left as replaced, timer stopped)."""
    victim = small_lab.names[3]
    small_lab.reset(victim, "drift")

    def then_refused(host: str) -> None:  # the access check passes; later logins do not
        small_lab.lab.set_faults(victim, refuse_connections=True)

    with small_lab.lab.faults(victim):  # none yet: the check's are cleared at the end
        report, _ = _replaced(small_lab, victim, then_refused)
    assert report.outcome == Outcome.NEEDS_ATTENTION, report
    assert report.reason.startswith(
        "re-reading the running config: NetmikoTimeoutException: TCP connection to device "
        "failed; rollback failed: "
    ), report.reason
    assert report.now.endswith("its state is unknown"), report.now
    running, _startup = small_lab.read(victim)
    assert paths(running) == paths(small_lab.intended_lines(victim))
    assert _pending_minutes(small_lab, victim) is None


def test_a_device_that_had_file_prompt_quiet_keeps_it_when_rolled_back(
    small_lab: SafetyLab,
) -> None:
    """NAPALM's close types `no file prompt quiet` whatever the device had: the rollback is
    checked after NAPALM has gone, so a hand-made `file prompt quiet` is put back too."""
    victim = small_lab.names[3]
    before = small_lab.reset(victim, "drift", ["file prompt quiet"])
    assert "file prompt quiet" in before

    def broken(host: str) -> str | None:
        raise RuntimeError("probe crashed")

    report, _ = _replaced(small_lab, victim, broken)
    assert report.outcome == Outcome.ROLLED_BACK, report
    state, running, startup = small_lab.state(victim, before)
    assert state == "before" and "file prompt quiet" in running, running
    assert paths(startup) == paths(running)
