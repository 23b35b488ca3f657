"""Reading devices for compliance and backup, in-process against one commune in the lab (the
real SSH server, the real Netmiko), small enough for every mutant of `bench/mutation.py`:
what `running_live` and `run_backup` hand on is what the device prints, read again here
with our own Netmiko session; an unreachable device is reported with why, never skipped by
the next task, and never stored. One lab per module; each test leaves the devices as found."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import netmiko
import pytest

from nornir_config.backup import git, run_backup
from nornir_config.compliance.run import running_live
from nornir_config.connection import close_all
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import RunningLab, start_lab, stop_lab
from nornir_config.project import Project, open_project
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import province_root

CODE = "15766"  # Xã An Nông: a router, a core and an access switch
# What IOS prints around a config that changes on every read (Cisco IOS Configuration
# Fundamentals, `show running-config`): never stored in a backup.
HEADER = re.compile(r"^(Building configuration|Current configuration|! Last configuration change)")
# Lines whose secret a backup replaces (IOS `secret 9`, `key 7`, `md5 ... 7`, SNMP keys).
SECRET = re.compile(r"(secret|key|md5|auth|priv|password|community)", re.IGNORECASE)


@dataclass
class Commune:
    project: Project
    lab: RunningLab
    hosts: list[str]

    def read(self, host: str) -> str:
        with netmiko.ConnectHandler(**self.lab.netmiko_params(host)) as conn:
            return str(conn.send_command("show running-config"))

    def send(self, host: str, commands: list[str]) -> None:
        with netmiko.ConnectHandler(**self.lab.netmiko_params(host)) as conn:
            conn.send_config_set(commands, cmd_verify=False)


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Commune]:
    before = run_settings()
    set_run_settings(RunSettings(root=province_root()))
    project = open_project([f"code={CODE}"])
    hosts = sorted(project.nr.inventory.hosts)
    province = project.province
    specs = [
        LabDeviceSpec(h, h, d.model, d.role, d.interfaces)
        for h in hosts
        for d in [province.device(h)]
    ]
    lab = start_lab(specs, tmp_path_factory.mktemp("lab"))
    lab.point(project.nr)
    try:
        yield Commune(project, lab, hosts)
    finally:
        project.nr.close_connections()
        stop_lab(lab)
        set_run_settings(before)


@pytest.fixture
def refused(commune: Commune) -> Iterator[str]:
    """The last host refuses connections for the test."""
    host = commune.hosts[-1]
    commune.lab.set_faults(host, refuse_connections=True)
    yield host
    commune.lab.clear_faults(host)


def lines(text: str) -> list[str]:
    found = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    found = [line for line in found if not HEADER.match(line)]
    while found and not found[0]:
        found.pop(0)
    while found and not found[-1]:
        found.pop()
    return found


def test_live_texts_are_what_the_devices_print_and_a_refusal_says_why(
    commune: Commune, refused: str
) -> None:
    nr = commune.project.nr
    nr.data.failed_hosts.add(commune.hosts[0])  # an earlier task failed it: read it anyway
    fetched = running_live(nr)
    assert sorted(fetched) == commune.hosts
    for host in commune.hosts[:-1]:
        text, reason = fetched[host]
        assert reason == "" and text is not None
        assert lines(text) == lines(commune.read(host)) and "hostname" in text
    text, reason = fetched[refused]
    assert text is None and "refused" in reason and "\n" not in reason
    # reported here as unknown: the next task on this Nornir must still try the device
    assert not nr.data.failed_hosts
    assert all(not host.connections for host in nr.inventory.hosts.values())  # hung up
    commune.lab.clear_faults(refused)
    again = running_live(nr)
    assert again[refused][1] == "" and again[refused][0] is not None


def test_a_backup_stores_what_each_device_prints_commits_only_changes_and_skips_failures(
    commune: Commune, refused: str, tmp_path: Path
) -> None:
    nr, repo = commune.project.nr, tmp_path / "backups"
    read = commune.hosts[:-1]
    first = run_backup(nr, repo, message="nightly")
    assert first.changed == read and first.unchanged == []
    assert list(first.failed) == [refused]
    assert first.failed[refused].startswith("NetmikoTimeoutException: TCP connection to device")
    assert not (repo / f"{refused}.cfg").exists()
    assert first.commit == git(repo, "rev-parse", "HEAD").strip() and len(first.commit) == 40
    assert git(repo, "log", "-1", "--format=%s").strip() == (
        f"nightly: {len(read)} changed: {', '.join(read)}"
    )
    for host in read:
        stored = (repo / f"{host}.cfg").read_text(encoding="utf-8")
        printed = lines(commune.read(host))
        assert stored.endswith("\n") and not stored.endswith("\n\n")
        kept = stored.rstrip("\n").split("\n")
        assert len(kept) == len(printed)
        for mine, theirs in zip(kept, printed, strict=True):
            assert mine == theirs or (SECRET.search(theirs) and "<removed>" in mine), (mine, theirs)
        assert "<removed>" in stored

    second = run_backup(nr, repo)
    assert (second.changed, second.commit) == ([], "")
    assert second.unchanged == read and list(second.failed) == [refused]

    host = read[0]
    commune.send(host, ["snmp-server location mutcomp-drift"])
    try:
        third = run_backup(nr, repo)
    finally:
        commune.send(host, ["no snmp-server location mutcomp-drift"])
    assert third.changed == [host] and third.unchanged == read[1:]
    assert "snmp-server location mutcomp-drift" in (repo / f"{host}.cfg").read_text("utf-8")
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"
    assert git(repo, "log", "-1", "--format=%s").strip() == f"backup: 1 changed: {host}"


def test_a_backup_reads_every_device_past_a_failed_one_and_one_an_earlier_task_failed(
    commune: Commune, tmp_path: Path
) -> None:
    """The first device (by name) refuses; the others are still read and stored, the second
    one too although an earlier task on this Nornir failed it."""
    nr, repo = commune.project.nr, tmp_path / "backups"
    first, second, *rest = commune.hosts
    close_all(nr)  # no session left from the tests before: each read logs in
    nr.data.failed_hosts.add(second)
    commune.lab.set_faults(first, refuse_connections=True)
    try:
        summary = run_backup(nr, repo)
    finally:
        commune.lab.clear_faults(first)
        close_all(nr)  # the other tests log in afresh too (a refusal needs a new login)
    assert list(summary.failed) == [first]
    assert summary.changed == [second, *rest]
    assert all((repo / f"{h}.cfg").is_file() for h in [second, *rest])
    assert not nr.data.failed_hosts


def test_a_device_that_refuses_the_show_is_unknown_and_never_backed_up(
    commune: Commune, tmp_path: Path
) -> None:
    """A login without the privilege: the device answers `show running-config` with its
    refusal, which is neither audited nor stored as the config (nor undone line by line)."""
    nr, repo = commune.project.nr, tmp_path / "backups"
    host, *others = commune.hosts
    close_all(nr)
    commune.lab.set_faults(host, reject_commands=[r"^show running-config"])
    try:
        fetched = running_live(nr)
        summary = run_backup(nr, repo)
    finally:
        commune.lab.clear_faults(host)
        close_all(nr)
    refusal = "the device refused `show running-config`: ^ % Invalid input detected at"
    text, reason = fetched[host]
    assert text is None and refusal in reason, reason
    assert all(fetched[h][1] == "" for h in others)
    assert list(summary.failed) == [host] and refusal in summary.failed[host]
    assert not (repo / f"{host}.cfg").exists() and summary.changed == others
