"""`recover` on a Huawei VRP office: VRP shows every secret as its own cipher, so a device is
known as intended only through the fingerprints a push (or recover's own forward move)
recorded (compliance/fingerprints.py). recover runs in this process; the end state is read
over SSH with our own Netmiko session, never through the product's diff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nornir_config.push import Outcome, journal
from nornir_config.push.recover import run_recover
from tests.offices import Office, office_fixture

NTP_KEY = "ntp-service authentication-keyid 1 authentication-mode hmac-sha256 cipher "


@pytest.fixture
def vrp(tmp_path: Path) -> Iterator[Office]:
    yield from office_fixture(tmp_path, "huawei_vrp")


def _pushed_then_journaled(office: Office) -> str:
    """The router pushed (as intended, fingerprinted), then journaled as a killed run leaves
    it. Its pre-change backup is another config, so that it is never found as before."""
    victim = office.host("router")
    report = office.push([f"host={victim}"]).reports[victim]
    assert report.outcome == Outcome.CHANGED, report
    build = office.root / "build"
    before = build / "push" / "run-7" / "before" / f"{victim}.cfg"
    before.parent.mkdir(parents=True)
    before.write_text("sysname before-the-change\n", encoding="utf-8")
    intended = build / "intended" / f"{victim}.cfg"
    entry = journal.JournalEntry(
        victim, "run-7", "merge", 1, journal.now(), str(before), "", str(intended)
    )
    journal.begin(build, entry)
    return victim


def test_a_vrp_device_as_pushed_is_proven_as_intended(vrp: Office) -> None:
    victim = _pushed_then_journaled(vrp)
    [found] = run_recover(vrp.project([f"host={victim}"]), None)
    assert (found.host, found.found, found.now, found.settled) == (
        victim,
        "as intended",
        "",
        True,
    ), found
    assert journal.entries(vrp.root / "build") == {}


def test_a_vrp_key_changed_by_hand_is_sent_again_and_proven(vrp: Office) -> None:
    victim = _pushed_then_journaled(vrp)
    vrp.send(victim, [NTP_KEY + "Another-Key-9"])  # its cipher no longer hides our key
    by_hand = [x for x in vrp.shown(victim).splitlines() if NTP_KEY in x]
    assert len(by_hand) == 1
    shown = run_recover(vrp.project([f"host={victim}"]), None)[0]
    assert (shown.found, shown.now) == ("between", ""), shown
    moved = run_recover(vrp.project([f"host={victim}"]), "intended")[0]
    assert (moved.found, moved.now, moved.settled) == ("between", "as intended", True), moved
    now = [x for x in vrp.shown(victim).splitlines() if NTP_KEY in x]
    assert len(now) == 1 and now != by_hand  # our key's cipher again
    assert journal.entries(vrp.root / "build") == {}
