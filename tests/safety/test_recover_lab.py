"""`recover` of each state a killed run can leave a device in, set up directly rather than by
killing a push (fast enough for every mutant of `bench/mutation.py --group push-lab`): the
journal entry, the local pre-change backup and the device's own copy as a push's
`before_change` leaves them, then the device moved to between or as intended over our own
Netmiko session (or the lab's parser). recover runs in this process; end states are read over
SSH with our own session and compared line by line, never through the product's diff."""

from __future__ import annotations

import json
from typing import Any

import pytest
from netmiko import ConnectHandler

from nornir_config.backup import clean_config
from nornir_config.errors import InputError
from nornir_config.platforms import driver
from nornir_config.platforms.cisco_ios.lab import hconfig
from nornir_config.project import open_project
from nornir_config.push import journal
from nornir_config.push.recover import Recovery, run_recover
from nornir_config.secrets import load_secrets
from nornir_config.settings import RunSettings, set_run_settings
from tests.conftest import TEST_SECRETS
from tests.safety.conftest import SafetyLab, paths
from tests.safety.tasks import copy_running

COPY = "flash:communelan-before.cfg"  # the driver's device_copy file (cisco_ios/push.yaml)
DELIVERY = "flash:communelan-merge.cfg"  # a merge's delivery file (file_delivery.path)
REFUSE_RESTORE = {"reject_commands": [r"^configure replace "]}


def _session(lab: SafetyLab, name: str) -> Any:
    conn = ConnectHandler(**lab.lab.netmiko_params(name))
    conn.enable()
    return conn


def _journaled(lab: SafetyLab, name: str, state: str = "brownfield") -> list[str]:
    """The device as a push leaves it just before its first change: the local redacted
    backup, the device's own copy, the journal entry. Returns the running lines."""
    lab.fresh_build()
    before = lab.reset(name, state)
    with _session(lab, name) as conn:
        running = str(conn.send_command("show running-config"))
        for file in (COPY, DELIVERY):  # and a delivery file a killed merge left on flash
            copy_running(conn, file)
    backup = lab.root / "build" / "push" / "run-7" / "before" / f"{name}.cfg"
    backup.parent.mkdir(parents=True)
    secrets = load_secrets(root=lab.root)
    backup.write_text(clean_config(secrets.redact(running), driver("cisco_ios")), "utf-8")
    entry = journal.JournalEntry(
        host=name,
        run="run-7",
        method="merge",
        pid=1,
        started=journal.now(),
        before_file=str(backup),
        device_file=COPY,
        intended_file=str(lab.root / "build" / "intended" / f"{name}.cfg"),
    )
    journal.begin(lab.root / "build", entry)
    return before


def _half_changed(lab: SafetyLab, name: str, before: list[str]) -> list[str]:
    """A few intended lines the device lacks, typed as a merge would (not saved)."""
    added = [x for x in lab.intended_lines(name) if x.startswith("logging host ")]
    added = [x for x in added if x not in before][:1] or ["logging host 203.0.113.9"]
    with _session(lab, name) as conn:
        conn.send_config_set(added, cmd_verify=True)
    return added


def _as_intended(lab: SafetyLab, name: str) -> None:
    """The change as the device would have taken it, not saved (the lab's own parser)."""
    device = lab.lab.device(name)
    intended = hconfig.parse(lab.intended[name])
    lab.lab.call(lambda: device.replace(hconfig.apply(hconfig.empty(), intended), "admin"))


def _recover(lab: SafetyLab, to: str | None, faults: dict[str, Any] | None = None) -> Recovery:
    set_run_settings(RunSettings(root=lab.root, lab=True))
    if faults:
        lab.lab.set_faults("*", **faults)
    try:
        [found] = run_recover(open_project([lab.codes]), to)
    finally:
        lab.lab.clear_faults()
    return found


def _flash(lab: SafetyLab, name: str) -> str:
    return lab.look(name)[2]


def _outcome(lab: SafetyLab, name: str) -> tuple[list[str], str, list[tuple[str, ...]]]:
    """(journaled hosts, the push state's outcome, the audit's recover records)."""
    build = lab.root / "build"
    state = json.loads((build / "push-state.json").read_text(encoding="utf-8"))
    audit = [json.loads(x) for x in (build / "audit.jsonl").read_text().splitlines()]
    records = [
        (r["device"], r["to"], r["found"], r["result"], bool(r["reason"]))
        for r in audit
        if r["action"] == "recover"
    ]
    return sorted(journal.entries(build)), state["devices"][name], records


