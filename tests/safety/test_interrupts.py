"""A `communelan push` of 30 devices interrupted at a random point (SIGINT, SIGTERM, SIGKILL),
a killed run that left its delivery file on a device, and two pushes started together.

Every device is then read over our own Netmiko session: as before or as intended, never
between, startup equal to running, no delivery file on flash; and what the run (or `recover`)
says of each device is what the device runs. The random points come from one seed, printed
with every failure; `INTERRUPT_SEED=N pytest tests/safety/test_interrupts.py` replays them.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from nornir_config.errors import InputError
from nornir_config.platforms.cisco_ios.lab import hconfig
from nornir_config.project import open_project
from nornir_config.push import journal
from nornir_config.push.recover import Recovery, run_recover
from nornir_config.settings import RunSettings, set_run_settings
from tests.conftest import TEST_SECRETS
from tests.safety.conftest import SafetyLab, paths

LATENCY = 0.005  # seconds per command answer: keeps a factory device changing for a while
DEVICES = 30
WORKERS = 6
STARTS = ("factory", "brownfield", "drift")
DELIVERY_FILE = "communelan-merge.cfg"
SEED = int(os.environ.get("INTERRUPT_SEED") or random.SystemRandom().randrange(1_000_000))
RECOVERED = {"as before": "before", "as intended": "intended", "between": "between"}


def seeded(message: str) -> str:
    return f"{message} [seed {SEED}: rerun with INTERRUPT_SEED={SEED}]"


def _journal(root: Path) -> list[Path]:
    return sorted((root / "build" / "journal").glob("*.json"))


def _audit(root: Path, action: str) -> list[dict[str, Any]]:
    path = root / "build" / "audit.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return [r for r in map(json.loads, lines) if r["action"] == action]


def _start(
    lab: SafetyLab, names: list[str], starts: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """Each device reset to its start (factory unless `starts` names one), then slowed down."""
    lab.fresh_build()
    lab.lab.clear_faults()
    before = {n: lab.reset(n, (starts or {}).get(n, "factory")) for n in names}
    lab.lab.set_faults("*", latency=LATENCY)
    return before


def _wait_for_journal(
    lab: SafetyLab,
    proc: subprocess.Popen[str],
    count: int = 1,
    timeout: float = 120,
    cut: list[str] | None = None,
) -> None:
    """Until `count` devices have started changing (the run's write-ahead journal); the
    `cut` ones that did are cut off (`_refuse_when_journaled`) on the way."""
    deadline = time.monotonic() + timeout
    waiting = list(cut or [])
    while True:
        waiting = [n for n in waiting if n not in _refuse_when_journaled(lab, waiting)]
        if len(_journal(lab.root)) >= count:
            return
        assert time.monotonic() < deadline, seeded(f"fewer than {count} devices started changing")
        if proc.poll() is not None:
            raise AssertionError(seeded(f"push ended before {count} changes: {proc.communicate()}"))
        time.sleep(0.01)


def _refuse_when_journaled(lab: SafetyLab, names: list[str]) -> list[str]:
    """Devices among `names` that started changing now refuse new sessions (their session is
    open already): once `drop_after` cuts the copy, the rollback cannot get back in."""
    journaled = {p.stem for p in _journal(lab.root)}
    hit = [n for n in names if n in journaled]
    for name in hit:
        lab.lab.set_faults(name, refuse_connections=True)
    return hit


def _cut_off(lab: SafetyLab, proc: subprocess.Popen[str], name: str) -> None:
    """Until `name` started changing, then refused new sessions and holds the change's file
    on flash, its copy cut (read on the lab's loop)."""
    _wait_for_journal(lab, proc)
    assert _refuse_when_journaled(lab, [name]) == [name]
    flash = lab.lab.device(name).flash
    deadline = time.monotonic() + 120
    while lab.lab.call(lambda: DELIVERY_FILE not in flash.files):
        assert time.monotonic() < deadline and proc.poll() is None, seeded(f"{name}: no file")
        time.sleep(0.01)


def _recover(lab: SafetyLab, to: str | None) -> list[Recovery]:
    """`communelan recover [--to TO]` in this process (its CLI runs in the 30-device test)."""
    set_run_settings(RunSettings(root=lab.root, lab=True))
    return run_recover(open_project([lab.codes]), to)


def _check_states(
    lab: SafetyLab, before: dict[str, list[str]], names: list[str] | None = None
) -> dict[str, str]:
    """Each device as before or intended (never between), startup equal to running, and no
    delivery file on its flash: read over our own sessions."""
    states: dict[str, str] = {}
    for name, (state, running, startup, flash) in lab.states(before, names or list(before)).items():
        assert state != "between", seeded(f"{name} is between")
        assert paths(startup) == paths(running), seeded(f"{name}: startup differs from running")
        assert DELIVERY_FILE not in flash, seeded(f"{name}: the change's file is left on flash")
        states[name] = state
    return states


def _interrupted_push(
    lab: SafetyLab, sig: signal.Signals, drops: int = 0
) -> tuple[random.Random, list[str], dict[str, list[str]], subprocess.Popen[str]]:
    """A 30-device push from random starts, hit by `sig` once a random number of devices
    started changing, plus a random pause. `drops` random devices cut the session part-way
    through applying the change, then refuse the rollback's new sessions."""
    rng = random.Random(f"{SEED}-{sig.name}")
    print(seeded(f"{sig.name}: random starts and interrupt point"))
    names = lab.names[:DEVICES]
    starts = {n: rng.choice(STARTS) for n in names}
    before = _start(lab, names, starts)
    # The journal holds the devices of the wave in flight (farthest-first waves): interrupt
    # once up to a full pool of workers has started changing.
    started, pause = rng.randint(1, WORKERS), rng.uniform(0, 0.4)
    # devices with changes long enough to be cut (a drift is a few lines)
    cut = rng.sample([n for n in names if starts[n] != "drift"], drops)
    for name in cut:
        lab.lab.set_faults(name, drop_after=rng.randint(1, 10))
    proc = lab.popen("push", "--filter", f"host={','.join(names)}", "--workers", str(WORKERS))
    _wait_for_journal(lab, proc, started, cut=cut)
    time.sleep(pause)
    _refuse_when_journaled(lab, cut)
    proc.send_signal(sig)
    print(seeded(f"{sig.name} after {started} devices started, {cut} cut, {pause:.3f} s"))
    return rng, names, before, proc


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_finishes_in_flight_and_says_which(
    safety_lab: SafetyLab, sig: signal.Signals
) -> None:
    _rng, names, before, proc = _interrupted_push(safety_lab, sig)
    out, err = proc.communicate(timeout=300)
    safety_lab.lab.clear_faults()
    assert proc.returncode == 1, seeded(out + err)
    assert f"interrupted by {sig.name}" in out + err, seeded(out + err)
    assert "push " in out and "skipped" in out, seeded(out)  # the summary, unstarted devices
    assert _journal(safety_lab.root) == [], seeded("in-flight devices left in the journal")
    state = json.loads((safety_lab.root / "build" / "push-state.json").read_text())
    said = {n: state["devices"][n] for n in names}
    assert set(said.values()) <= {"changed", "skipped"}, seeded(str(said))
    changed = {n for n, s in said.items() if s == "changed"}
    assert changed and len(changed) < len(names), seeded(str(said))
    assert {r["device"] for r in _audit(safety_lab.root, "push")} == changed
    states = _check_states(safety_lab, before)
    assert {n for n, s in states.items() if s == "intended"} == changed, seeded(str(said))
    if sig == signal.SIGINT:  # the rest follows (once is enough)
        retry = safety_lab.cli("push", "--retry-failed", "--workers", str(WORKERS))
        assert retry.returncode == 0, seeded(retry.stdout + retry.stderr)
        assert set(_check_states(safety_lab, before).values()) == {"intended"}, seeded("retry")


def test_kill_9_then_recover_says_which(safety_lab: SafetyLab) -> None:
    rng, names, before, proc = _interrupted_push(safety_lab, signal.SIGKILL, drops=3)
    proc.communicate(timeout=30)
    safety_lab.lab.clear_faults()
    midway = sorted(p.stem for p in _journal(safety_lab.root))
    assert midway, seeded("the write-ahead journal names no device")
    # what each device runs now, read before recover looks at it
    seen = {n: s for n, (s, *_rest) in safety_lab.states(before, names).items()}
    untouched = [n for n in names if n not in midway]
    assert {seen[n] for n in untouched} <= {"before"}, seeded(f"changed without a journal: {seen}")

    # the next push refuses to touch a journaled device and names the way out
    again = safety_lab.cli("push", "--filter", f"host={midway[0]}")
    assert again.returncode == 1 and "communelan recover" in again.stdout, seeded(again.stdout)

    shown = safety_lab.cli("recover", "--filter", f"host={','.join(names)}")
    assert shown.returncode in (0, 1), seeded(shown.stdout + shown.stderr)
    found = {r["device"]: RECOVERED[r["found"]] for r in _audit(safety_lab.root, "recover")}
    assert found == {n: seen[n] for n in midway}, seeded(f"recover said {found}, devices {seen}")
    for name in midway:
        assert name in shown.stdout, seeded(shown.stdout)
    between = sorted(n for n, s in found.items() if s == "between")
    assert (shown.returncode == 1) == bool(between), seeded(shown.stdout)
    assert sorted(p.stem for p in _journal(safety_lab.root)) == between  # settled ones leave

    # each device left between goes back or forward, as the seed says
    targets = {n: rng.choice(("before", "intended")) for n in between}
    print(seeded(f"journaled {len(midway)}, found {found}, sent {targets}"))
    for to in ("before", "intended"):
        chosen = [n for n, t in targets.items() if t == to]
        if chosen:
            fixed = safety_lab.cli("recover", "--filter", f"host={','.join(chosen)}", "--to", to)
            assert fixed.returncode == 0, seeded(fixed.stdout + fixed.stderr)
    assert _journal(safety_lab.root) == [], seeded("journal not cleared")
    said = {r["device"]: r["result"] for r in _audit(safety_lab.root, "recover")}  # the last
    states = _check_states(safety_lab, before)
    for name in midway:
        assert RECOVERED[said[name]] == states[name], seeded(f"{name}: recover said {said[name]}")
        assert states[name] == targets.get(name, seen[name]), seeded(name)

    retry = safety_lab.cli("push", "--retry-failed", "--workers", str(WORKERS))
    assert retry.returncode == 0, seeded(retry.stdout + retry.stderr)
    assert set(_check_states(safety_lab, before).values()) == {"intended"}, seeded("retry")


def test_killed_run_leaves_no_delivery_file_after_recover(small_lab: SafetyLab) -> None:
    """The session drops while the device applies the change's file, and the run is killed
    before its rollback: the file (secrets included) is on flash until `recover` runs."""
    victim = small_lab.names[1]
    before = _start(small_lab, [victim])
    small_lab.lab.set_faults(victim, drop_after=3)  # cut inside the copy of the file
    proc = small_lab.popen("push", "--filter", f"host={victim}")
    _cut_off(small_lab, proc, victim)
    time.sleep(0.5)  # the copy is cut; the run's rollback cannot get back in
    proc.kill()
    proc.communicate(timeout=30)
    small_lab.lab.clear_faults()
    state, _running, _startup, listing = small_lab.states(before, [victim])[victim]
    assert DELIVERY_FILE in listing and state == "between"  # the leftover is real
    [shown] = _recover(small_lab, None)
    assert (shown.host, shown.found, shown.now, shown.settled) == (victim, "between", "", False)
    assert "--- before the change\n+++ running now\n" in shown.detail
    assert "\n--- intended\n+++ running now\n" in shown.detail  # two diffs, one per line
    assert not any(v in shown.detail for v in TEST_SECRETS.values())
    assert DELIVERY_FILE not in small_lab.states(before, [victim])[victim][3]
    assert [p.stem for p in _journal(small_lab.root)] == [victim]  # still between
    [fixed] = _recover(small_lab, "before")
    assert (fixed.found, fixed.now, fixed.detail, fixed.settled) == (
        "between",
        "as before",
        "",
        True,
    )
    assert _check_states(small_lab, before) == {victim: "before"}
    assert _journal(small_lab.root) == []
    state = json.loads((small_lab.root / "build" / "push-state.json").read_text())
    assert state["devices"][victim] == "rolled back"
    said = _audit(small_lab.root, "recover")
    assert [(r["device"], r["to"], r["found"], r["result"]) for r in said] == [
        (victim, "", "between", "between"),
        (victim, "before", "between", "as before"),
    ]
    assert said[0]["reason"] and said[1]["reason"] == ""


def test_recover_saves_a_device_killed_before_it_saved(small_lab: SafetyLab) -> None:
    """A run killed after the device took the change but before `write memory`: running is
    as intended, startup as before. `recover` says so and saves, so a reload keeps it."""
    victim = small_lab.names[2]
    before = _start(small_lab, [victim])
    proc = small_lab.popen("push", "--filter", f"host={victim}")
    _wait_for_journal(small_lab, proc)
    proc.kill()
    proc.communicate(timeout=30)
    small_lab.lab.clear_faults()
    device = small_lab.lab.device(victim)
    # the change as the device would have taken it, not saved (the lab's own parser)
    intended = hconfig.parse(small_lab.intended[victim])
    small_lab.lab.call(lambda: device.replace(hconfig.apply(hconfig.empty(), intended), "admin"))
    running, startup = small_lab.read(victim)
    assert small_lab.where(victim, before[victim], running) == "intended"
    assert paths(startup) == paths(before[victim])
    [shown] = _recover(small_lab, None)
    assert (shown.found, shown.now, shown.settled) == ("as intended", "", True)
    assert _check_states(small_lab, before) == {victim: "intended"}  # startup saved
    assert _journal(small_lab.root) == []
    state = json.loads((small_lab.root / "build" / "push-state.json").read_text())
    assert state["devices"][victim] == "changed"
    assert _recover(small_lab, None) == []  # nothing left mid-change


def test_recover_forward_to_intended(small_lab: SafetyLab) -> None:
    victim = small_lab.names[0]
    before = _start(small_lab, [victim])
    small_lab.lab.set_faults(victim, drop_after=3)
    proc = small_lab.popen("push", "--filter", f"host={victim}")
    _cut_off(small_lab, proc, victim)
    time.sleep(0.5)  # the session is cut mid-copy: the device is between
    proc.kill()
    proc.communicate(timeout=30)
    small_lab.lab.clear_faults()
    with pytest.raises(InputError, match="unknown target"):
        _recover(small_lab, "sideways")
    [fixed] = _recover(small_lab, "intended")
    assert (fixed.found, fixed.now, fixed.settled) == ("between", "as intended", True)
    assert _check_states(small_lab, before) == {victim: "intended"}
    assert _journal(small_lab.root) == []


def test_recover_says_which_device_it_cannot_reach(small_lab: SafetyLab, tmp_path: Path) -> None:
    """A journaled device that refuses connections is reported unreachable, under the run
    that left it, and stays in the journal for the next `recover`."""
    victim = small_lab.names[3]
    _start(small_lab, [victim])
    files = {k: tmp_path / f"{k}.cfg" for k in ("before", "intended")}
    for k, path in files.items():
        path.write_text(f"hostname {k}\n", encoding="utf-8")
    entry = journal.JournalEntry(
        host=victim,
        run="run-7",
        method="merge",
        pid=1,
        started=journal.now(),
        before_file=str(files["before"]),
        device_file="flash:x.cfg",
        intended_file=str(files["intended"]),
    )
    journal.begin(small_lab.root / "build", entry)
    with small_lab.lab.faults(victim, refuse_connections=True):
        [shown] = _recover(small_lab, "before")
    assert (shown.host, shown.run, shown.found, shown.now, shown.settled) == (
        victim,
        "run-7",
        "unreachable",
        "",
        False,
    )
    assert shown.detail  # why, in the connection's words
    assert [p.stem for p in _journal(small_lab.root)] == [victim]
    said = _audit(small_lab.root, "recover")
    assert [(r["device"], r["found"], r["result"]) for r in said] == [
        (victim, "unreachable", "unreachable")
    ]
    journal.end(small_lab.root / "build", victim)


def test_two_pushes_at_once(small_lab: SafetyLab) -> None:
    before = _start(small_lab, small_lab.names)
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
    _start(small_lab, small_lab.names[:1])
    small_lab.lab.clear_faults()
    locks = small_lab.root / "build" / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    stale = {"pid": 999999, "user": "ghost", "command": "communelan push", "started": "x"}
    (locks / f"{small_lab.names[0]}.lock").write_text(json.dumps(stale))
    done = small_lab.cli("push", "--filter", f"host={small_lab.names[0]}")
    assert done.returncode == 0, done.stdout + done.stderr
