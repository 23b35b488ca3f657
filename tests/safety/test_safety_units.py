"""The safety modules' own promises, checked without a lab (fast enough to run for every mutant
of `bench/mutation.py`): the journal is durable and private, locks are all-or-none and name
their holder, the run state says what --retry-failed resumes, the redactor hides every form,
and the rollback's config comparison ignores only what changes on every read."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from netutils.password import encrypt_cisco_type7

from nornir_config.errors import InputError
from nornir_config.platforms import driver
from nornir_config.push import journal
from nornir_config.push.lock import holder_text, lock_devices
from nornir_config.push.recover import Recovery, _record
from nornir_config.push.rollback import body_lines, config_paths
from nornir_config.push.state import (
    STATE_FILE,
    DeviceReport,
    Outcome,
    load_verified,
    new_run_id,
    save_state,
    unfinished_hosts,
    update_state,
)
from nornir_config.secrets import Secrets, load_secrets, redact, write_secrets_file

PLATFORM = driver("cisco_ios")


def _entry(host: str, run: str = "r1") -> journal.JournalEntry:
    return journal.JournalEntry(
        host=host,
        run=run,
        method="merge",
        pid=4242,
        started="2026-12-02T01:00:00+00:00",
        before_file=f"/b/{host}.cfg",
        device_file="flash:copy.cfg",
        intended_file=f"/i/{host}.cfg",
    )


# -- journal -------------------------------------------------------------------------------


def test_journal_entries_are_private_durable_and_forgotten_at_the_end(tmp_path: Path) -> None:
    assert journal.entries(tmp_path) == {}  # no folder yet
    journal.begin(tmp_path, _entry("R1"))
    journal.begin(tmp_path, _entry("S1", run="r2"))
    folder = tmp_path / "journal"
    assert journal.journal_dir(tmp_path) == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    path = folder / "R1.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["R1.json", "S1.json"]  # no temp left
    assert json.loads(path.read_text(encoding="utf-8"))["device_file"] == "flash:copy.cfg"
    assert path.read_text(encoding="utf-8").endswith("}\n")
    found = journal.entries(tmp_path)
    assert list(found) == ["R1", "S1"]
    assert found["R1"] == _entry("R1") and found["S1"] == _entry("S1", run="r2")
    journal.begin(tmp_path, _entry("R1", run="r3"))  # a new run replaces the entry
    assert journal.entries(tmp_path)["R1"].run == "r3"
    journal.end(tmp_path, "R1")
    journal.end(tmp_path, "R1")  # twice: nothing to forget
    assert list(journal.entries(tmp_path)) == ["S1"]


def test_journal_folder_is_made_private_and_a_non_json_file_is_not_an_entry(
    tmp_path: Path,
) -> None:
    build = tmp_path / "deep" / "build"
    journal.begin(build, _entry("R1"))
    assert stat.S_IMODE((build / "journal").stat().st_mode) == 0o700
    (build / "journal" / "notes.txt").write_text("x")
    assert list(journal.entries(build)) == ["R1"]


def test_journal_time_is_utc_to_the_second() -> None:
    stamp = journal.now()
    assert stamp.endswith("+00:00") and len(stamp) == len("2026-12-02T01:00:00+00:00")


# -- locks ---------------------------------------------------------------------------------


def test_locks_name_their_holder_and_refuse_a_second_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMUNELAN_OPERATOR", "lan")
    held = lock_devices(tmp_path, ["S1", "R1", "R1"], command="communelan push")
    assert sorted(held.held) == ["R1", "S1"]
    assert held.folder == tmp_path / "locks"
    data = json.loads((tmp_path / "locks" / "R1.lock").read_text(encoding="utf-8"))
    assert data["pid"] == os.getpid() and data["user"] == "lan" and data["host"] == "R1"
    assert data["command"] == "communelan push" and data["started"].endswith("+00:00")
    with pytest.raises(InputError) as refused:
        lock_devices(tmp_path, ["A0", "S1"], command="communelan recover")
    text = str(refused.value)
    assert "device S1" in text and "S1.lock" in text
    assert f"pid {os.getpid()}" in text and "user lan" in text
    assert "command 'communelan push'" in text and "started 20" in text
    assert text.endswith("; fix: wait for that run to finish")
    # all or none: the device locked before the refusal was let go
    again = lock_devices(tmp_path, ["A0"])
    again.release()
    held.release()
    assert held.held == {}
    after = lock_devices(tmp_path, ["S1"], command="communelan push --retry-failed")
    assert json.loads((tmp_path / "locks" / "S1.lock").read_text())["command"].endswith("failed")
    after.release()


def test_lock_command_defaults_to_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["/usr/bin/communelan", "push", "--filter", "code=1"])
    build = tmp_path / "not" / "yet"  # made on the way
    held = lock_devices(build, ["R1"])
    data = json.loads((build / "locks" / "R1.lock").read_text(encoding="utf-8"))
    held.release()
    assert data["command"] == "communelan push --filter code=1"


def test_a_garbled_lock_file_still_gives_one_line(tmp_path: Path) -> None:
    held = lock_devices(tmp_path, ["R1"])
    (tmp_path / "locks" / "R1.lock").write_text("not json")
    with pytest.raises(InputError) as refused:
        lock_devices(tmp_path, ["R1"])
    held.release()
    assert "pid ?, user ?, command '?', started ?" in str(refused.value)


def test_holder_text() -> None:
    data: dict[str, object] = {"pid": 7, "user": "u", "command": "c", "started": "s"}
    assert holder_text(data) == "pid 7, user u, command 'c', started s"


# -- run state -----------------------------------------------------------------------------


def test_finished_outcomes() -> None:
    done = {o for o in Outcome if o.finished}
    assert done == {Outcome.UNCHANGED, Outcome.CHANGED, Outcome.WOULD_CHANGE}


def test_state_says_what_retry_failed_resumes(tmp_path: Path) -> None:
    build = tmp_path / "build"
    assert unfinished_hosts(build) is None
    reports = {
        "R1": DeviceReport("R1", Outcome.CHANGED, "merge"),
        "S2": DeviceReport("S2", Outcome.ROLLED_BACK, "merge"),
        "S1": DeviceReport("S1", Outcome.SKIPPED, "merge"),
    }
    path = save_state(build, "run-1", reports)
    assert path == build / STATE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "run": "run-1",
        "devices": {"R1": "changed", "S1": "skipped", "S2": "rolled back"},
        "salt": data["salt"],  # of the fingerprints of verified configs: none here
        "verified": {},
    }
    assert list(data["devices"]) == ["R1", "S1", "S2"]
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert sorted(p.name for p in build.iterdir()) == [STATE_FILE]  # no temp file left
    assert unfinished_hosts(build) == ["S1", "S2"]
    update_state(build, "run-2", {"S2": Outcome.CHANGED})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["run"] == "run-2"
    assert data["devices"] == {"R1": "changed", "S1": "skipped", "S2": "changed"}
    assert unfinished_hosts(build) == ["S1"]


def test_state_keeps_the_verified_configs_of_devices_a_run_did_not_touch(tmp_path: Path) -> None:
    build = tmp_path / "build"
    verified = DeviceReport("R1", Outcome.CHANGED, "merge", protected=["x"], verified="ab" * 32)
    save_state(
        build, "run-1", {"R1": verified, "S1": DeviceReport("S1", Outcome.CHANGED, "")}, "pepper"
    )
    salt, entries = load_verified(build)
    assert salt == "pepper"
    assert set(entries) == {"R1"} and entries["R1"].protected == ("x",)
    # a recover of S1 keeps R1's outcome and fingerprint
    update_state(build, "run-1r", {"S1": Outcome.ROLLED_BACK})
    assert load_verified(build) == (salt, entries)
    saved = json.loads((build / STATE_FILE).read_text(encoding="utf-8"))
    assert (saved["run"], saved["devices"]) == ("run-1r", {"R1": "changed", "S1": "rolled back"})
    # a run under the same key that did not touch R1 keeps its fingerprint
    save_state(build, "run-1b", {"S1": DeviceReport("S1", Outcome.CHANGED, "")}, "pepper")
    assert load_verified(build) == (salt, entries)
    update_state(build, "run-2", {"S1": Outcome.ROLLED_BACK})
    assert load_verified(build) == (salt, entries)
    update_state(build, "run-3", {"R1": Outcome.NEEDS_ATTENTION})
    assert load_verified(build) == (salt, {})  # a device in doubt is computed again
    save_state(build, "run-4", {"R1": verified}, salt="another key")
    assert load_verified(build)[0] == "another key"


def test_a_state_file_that_is_not_ours_gives_a_new_salt_and_no_fingerprints(
    tmp_path: Path,
) -> None:
    for text in ('["R1"]', '{"run": "r", "devices": {}, "verified": {}}'):  # no salt in it
        (tmp_path / STATE_FILE).write_text(text, encoding="utf-8")
        salt, verified = load_verified(tmp_path)
        assert isinstance(salt, str) and len(salt) >= 16 and verified == {}
    assert load_verified(tmp_path)[0] != load_verified(tmp_path)[0]  # drawn each time


def test_update_state_without_an_earlier_run(tmp_path: Path) -> None:
    build = tmp_path / "not" / "yet"  # made on the way
    update_state(build, "run-1", {"R1": Outcome.NEEDS_ATTENTION})
    assert unfinished_hosts(build) == ["R1"]


def test_device_report_dict() -> None:
    report = DeviceReport("R1", Outcome.NEEDS_ATTENTION, "merge", reason="why")
    data = report.to_dict()
    assert data["outcome"] == "needs attention" and data["reason"] == "why"
    assert type(data["outcome"]) is str  # the value, not the enum
    assert sorted(data) == sorted(
        ["host", "outcome", "method", "reason", "commands", "diff", "now", "protected",
         "unowned", "seconds", "verified"]
    )  # fmt: skip
    assert data["commands"] == [] and data["now"] == "" and data["seconds"] == 0.0


# -- the redactor --------------------------------------------------------------------------

CLEAR = {"ntp_key": "NtpKey-2026", "tacacs_key": "Tac4cs!Key", "password_admin": "Adm1n-Pass"}


def test_redactor_hides_clear_values_and_every_type7_form() -> None:
    secrets = Secrets(CLEAR)
    for salt in (0, 7, 15):
        seven = str(encrypt_cisco_type7(CLEAR["tacacs_key"], salt=salt))
        text = redact(f"tacacs server T\n key 7 {seven}\n", secrets, PLATFORM)
        assert seven not in text and "Tac4cs" not in text
    shown = secrets.redact("ntp key NtpKey-2026 and NTPKEY-2026 and Adm1n-Pass")
    assert shown == "ntp key <secret:ntp_key> and <secret:ntp_key> and <secret:password_admin>"


def test_redactor_skips_empty_and_very_short_values() -> None:
    secrets = Secrets({"a": "", "b": "abc", "c": "abcd"})
    assert secrets.redact("abc abcd") == "abc <secret:c>"


def test_redactor_prefers_the_longest_value() -> None:
    secrets = Secrets({"short": "Secret", "long": "Secret-Longer"})
    assert secrets.redact("Secret-Longer") == "<secret:long>"


def test_redactor_hides_tokens_on_diff_lines_and_keeps_the_marks() -> None:
    secrets = Secrets(CLEAR)
    hashed = "$9$Euax/PM1YOb5xE$IWtzzh6X55XxMhEx0LhKryAwaehLeH5GE47AFARlOhg"
    diff = (
        "--- running\n+++ intended\n"
        f"+username admin privilege 15 secret 9 {hashed}\n"
        f"-enable secret 9 {hashed}\n"
        " hostname R1\n"
    )
    shown = redact(diff, secrets, PLATFORM)
    assert hashed not in shown
    lines = shown.split("\n")
    assert lines[0] == "--- running" and lines[1] == "+++ intended"
    assert lines[2].startswith("+username admin privilege 15 secret")
    assert lines[3].startswith("-enable secret") and lines[4] == " hostname R1"
    assert len(lines) == len(diff.split("\n"))


def test_redactor_hides_a_hash_quoted_inside_a_message() -> None:
    hashed = "$9$Euax/PM1YOb5xE$IWtzzh6X55XxMhEx0LhKryAwaehLeH5GE47AFARlOhg"
    text = f"invalid input at 'enable secret 9 {hashed}'"
    assert hashed not in redact(text, Secrets({}), PLATFORM)


def test_redactor_leaves_plain_text_alone() -> None:
    text = "+interface GigabitEthernet0/0/1\n- description LAN\nhostname R1"
    assert redact(text, Secrets(CLEAR), PLATFORM) == text


# -- the rollback's comparison -------------------------------------------------------------

PRINTED = (
    "Building configuration...\n\nCurrent configuration : 120 bytes\n!\n"
    "! Last configuration change at 10:00:00 ICT Mon Nov 3 2025 by admin\n!\n"
    "hostname R1\n!\ninterface Gi0/1\n description A\n!\ninterface Gi0/2\n description A\n!\nend\n"
)


def test_body_lines_drop_only_the_volatile_header() -> None:
    lines = body_lines(PRINTED, PLATFORM)
    assert lines[0] == "hostname R1"
    assert " description A" in lines and "end" in lines


def test_config_paths_tell_sections_apart_but_not_their_order() -> None:
    paths = config_paths(PRINTED, PLATFORM)
    assert ("interface Gi0/1", " description A") in paths
    assert ("interface Gi0/2", " description A") in paths
    swapped = PRINTED.replace("Gi0/1", "GiX").replace("Gi0/2", "Gi0/1").replace("GiX", "Gi0/2")
    assert config_paths(swapped, PLATFORM) == paths
    moved = PRINTED.replace("interface Gi0/2\n description A", "interface Gi0/2\n description B")
    assert config_paths(moved, PLATFORM) != paths


def test_redactor_hides_a_key_it_does_not_know_on_a_diff_line() -> None:
    """A device's old key (not a secret we hold) in NAPALM's diff: only the token rules,
    applied after the `+`/`-` mark, can see it."""
    old = str(encrypt_cisco_type7("an-old-device-key", salt=3))
    diff = f"-tacacs server T\n- key 7 {old}\n+ntp authentication-key 1 md5 {old} 7\n"
    shown = redact(diff, Secrets(CLEAR), PLATFORM)
    assert old not in shown
    assert shown.split("\n")[0] == "-tacacs server T"
    assert shown.split("\n")[1].startswith("- key 7 ")


def test_secrets_file_is_written_private_and_reads_back(tmp_path: Path) -> None:
    path = write_secrets_file(tmp_path / "new" / "dir" / "secrets.yaml", CLEAR)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert dict(load_secrets(path, environ={}).values) == CLEAR


def test_redactor_takes_a_secret_too_long_for_a_reversible_form() -> None:
    long = "a-password-longer-than-25-characters"
    assert Secrets({"password_admin": long}).redact(f"x {long} y") == "x <secret:password_admin> y"


def test_the_record_names_each_device_under_one_run(tmp_path: Path) -> None:
    """A host whose task failed outright (no Recovery) is skipped, the others recorded: the
    audit and the push state under the same new run id."""
    build = tmp_path / "build"
    found: list[object] = [
        Recovery("S1", "run-7", "between"),
        ValueError("the task failed"),
        Recovery("S2", "run-7", "between", "as intended"),
        Recovery("S3", "run-7", "as before"),
    ]
    for host in ("S1", "S2", "S3"):
        journal.begin(build, _entry(host, "run-7"))
    _record(build, found, "intended")
    audit = [json.loads(x) for x in (build / "audit.jsonl").read_text().splitlines()]
    state = json.loads((build / "push-state.json").read_text(encoding="utf-8"))
    assert [(r["device"], r["result"]) for r in audit] == [
        ("S1", "between"),
        ("S2", "as intended"),
        ("S3", "as before"),
    ]
    assert {r["run"] for r in audit} == {state["run"]}
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", state["run"]), state["run"]
    assert state["devices"] == {
        "S1": "needs attention",
        "S2": "changed",
        "S3": "rolled back",
    }
    assert sorted(journal.entries(build)) == ["S1"]


def test_a_run_id_sorts_by_its_start_and_differs_between_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")  # an office's clock: UTC+7
    time.tzset()
    try:
        first, second = new_run_id(), new_run_id()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", first), first
    assert first != second and first[:16] <= second[:16]
    started = datetime.strptime(first[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - started).total_seconds()) < 60  # UTC, not local time
