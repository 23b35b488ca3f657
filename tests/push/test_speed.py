"""A merge push in a few round trips: the remediation goes as one file (written by Tcl, applied
with `copy ... running-config`), and still ends where typing it line by line ends; refused
lines are named; the lab's WAN link delays every chunk without serialising pipelined input.

Reference for the device side: Cisco IOS prints every line a `copy <file> running-config`
refuses, a caret under it and `% Invalid input detected at '^' marker.`, and goes on with the
rest (Cisco IOS Configuration Fundamentals, "Managing Configuration Files"); NAPALM's IOS
driver merges the same way (`copy flash:merge_config.txt running-config`, inline Tcl transfer
with `inline_transfer`).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from nornir_config.errors import InputError
from nornir_config.lab.faults import load_faults
from nornir_config.lab.testing import RunningLab
from nornir_config.platforms import driver
from nornir_config.platforms.cisco_ios.lab import hconfig as lab_hconfig
from nornir_config.push import Outcome
from nornir_config.push.diff import hconfig, remediation
from nornir_config.push.session import deliver, send_config
from tests.conftest import write_intended
from tests.push.conftest import PushEnv

PLATFORM = driver("cisco_ios")


def _lines(show_running: str) -> set[str]:
    return set(hconfig(show_running, PLATFORM).dump_simple())


def test_file_delivery_ends_where_typing_ends(push_env: PushEnv) -> None:
    """The full rendered config (banner, sections, removals, a new hostname) from a factory
    switch: delivered as a file and typed line by line, then read back over SSH."""
    push_env.use_rendered()
    name = push_env.names[-1]
    target = push_env.intended[name]
    assert "banner motd" in target
    factory = push_env.before[name].replace(f"hostname {name}", "hostname Switch")
    read: dict[str, str] = {}
    for path in ("file", "typed"):
        push_env.lab.call(
            lambda: push_env.lab.device(name).replace(lab_hconfig.parse(factory), "console")
        )
        with ConnectHandler(**push_env.lab.netmiko_params(name)) as conn:
            commands = remediation(conn.send_command("show running-config"), target, PLATFORM)
            assert len(commands) > 100 and "hostname " + name in commands
            if path == "file":
                delivered = deliver(conn, commands, PLATFORM)
                assert "bytes copied" in delivered.output  # one copy, not typed
                assert not remediation(delivered.running, target, PLATFORM)
            else:
                send_config(conn, commands, PLATFORM)
        with ConnectHandler(**push_env.lab.netmiko_params(name)) as conn:
            assert conn.find_prompt() == f"{name[:20]}#"
            read[path] = conn.send_command("show running-config")
    assert _lines(read["file"]) == _lines(read["typed"])
    assert not remediation(read["file"], target, PLATFORM)
    flash = push_env.lab.call(lambda: sorted(push_env.lab.device(name).flash.files))
    assert not any("communelan" in f for f in flash)  # the delivery file is gone


def test_refused_lines_are_named_and_rolled_back(push_env: PushEnv) -> None:
    victim = push_env.names[1]
    push_env.lab.set_faults(victim, reject_commands=["^logging buffered", "^ip domain name"])
    report = push_env.push([f"host={victim}"]).reports[victim]
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert "logging buffered 64000 informational" in report.reason, report.reason
    assert "ip domain name thanhhoa.gov.vn" in report.reason, report.reason
    push_env.lab.clear_faults()
    assert push_env.is_before(victim)


def test_banner_and_hostname_change_converge(push_env: PushEnv) -> None:
    name = push_env.names[0]
    tree = lab_hconfig.parse(push_env.intended[name])
    hostname = tree.get_child(startswith="hostname ")
    assert hostname is not None
    hostname.text = "hostname HT-RENAMED-RT01"
    tree.add_child("banner login ^C\nAuthorised access only\nThanh Hoa province\n^C")
    intended = lab_hconfig.render(tree)
    write_intended(push_env.root, {name: intended})
    push_env.intended[name] = intended
    first = push_env.push([f"host={name}"]).reports[name]
    assert first.outcome == Outcome.CHANGED, first
    assert push_env.is_intended(name)
    assert push_env.lab.call(lambda: push_env.lab.device(name).hostname) == "HT-RENAMED-RT01"
    again = push_env.push([f"host={name}"]).reports[name]
    assert again.outcome == Outcome.UNCHANGED, again


def test_change_tcl_cannot_carry_is_typed(push_env: PushEnv) -> None:
    """A brace in the change: Tcl would not write it as it is, so the lines are typed."""
    name = push_env.names[2]
    intended = push_env.intended[name].replace(
        "description PUSH-TEST uplink", "description PUSH-TEST {uplink}"
    )
    assert intended != push_env.intended[name]
    write_intended(push_env.root, {name: intended})
    push_env.intended[name] = intended
    report = push_env.push([f"host={name}"]).reports[name]
    assert report.outcome == Outcome.CHANGED, report
    assert push_env.is_intended(name)


def test_rtt_delays_each_way_without_serialising(lab: RunningLab) -> None:
    rtt, count = 0.2, 10
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        lab.set_faults("LAB-S1", rtt=rtt)
        began = time.monotonic()
        conn.write_channel("show clock\n")
        conn.read_until_pattern(pattern=r"UTC[^\n]*\n[^\n]*#")
        one = time.monotonic() - began
        began = time.monotonic()
        conn.write_channel("show clock\n" * count)
        output = ""
        while output.count("UTC") < count and time.monotonic() - began < 10:
            output += conn.read_channel()
            time.sleep(0.01)
        pipelined = time.monotonic() - began
        lab.clear_faults("LAB-S1")
    assert output.count("UTC") == count
    assert one >= rtt  # rtt/2 there, rtt/2 back
    assert pipelined < 3 * rtt < count * rtt  # one round trip, not one per line


def test_rtt_in_a_faults_file(tmp_path: Path) -> None:
    good = tmp_path / "faults.yaml"
    good.write_text("hac-thanh-*: {rtt: 0.05}\n", encoding="utf-8")
    assert load_faults(good) == {"hac-thanh-*": {"rtt": 0.05}}
    bad = tmp_path / "bad.yaml"
    bad.write_text("R1: {rtt: far}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"R1\.rtt"):
        load_faults(bad)


def test_a_session_opened_to_read_reads_in_its_setup_write(
    push_env: PushEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Login and the first read in one write (no newline sent to find the prompt): the text
    and the prompt are what Netmiko's send_command and set_base_prompt give on that session,
    and the session hangs up without a farewell round trip."""
    from netmiko.base_connection import BaseConnection

    from nornir_config.connection import get_running_config, hang_up, login, prepare_connections

    project = push_env.project()
    prepare_connections(project.nr, project.settings)
    name = push_env.names[-1]
    host = project.nr.inventory.hosts[name]
    writes: list[str] = []
    write = BaseConnection.write_channel

    def spy(self: BaseConnection, out_data: str) -> None:
        writes.append(out_data)
        write(self, out_data)

    monkeypatch.setattr(BaseConnection, "write_channel", spy)
    conn, text = login(host, project.nr.config, "show running-config")
    assert len(writes) == 1 and writes[0].endswith("show running-config\n"), writes
    assert text is not None and text.startswith("Building configuration")
    assert text.rstrip().endswith("end") and name not in text.splitlines()[-1]
    learnt = conn.base_prompt
    assert learnt == conn.set_base_prompt() == name[:16]  # Netmiko's IOS rule: 16 characters
    again = str(conn.send_command("show running-config"))
    assert _lines(again) == _lines(text) and len(again.splitlines()) == len(text.splitlines())
    assert login(host, project.nr.config, "show running-config")[1] is None  # already open
    writes.clear()
    one = project.nr.filter(name=name)
    assert one.run(task=get_running_config)[name][0].result == again  # on the open session
    assert writes == ["show running-config\n"]
    hang_up(host)
    assert "netmiko" not in host.connections and conn.remote_conn is None
    assert login(host, project.nr.config)[0].base_prompt == learnt  # a new session logs in


