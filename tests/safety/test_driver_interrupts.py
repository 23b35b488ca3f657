"""Interrupted runs on Huawei VRP and H3C Comware (Cisco: `test_interrupts.py`, 30 devices).

A `communelan push` of one office (a router and a switch) is hit by SIGINT, or killed, while a
device is changing. Each device is then read over SSH with the vendor's own Netmiko client
and compared line by line with what it ran before and with the intended file (`tests.offices`,
never the product's diff): as before or as intended, and what the run (or `communelan
recover`) says of it is what it runs. Nothing of the push is left on its flash once settled.

Neither driver uses a revert timer yet (`Platform.revert_timer` is None): the merge's way back
is the device's own restore of its saved copy (`rollback configuration to file`,
`configuration replace file`). Both OSes have one: Comware 7 `configuration commit delay N`
then `configuration commit` (HPE FlexNetwork 5510 HI Fundamentals Configuration Guide,
"Configuring configuration commit delay", Release 1121 and later) and VRP8's two-phase
`commit trial` (NetEngine 8000 command reference, "commit"); the AR/S models the lab builds
are not VRP8. Until the drivers and labs gain them, the timer tests are Cisco's
(`test_promises.py`), and `test_no_revert_timer_to_test` fails the day one is added.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nornir_config.platforms import driver
from nornir_config.project import open_project
from nornir_config.push.recover import run_recover
from nornir_config.settings import RunSettings, set_run_settings
from tests.offices import CODE, Office, office_fixture

DRIVERS = ("huawei_vrp", "hp_comware")
LATENCY = 0.01  # seconds per command answer: a factory device changes for a few seconds
SEED = int(os.environ.get("INTERRUPT_SEED") or random.SystemRandom().randrange(1_000_000))
RECOVERED = {"as before": "before", "as intended": "intended", "between": "between"}


def seeded(message: str) -> str:
    return f"{message} [seed {SEED}: rerun with INTERRUPT_SEED={SEED}]"


@pytest.fixture(params=DRIVERS)
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    yield from office_fixture(tmp_path, request.param)


def _popen(office: Office, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "nornir_config", "--root", str(office.root), "--lab"]
    return subprocess.Popen(
        [*command, *args, "--filter", f"code={CODE}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _journal(office: Office) -> list[str]:
    return sorted(p.stem for p in (office.root / "build" / "journal").glob("*.json"))


def _wait_for_journal(office: Office, proc: subprocess.Popen[str]) -> None:
    """Until a device has started changing (the run's write-ahead journal names it)."""
    deadline = time.monotonic() + 120
    while not _journal(office):
        assert time.monotonic() < deadline, seeded("no device started changing")
        assert proc.poll() is None, seeded(f"push ended first: {proc.communicate()}")
        time.sleep(0.01)


def _state(office: Office) -> dict[str, Any]:
    data = json.loads((office.root / "build" / "push-state.json").read_text(encoding="utf-8"))
    devices: dict[str, Any] = data["devices"]
    return devices


def test_interrupt_finishes_in_flight_and_says_which(office: Office) -> None:
    before = {n: office.lines(n) for n in office.names}
    office.lab.set_faults("*", latency=LATENCY)
    proc = _popen(office, "push", "--workers", "1")  # one device at a time: one in flight
    _wait_for_journal(office, proc)
    time.sleep(random.Random(SEED).uniform(0, 0.3))
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    office.lab.clear_faults()
    assert proc.returncode == 1, seeded(out + err)
    assert "interrupted by SIGINT" in out + err, seeded(out + err)
    assert _journal(office) == [], seeded("the in-flight device is left in the journal")
    said = {n: _state(office)[n] for n in office.names}
    assert sorted(said.values()) == ["changed", "skipped"], seeded(str(said))
    for name in office.names:
        expected = "intended" if said[name] == "changed" else "before"
        assert office.where(name, before[name]) == expected, seeded(name)
        assert office.files(name) == [], seeded(f"{name}: the push's files are left")


def test_killed_run_then_recover_says_which(office: Office) -> None:
    """Killed (SIGKILL, no handler runs) while a device changes, at a random point: `recover`
    says what the device runs, and `--to before` puts one left between back exactly."""
    before = {n: office.lines(n) for n in office.names}
    office.lab.set_faults("*", latency=LATENCY)
    proc = _popen(office, "push", "--workers", "1")
    _wait_for_journal(office, proc)
    time.sleep(random.Random(SEED).uniform(0, 2.0))
    proc.kill()
    proc.communicate(timeout=30)
    office.lab.clear_faults()
    [victim] = _journal(office)
    seen = {n: office.where(n, before[n]) for n in office.names}
    assert all(seen[n] == "before" for n in office.names if n != victim), seeded(str(seen))

    set_run_settings(RunSettings(root=office.root, lab=True))
    [shown] = run_recover(open_project([f"code={CODE}"]), None)
    print(seeded(f"{victim}: recover found {shown.found}"))
    assert RECOVERED[shown.found] == seen[victim], seeded(f"recover said {shown}, saw {seen}")
    if seen[victim] == "between":
        assert _journal(office) == [victim]  # still between: kept for the next recover
        [fixed] = run_recover(open_project([f"code={CODE}"]), "before")
        assert (fixed.found, fixed.now, fixed.settled) == ("between", "as before", True), fixed
        assert office.where(victim, before[victim]) == "before", office.difference(victim)
    assert _journal(office) == []
    assert office.files(victim) == [], seeded("recover left the push's files on flash")
    # and the run completes afterwards, every device as intended
    again = _popen(office, "push")
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, seeded(out + err)
    for name in office.names:
        assert office.where(name, before[name]) == "intended", office.difference(name)


@pytest.mark.parametrize("name", DRIVERS)
def test_no_revert_timer_to_test(name: str) -> None:
    """Pins the premise of the module docstring: when a driver gains a revert timer, the
    timer tests of `test_promises.py` must run for it too."""
    assert driver(name).revert_timer is None