def test_a_device_found_as_before_is_only_saved_never_restored(small_lab: SafetyLab) -> None:
    """Nothing to undo: `--to before` sends no restore (this device would refuse one), saves
    what it runs, deletes its copy and the leftover delivery file, and leaves the journal."""
    victim = small_lab.names[1]
    before = _journaled(small_lab, victim)
    # killed after a change that was not saved... and already taken back: startup differs
    with _session(small_lab, victim) as conn:
        conn.send_config_set(["logging host 203.0.113.9"])
        conn.save_config()
        conn.send_config_set(["no logging host 203.0.113.9"])
    assert paths(small_lab.read(victim)[1]) != paths(before)
    found = _recover(small_lab, "before", REFUSE_RESTORE)
    assert (found.host, found.run, found.found, found.now) == (victim, "run-7", "as before", "")
    assert found.settled and "--- intended\n+++ running now\n" in found.detail
    assert not any(v in found.detail for v in TEST_SECRETS.values())
    state, running, startup = small_lab.state(victim, before)
    assert state == "before" and paths(startup) == paths(running)
    listing = _flash(small_lab, victim)
    assert "communelan-before.cfg" not in listing and "communelan-merge.cfg" not in listing
    assert _outcome(small_lab, victim) == (
        [],
        "rolled back",
        [(victim, "before", "as before", "as before", False)],
    )


def test_a_device_between_is_put_back_by_its_own_copy(small_lab: SafetyLab) -> None:
    victim = small_lab.names[2]
    before = _journaled(small_lab, victim)
    added = _half_changed(small_lab, victim, before)
    assert small_lab.state(victim, before)[0] == "between"
    shown = _recover(small_lab, None)  # first only looked at: nothing changed, nothing saved
    assert (shown.found, shown.now, shown.settled) == ("between", "", False)
    assert f"+{added[0]}" in shown.detail.replace("\n ", "\n")
    assert "--- before the change\n+++ running now\n" in shown.detail
    assert "\n--- intended\n+++ running now\n" in shown.detail
    assert not any(v in shown.detail for v in TEST_SECRETS.values())
    running, startup = small_lab.read(victim)
    assert added[0] in running and paths(startup) == paths(before)  # not saved
    assert "communelan-before.cfg" in _flash(small_lab, victim)  # the way back is kept
    fixed = _recover(small_lab, "before")
    assert (fixed.found, fixed.now, fixed.detail, fixed.settled) == (
        "between",
        "as before",
        "",
        True,
    )
    state, running, startup = small_lab.state(victim, before)
    assert state == "before" and paths(startup) == paths(running)
    assert "communelan-before.cfg" not in _flash(small_lab, victim)
    assert _outcome(small_lab, victim) == (
        [],
        "rolled back",
        [
            (victim, "", "between", "between", True),
            (victim, "before", "between", "as before", False),
        ],
    )


def test_a_refused_restore_leaves_it_between_and_journaled(small_lab: SafetyLab) -> None:
    victim = small_lab.names[3]
    before = _journaled(small_lab, victim)
    added = _half_changed(small_lab, victim, before)
    failed = _recover(small_lab, "before", REFUSE_RESTORE)
    assert (failed.found, failed.now, failed.settled) == ("between", "between", False)
    assert "Invalid input" in failed.detail or "configure replace failed" in failed.detail
    running, startup = small_lab.read(victim)
    assert added[0] in running and paths(startup) == paths(before)
    assert "communelan-before.cfg" in _flash(small_lab, victim)
    assert _outcome(small_lab, victim) == (
        [victim],
        "needs attention",
        [(victim, "before", "between", "between", True)],
    )
    with _session(small_lab, victim) as conn:  # left for an operator: cleaned up here
        conn.send_command(f"delete /force {COPY}")
    journal.end(small_lab.root / "build", victim)


def test_a_device_between_is_moved_forward_to_intended(small_lab: SafetyLab) -> None:
    victim = small_lab.names[0]
    before = _journaled(small_lab, victim)
    _half_changed(small_lab, victim, before)
    fixed = _recover(small_lab, "intended")
    assert (fixed.found, fixed.now, fixed.detail, fixed.settled) == (
        "between",
        "as intended",
        "",
        True,
    )
    state, running, startup = small_lab.state(victim, before)
    assert state == "intended" and paths(startup) == paths(running)
    assert "communelan-before.cfg" not in _flash(small_lab, victim)
    assert _outcome(small_lab, victim) == (
        [],
        "changed",
        [(victim, "intended", "between", "as intended", False)],
    )


@pytest.mark.parametrize("to", [None, "intended", "before"])
def test_a_device_found_as_intended(small_lab: SafetyLab, to: str | None) -> None:
    """Killed after the change but before the save: as intended is settled as it is (saved,
    copy deleted); `--to before` takes it back all the same."""
    victim = small_lab.names[2]
    before = _journaled(small_lab, victim)
    _as_intended(small_lab, victim)
    found = _recover(small_lab, to, REFUSE_RESTORE if to != "before" else None)
    back = to == "before"
    assert (found.found, found.now, found.settled) == (
        "as intended",
        "as before" if back else "",
        True,
    )
    # left as found: how it differs from before the change; put back: nothing to say
    shown = "" if back else "--- before the change\n+++ running now\n"
    assert found.detail.startswith(shown)
    assert bool(found.detail) != back
    state, running, startup = small_lab.state(victim, before)
    assert state == ("before" if back else "intended") and paths(startup) == paths(running)
    assert "communelan-before.cfg" not in _flash(small_lab, victim)
    result = "as before" if back else "as intended"
    assert _outcome(small_lab, victim) == (
        [],
        "rolled back" if back else "changed",
        [(victim, to or "", "as intended", result, False)],
    )


