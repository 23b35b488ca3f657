"""A `communelan push` subprocess interrupted mid-rollout (SIGINT, SIGTERM, SIGKILL), and two
pushes started together. Every device is then read over our own Netmiko session: as before
or as intended, never between, startup equal to running."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.safety.conftest import SafetyLab, paths

LATENCY = 0.005  # seconds per command answer: keeps a factory device changing for seconds


def _journal(root: Path) -> list[Path]:
    return sorted((root / "build" / "journal").glob("*.json"))


def _start(lab: SafetyLab) -> dict[str, list[str]]:
    lab.fresh_build()
    lab.lab.clear_faults()
    before = {n: lab.reset(n, "factory") for n in lab.names}
    lab.lab.set_faults("*", latency=LATENCY)
    return before


def _wait_for_journal(lab: SafetyLab, proc: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not _journal(lab.root):
        assert time.monotonic() < deadline, "no device started changing"
        if proc.poll() is not None:
            raise AssertionError(f"push ended before any change: {proc.communicate()}")
        time.sleep(0.02)


def _check_states(lab: SafetyLab, before: dict[str, list[str]]) -> dict[str, str]:
    states: dict[str, str] = {}
    for name in lab.names:
        state, running, startup = lab.state(name, before[name])
        assert state != "between", name
        assert paths(startup) == paths(running), f"{name}: startup differs from running"
        states[name] = state
    return states


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_finishes_in_flight_and_reports(
    small_lab: SafetyLab, sig: signal.Signals
) -> None:
    before = _start(small_lab)
    proc = small_lab.popen("push", "--workers", "2")
    _wait_for_journal(small_lab, proc)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=180)
    small_lab.lab.clear_faults()
    assert proc.returncode == 1, (out, err)
    assert f"interrupted by {sig.name}" in out + err
    assert "push " in out and "skipped" in out  # the summary table, with unstarted devices
    assert _journal(small_lab.root) == []  # the in-flight devices finished
    records = [
        json.loads(line)
        for line in (small_lab.root / "build" / "audit.jsonl").read_text().splitlines()
    ]
    finished = {r["device"] for r in records}
    assert finished and len(finished) < len(small_lab.names)
    state = json.loads((small_lab.root / "build" / "push-state.json").read_text())
    assert {state["devices"][n] for n in small_lab.names} - {"changed", "skipped"} == set()
    states = _check_states(small_lab, before)
    assert {n for n, s in states.items() if s == "intended"} == {
        n for n in small_lab.names if state["devices"][n] == "changed"
    }
    if sig == signal.SIGINT:  # the rest follows (once is enough: it takes a while)
        retry = small_lab.cli("push", "--retry-failed")
        assert retry.returncode == 0, retry.stdout + retry.stderr
        assert set(_check_states(small_lab, before).values()) == {"intended"}


def test_kill_9_then_recover(small_lab: SafetyLab) -> None:
    before = _start(small_lab)
    proc = small_lab.popen("push", "--workers", "2")
    _wait_for_journal(small_lab, proc)
    time.sleep(0.5)  # some commands sent
    proc.kill()
    proc.communicate(timeout=30)
    small_lab.lab.clear_faults()
    midway = {p.stem for p in _journal(small_lab.root)}
    assert midway  # the write-ahead journal names the devices that were changing

    # the next push refuses to touch them and names the way out
    again = small_lab.cli("push", "--filter", f"host={sorted(midway)[0]}")
    assert again.returncode == 1
    assert "communelan recover" in again.stdout

    shown = small_lab.cli("recover")
    assert sorted(midway)[0] in shown.stdout
    assert shown.returncode in (0, 1), shown.stderr
    if shown.returncode == 1:
        assert "between" in shown.stdout and "--to before|intended" in shown.stdout
    fixed = small_lab.cli("recover", "--to", "before")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert _journal(small_lab.root) == []
    states = _check_states(small_lab, before)
    for name in midway:
        assert states[name] in ("before", "intended")

    retry = small_lab.cli("push", "--retry-failed")  # every device of the killed run
    assert retry.returncode == 0, retry.stdout + retry.stderr
    assert set(_check_states(small_lab, before).values()) == {"intended"}


def test_recover_forward_to_intended(small_lab: SafetyLab) -> None:
    before = _start(small_lab)
    victim = small_lab.names[0]
    proc = small_lab.popen("push", "--filter", f"host={victim}")
    _wait_for_journal(small_lab, proc)
    time.sleep(0.5)
    proc.kill()
    proc.communicate(timeout=30)
    small_lab.lab.clear_faults()
    fixed = small_lab.cli("recover", "--to", "intended")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert _check_states(small_lab, before)[victim] == "intended"
    assert _journal(small_lab.root) == []


def test_two_pushes_at_once(small_lab: SafetyLab) -> None:
    before = _start(small_lab)
    first = small_lab.popen("push")
    _wait_for_journal(small_lab, first)
    second = small_lab.cli("push")
    first_out, first_err = first.communicate(timeout=300)
    small_lab.lab.clear_faults()
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert f"pid {first.pid}" in lines[0] and "started" in lines[0] and "push" in lines[0]
    assert first.returncode == 0, first_out + first_err
    assert set(_check_states(small_lab, before).values()) == {"intended"}


def test_stale_lock_is_taken_over(small_lab: SafetyLab) -> None:
    _start(small_lab)
    small_lab.lab.clear_faults()
    locks = small_lab.root / "build" / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    stale = {"pid": 999999, "user": "ghost", "command": "communelan push", "started": "x"}
    (locks / f"{small_lab.names[0]}.lock").write_text(json.dumps(stale))
    done = small_lab.cli("push", "--filter", f"host={small_lab.names[0]}")
    assert done.returncode == 0, done.stdout + done.stderr
