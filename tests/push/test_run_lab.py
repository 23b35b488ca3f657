"""A rollout in-process against a small lab office (a Cisco router and its core switch behind
the real SSH server, the real Netmiko), for the mutants of push/run.py no lab-free test can
reach: a failed canary stops the rollout before the rest, --max-failures stops starting
devices, a guard refuses a device untouched, a dry run changes nothing and writes nothing,
and a push leaves each device as intended (read over SSH with our own session), its
redacted pre-change backup on disk, one audit line per device and an empty journal."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from collections.abc import Iterator

import pytest

from nornir_config.errors import InputError
from nornir_config.push import PushOptions, journal, run_push
from nornir_config.push.lock import lock_devices
from nornir_config.push.state import STATE_FILE, Outcome
from tests.conftest import TEST_SECRETS
from tests.offices import Office, office_fixture


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    yield from office_fixture(tmp_path_factory.mktemp("run"), "cisco_ios")


def audit(office: Office) -> list[tuple[str, str]]:
    path = office.root / "build" / "audit.jsonl"
    if not path.is_file():
        return []
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    return [(x["device"], x["result"]) for x in lines]


def state(office: Office) -> dict[str, str]:
    data = json.loads((office.root / "build" / STATE_FILE).read_text(encoding="utf-8"))
    return dict(data["devices"])


def test_a_rollout_stops_where_it_must_and_pushes_what_it_may(
    office: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    build = office.root / "build"
    router, switch = office.host("router"), office.host("switch")
    assert sorted(office.names) == [router, switch]
    before = {n: office.lines(n) for n in office.names}

    # a dry run: both would change; nothing on the devices, no state, no audit, no backups.
    # It takes no locks: another run holding the switch does not stop it, but stops a push
    held = lock_devices(build, [switch], command="communelan push --filter other")
    try:
        dry = office.push(dry_run=True)
        with pytest.raises(InputError) as err:
            office.push()
    finally:
        held.release()
    assert f"device {switch}: is being changed by another run (pid {os.getpid()}" in str(err.value)
    assert {h: r.outcome for h, r in dry.reports.items()} == dict.fromkeys(
        office.names, Outcome.WOULD_CHANGE
    )
    assert all(dry.reports[h].commands for h in office.names) and dry.ok
    assert not (build / STATE_FILE).exists() and audit(office) == []
    assert not (build / "push").exists()

    # the canary (the router, first by name) cannot be reached: the switch is never started
    office.lab.set_faults(router, refuse_connections=True)
    try:
        canary = office.push(canary=1)
    finally:
        office.lab.clear_faults(router)
    assert canary.stopped == f"stopped: canary device(s) failed: {router}"
    assert canary.reports[router].outcome == Outcome.UNREACHABLE
    assert (canary.reports[switch].outcome, canary.reports[switch].reason) == (
        Outcome.SKIPPED,
        canary.stopped,
    )
    assert (canary.reports[switch].host, canary.reports[switch].method) == (switch, "merge")
    assert state(office) == {router: "unreachable", switch: "skipped"}
    assert audit(office) == [(router, "unreachable")]

    # --max-failures 1: the switch (farthest from the NOC, first) fails, the router is not
    # started; one worker so that they cannot start together
    office.lab.set_faults("*", refuse_connections=True)
    try:
        capped = office.push(max_failures=1, workers=1)
    finally:
        office.lab.clear_faults("*")
    assert capped.reports[switch].outcome == Outcome.UNREACHABLE
    assert (capped.reports[router].outcome, capped.reports[router].reason) == (
        Outcome.SKIPPED,
        "not started: 1 devices failed (--max-failures)",
    )
    assert capped.stopped == "stopped: 1 devices failed (--max-failures)"
    assert capped.reports[router].host == router and capped.reports[router].method == "merge"
    assert audit(office)[1:] == [(switch, "unreachable")]
    for name in office.names:
        assert office.where(name, before[name]) == "before"

    # two failed canaries are both named
    office.lab.set_faults("*", refuse_connections=True)
    try:
        both = office.push(canary=2)
    finally:
        office.lab.clear_faults("*")
    assert both.stopped == f"stopped: canary device(s) failed: {router}, {switch}"

    # a canary that fails while a SIGINT comes in: the first reason stands
    def fail_and_interrupt(host: str, running: str) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        raise OSError("refused")

    capsys.readouterr()
    failed = office.push(canary=1, guard=fail_and_interrupt)
    assert "SIGINT: finishing the devices in flight" in capsys.readouterr().err
    assert failed.stopped == f"stopped: canary device(s) failed: {router}"
    assert failed.reports[switch].reason == failed.stopped
    assert office.where(router, before[router]) == "before"

    # SIGINT while the switch (first wave) is in flight: it finishes, the router never starts
    def interrupt(host: str, running: str) -> None:
        assert "hostname" in running
        state_now = json.loads((build / STATE_FILE).read_text(encoding="utf-8"))
        assert state_now["devices"] == {router: "skipped", switch: "skipped"}  # until done
        assert isinstance(state_now["run"], str) and state_now["run"]
        os.kill(os.getpid(), signal.SIGINT)

    capsys.readouterr()
    stopped = office.push(guard=interrupt)
    assert "SIGINT: finishing the devices in flight, starting no more" in capsys.readouterr().err
    assert stopped.reports[switch].outcome == Outcome.CHANGED
    assert (stopped.reports[router].outcome, stopped.reports[router].reason) == (
        Outcome.SKIPPED,
        "not started: interrupted by SIGINT",
    )
    assert stopped.stopped == "stopped: interrupted by SIGINT"
    assert office.where(switch, before[switch]) == "intended"
    assert office.where(router, before[router]) == "before"
    saved = build / "push" / stopped.run_id / "before"
    assert sorted(p.name for p in saved.iterdir()) == [f"{switch}.cfg"]
    backup = (saved / f"{switch}.cfg").read_text(encoding="utf-8")
    assert [x for x in backup.splitlines() if x.startswith("hostname ")] == [
        x for x in before[switch] if x.startswith("hostname ")
    ]
    assert all(v not in backup for v in TEST_SECRETS.values())
    assert state(office) == {router: "skipped", switch: "changed"}

    # a guard refuses the router before any change: untouched, nothing saved for it
    def guard(host: str, running: str) -> None:
        raise OSError("the plan is stale")

    guarded = office.push(guard=guard)
    assert guarded.reports[switch].outcome == Outcome.UNCHANGED
    assert guarded.reports[router].outcome == Outcome.FAILED
    assert "the plan is stale" in guarded.reports[router].reason
    assert office.where(router, before[router]) == "before"
    assert not (build / "push" / guarded.run_id / "before").exists()
    assert journal.entries(build) == {}
    assert state(office) == {router: "failed", switch: "unchanged"}

    # the retry takes only the router, even one an earlier task on this Nornir failed
    project = office.project()
    project.nr.data.failed_hosts.add(router)
    retry = run_push(project, PushOptions(retry_failed=True))
    assert sorted(retry.reports) == [router] and retry.ok
    assert retry.reports[router].outcome == Outcome.CHANGED
    assert office.where(router, before[router]) == "intended"
    assert (build / "push" / retry.run_id / "before" / f"{router}.cfg").is_file()
    assert office.files(router) == []  # verified: its pre-change copy on flash is gone
    assert state(office) == {router: "changed"}
    # farthest from the NOC first: the switch, then the router behind which it sits
    assert audit(office)[-4:] == [
        (switch, "changed"),
        (switch, "unchanged"),
        (router, "failed"),
        (router, "changed"),
    ]
    assert journal.entries(build) == {}

    # one at a time, at most one failure: devices that succeed do not count
    again = office.push(max_failures=1, workers=1)
    assert {h: r.outcome for h, r in again.reports.items()} == dict.fromkeys(
        office.names, Outcome.UNCHANGED
    )
    assert again.ok and not (build / "push" / again.run_id / "before").exists()
    # the push verified both configs: the no-op skips the remediation (push/verified.py)
    assert {r.reason for r in again.reports.values()} == {
        "running config as an earlier push verified it; nothing sent"
    }

    # the fingerprints are keyed by the state's salt: under another salt they prove nothing,
    # and the remediation is computed again (and found empty)
    data = json.loads((build / STATE_FILE).read_text(encoding="utf-8"))
    assert data["verified"] and isinstance(data["salt"], str) and data["salt"]
    data["salt"] = "an0ther-salt"
    (build / STATE_FILE).write_text(json.dumps(data), encoding="utf-8")
    salted = office.push()
    assert {h: r.outcome for h, r in salted.reports.items()} == dict.fromkeys(
        office.names, Outcome.UNCHANGED
    )
    assert not {r.reason for r in salted.reports.values()} & {
        "running config as an earlier push verified it; nothing sent"
    }


def test_the_progress_bar_shows_on_a_terminal_when_asked_and_counts_failures(
    office: Office, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """nornir_rich's bar (stdout), one per wave, titled with the task, a failed device
    counted as failed: only with --progress and only when stderr is a terminal."""
    switch = office.host("switch")

    def bars(progress: bool, tty: bool) -> str:
        monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
        capsys.readouterr()
        office.lab.set_faults(switch, refuse_connections=True)
        try:
            run = office.push(progress=progress)
        finally:
            office.lab.clear_faults(switch)
        assert run.reports[switch].outcome == Outcome.UNREACHABLE
        return capsys.readouterr().out

    assert bars(progress=True, tty=False) == ""
    assert bars(progress=False, tty=True) == ""
    shown = bars(progress=True, tty=True)
    assert shown.count("push (merge)") == 2  # the switch's wave, then the router's
    counts = [re.findall(rf"{kind}:\W*(\d+)/1", shown) for kind in ("Successful", "Failed")]
    assert counts == [["0", "1"], ["1", "0"]]  # the unreachable switch, then the router