def test_a_device_it_cannot_reach_is_said_unreachable_and_stays_journaled(
    small_lab: SafetyLab,
) -> None:
    victim = small_lab.names[0]
    before = _journaled(small_lab, victim)
    added = _half_changed(small_lab, victim, before)
    lost = _recover(small_lab, "before", {"refuse_connections": True})
    assert (lost.host, lost.found, lost.now, lost.settled) == (victim, "unreachable", "", False)
    assert lost.detail == "NetmikoTimeoutException: TCP connection to device failed"
    assert added[0] in small_lab.read(victim)[0]  # nothing reached it
    assert sorted(journal.entries(small_lab.root / "build")) == [victim]  # for a later recover
    back = _recover(small_lab, "before")  # once it answers again
    assert (back.found, back.now, back.settled) == ("between", "as before", True), back
    running, startup = small_lab.read(victim)
    assert paths(running) == paths(before) and paths(startup) == paths(before)


FINGERPRINTS = "build/state/secret-fingerprints.json"


def _fingerprinted(lab: SafetyLab) -> list[str]:
    """The hosts the fingerprint store holds (a forward recovery saves its host's)."""
    path = lab.root / FINGERPRINTS
    return sorted(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else []


def test_an_unknown_target_is_refused_before_anything_is_read(small_lab: SafetyLab) -> None:
    victim = small_lab.names[1]
    _journaled(small_lab, victim)
    set_run_settings(RunSettings(root=small_lab.root, lab=True))
    with pytest.raises(InputError) as refused:
        run_recover(open_project([small_lab.codes]), "sideways")
    assert str(refused.value) == "--to: sideways: unknown target; fix: use before or intended"
    assert sorted(journal.entries(small_lab.root / "build")) == [victim]
    assert not (small_lab.root / "build" / "audit.jsonl").exists()
    journal.end(small_lab.root / "build", victim)


def test_a_forward_recovery_the_device_does_not_take_is_left_between(
    small_lab: SafetyLab,
) -> None:
    """A line of the remediation the device accepts without applying it: recover says the
    device is still between, with both diffs, keeps it journaled and fingerprints nothing."""
    victim = small_lab.names[0]
    before = _journaled(small_lab, victim)
    (small_lab.root / FINGERPRINTS).unlink(missing_ok=True)  # earlier tests' pushes
    _half_changed(small_lab, victim, before)
    ignored = next(x for x in small_lab.intended_lines(victim) if x.startswith("ntp server "))
    assert ignored not in small_lab.read(victim)[0]
    stuck = _recover(small_lab, "intended", {"ignore_commands": [f"^{ignored}$"]})
    assert (stuck.found, stuck.now, stuck.settled) == ("between", "between", False)
    assert "--- before the change\n+++ running now\n" in stuck.detail
    assert "\n--- intended\n+++ running now\n" in stuck.detail
    assert f"-{ignored}" in stuck.detail.replace("\n ", "\n")
    assert not any(v in stuck.detail for v in TEST_SECRETS.values())
    assert small_lab.state(victim, before)[0] == "between"
    assert "communelan-before.cfg" in _flash(small_lab, victim)  # the way back is kept
    assert _fingerprinted(small_lab) == []
    assert _outcome(small_lab, victim) == (
        [victim],
        "needs attention",
        [(victim, "intended", "between", "between", True)],
    )
    fixed = _recover(small_lab, "intended")  # once the device takes it
    assert (fixed.found, fixed.now, fixed.settled) == ("between", "as intended", True)
    assert _fingerprinted(small_lab) == [victim]
    assert small_lab.state(victim, before)[0] == "intended"


def test_a_copy_the_device_will_not_delete_is_named_once_it_is_put_back(
    small_lab: SafetyLab,
) -> None:
    victim = small_lab.names[2]
    before = _journaled(small_lab, victim)
    _half_changed(small_lab, victim, before)
    back = _recover(small_lab, "before", {"reject_commands": [r"^delete .*communelan-before"]})
    assert (back.found, back.now, back.settled) == ("between", "as before", True)
    assert back.detail.startswith(f"could not delete {COPY}: "), back.detail
    assert back.detail.endswith(" from the device") and "Invalid input" in back.detail
    assert small_lab.state(victim, before)[0] == "before"
    assert "communelan-before.cfg" in _flash(small_lab, victim)
    assert _outcome(small_lab, victim)[:2] == ([], "rolled back")
    with _session(small_lab, victim) as conn:  # left by the refusal: cleaned up here
        conn.send_command(f"delete /force {COPY}")