def test_rollback_delivers_its_lines_as_one_file(
    push_env: PushEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A push of 150 lines fails on a refused line and the device refuses its own
    `configure replace` (only from the change on: one it refuses before the change is left
    untouched): the remediation back goes as one file, as a merge does, in a handful of
    writes whatever its length, and the device ends as before."""
    from netmiko.base_connection import BaseConnection

    victim = push_env.names[-1]
    vlans = "".join(f"vlan {n}\n name ROLLBACK-{n}\n" for n in range(200, 275))
    intended = push_env.intended[victim].replace("\nend", f"\n{vlans}end")
    write_intended(push_env.root, {victim: intended})
    push_env.lab.set_faults(victim, reject_commands=["^ip domain name"])
    writes: list[str] = []
    write = BaseConnection.write_channel

    def spy(self: BaseConnection, out_data: str) -> None:
        if out_data.startswith("copy flash:") and not any(
            w.startswith("copy flash:") for w in writes
        ):
            push_env.lab.set_faults(victim, fail_replace=True)  # the change starts
        writes.append(out_data)
        write(self, out_data)

    monkeypatch.setattr(BaseConnection, "write_channel", spy)
    report = push_env.push([f"host={victim}"]).reports[victim]
    assert report.outcome == Outcome.ROLLED_BACK, (report.reason, report.now)
    assert "ip domain name" in report.reason and "configure replace failed" in report.reason
    assert len(report.commands) > 150
    copies = [w for w in writes if w.startswith("copy flash:") and "running-config" in w]
    assert len(copies) == 2, writes  # the merge's file, then the rollback's
    assert any("no vlan 274" in w for w in writes)  # the rollback's file
    assert len(writes) < 30, len(writes)
    push_env.lab.clear_faults()
    assert push_env.is_before(victim), remediation(
        push_env.running(victim), push_env.before[victim], PLATFORM
    )


def test_a_first_push_in_a_few_writes(push_env: PushEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step of a first push in one write each, whatever the change's length: login and
    read, the device's own copy (both of IOS's questions answered ahead), the way back's proof
    with the upload, then the copy into the running config with the file's deletion, the
    banner, the save and the re-read; then the access check's new login and the copy's
    deletion."""
    from netmiko.base_connection import BaseConnection

    push_env.use_rendered()
    name = push_env.names[-1]
    assert "banner motd" in push_env.intended[name]
    push_env.lab.call(  # a copy an earlier run left: IOS asks before it writes over it
        lambda: push_env.lab.device(name).flash.write("communelan-before.cfg", b"old\n")
    )
    writes: list[str] = []
    write = BaseConnection.write_channel

    def spy(self: BaseConnection, out_data: str) -> None:
        writes.append(out_data)
        write(self, out_data)

    monkeypatch.setattr(BaseConnection, "write_channel", spy)
    report = push_env.push([f"host={name}"]).reports[name]
    assert report.outcome == Outcome.CHANGED, report
    assert len(report.commands) > 100
    assert push_env.is_intended(name)
    copy = [w for w in writes if w.startswith("copy running-config flash:")]
    assert copy == ["copy running-config flash:communelan-before.cfg\n\n\n"], writes
    delivery = [w for w in writes if w.startswith("copy flash:communelan-merge.cfg")]
    assert len(delivery) == 1, writes
    steps = ["delete /force flash:communelan-merge.cfg", "banner motd", "write memory"]
    at = [delivery[0].index(step) for step in [*steps, "show running-config"]]
    assert at == sorted(at), delivery
    # Netmiko's farewell (`\n`, `exit`) goes to a session `hang_up` closed already
    sent = [w for w in writes if w not in ("\n", "exit\n")]
    assert len(sent) == 6, sent
    # the change's file is written in the way back's write: after the restore proved it
    way_back = [w for w in sent if w.startswith("configure replace flash:communelan-before")]
    assert len(way_back) == 1 and "\ntclsh\n" in way_back[0], sent
    flash = push_env.lab.call(lambda: sorted(push_env.lab.device(name).flash.files))
    assert not any("communelan" in f for f in flash), flash  # both files gone
