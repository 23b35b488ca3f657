"""The backup store's promises, checked without a lab (fast enough for every mutant of
`bench/mutation.py`): what is stored has no volatile line and no secret, an unchanged device
makes no commit, and each commit names what changed. Volatile lines are the ones IOS prints
on every read (Cisco IOS Configuration Fundamentals, `show running-config`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nornir_config.backup import clean_config, ensure_repo, git, store
from nornir_config.platforms import driver

CISCO = driver("cisco_ios")

READ = (
    "\r\n\r\nBuilding configuration...\r\n\r\nCurrent configuration : 1234 bytes\r\n"
    "! Last configuration change at 10:00:00 ICT Mon Nov 3 2025 by admin\r\n"
    "! NVRAM config last updated at 10:00:01 ICT Mon Nov 3 2025 by admin\r\n"
    "!\r\nhostname R1   \r\nenable secret 9 $9$salt$hashhashhash\r\n"
    "ntp clock-period 17179869\r\nusername admin privilege 15 secret 9 $9$a$b\r\n"
    " description keeps its indent\r\n!\r\nend\r\n\r\n\r\n"
)


def test_clean_config_drops_volatile_lines_and_secrets() -> None:
    assert clean_config(READ, CISCO) == (
        "!\nhostname R1\nenable secret 9 <removed>\n"
        "username admin privilege 15 secret 9 <removed>\n"
        " description keeps its indent\n!\nend\n"
    )
    assert clean_config("hostname R1", CISCO) == "hostname R1\n"
    assert clean_config("hostname ROUTERX\n\n", CISCO) == "hostname ROUTERX\n"
    # Volatile lines are top-level: an indented line that reads like one is config.
    assert clean_config("x\n ntp clock-period 1\n", CISCO) == "x\n ntp clock-period 1\n"
    assert clean_config("", CISCO) == "\n"
    # A line only looking like a volatile one further in is kept.
    assert clean_config("banner Building configuration\n", CISCO) == (
        "banner Building configuration\n"
    )


def _log(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s|%an|%ae|%cn|%ce").splitlines()


def test_store_commits_only_what_changed_and_names_it(tmp_path: Path) -> None:
    repo = tmp_path / "backups" / "deep"
    changed, commit = store(repo, {"R1": "hostname R1\n", "S1": "hostname S1\n"}, "first")
    assert changed == ["R1", "S1"]
    assert commit == git(repo, "rev-parse", "HEAD").strip() and len(commit) == 40
    assert _log(repo) == [
        "first: 2 changed: R1, S1|communelan|communelan@localhost|communelan|communelan@localhost"
    ]
    assert sorted(p.name for p in repo.iterdir()) == [".git", "R1.cfg", "S1.cfg"]  # no temp
    assert (repo / "R1.cfg").read_text(encoding="utf-8") == "hostname R1\n"

    assert store(repo, {"R1": "hostname R1\n", "S1": "hostname S1\n"}, "again") == ([], "")
    assert len(_log(repo)) == 1  # an unchanged device makes no commit

    changed, second = store(repo, {"R1": "hostname R1\n", "S1": "hostname S1-new\n"}, "b")
    assert changed == ["S1"] and second != commit
    assert _log(repo)[0].split("|")[0] == "b: 1 changed: S1"
    assert git(repo, "status", "--porcelain") == ""  # everything written is committed


def test_a_large_backup_names_twenty_hosts_and_counts_the_rest(tmp_path: Path) -> None:
    hosts = {f"h{i:02d}": f"hostname h{i:02d}\n" for i in range(23)}
    changed, _ = store(tmp_path, hosts, "all")
    assert changed == sorted(hosts)
    shown = ", ".join(sorted(hosts)[:20])
    assert _log(tmp_path)[0].split("|")[0] == f"all: 23 changed: {shown} and 3 more"
    one_more = {f"u{i:02d}": "x\n" for i in range(21)}
    store(tmp_path, one_more, "21")
    assert _log(tmp_path)[0].split("|")[0].endswith(", u19 and 1 more")
    twenty = {f"t{i:02d}": "x\n" for i in range(20)}
    store(tmp_path, twenty, "twenty")
    assert _log(tmp_path)[0].split("|")[0] == f"twenty: 20 changed: {', '.join(sorted(twenty))}"


def test_a_failing_git_command_raises(tmp_path: Path) -> None:
    ensure_repo(tmp_path)
    with pytest.raises(subprocess.CalledProcessError):
        git(tmp_path, "no-such-git-command")


def test_host_names_git_would_quote_are_read_back(tmp_path: Path) -> None:
    changed, _ = store(tmp_path, {"tên thiết bị": "x\n", "b r": "y\n"}, "odd")
    assert changed == ["b r", "tên thiết bị"]


def test_an_existing_repository_is_kept(tmp_path: Path) -> None:
    ensure_repo(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")
    git(tmp_path, "add", "notes.txt")
    git(tmp_path, "commit", "-q", "-m", "notes")
    ensure_repo(tmp_path)
    store(tmp_path, {"R1": "x\n"}, "m")
    assert [line.split("|")[0] for line in _log(tmp_path)] == ["m: 1 changed: R1", "notes"]
    # Only the stored hosts' files are looked at and committed.
    assert git(tmp_path, "status", "--porcelain") == ""
    (tmp_path / "other.cfg").write_text("untracked\n")
    assert store(tmp_path, {"R1": "x\n"}, "n") == ([], "")
    assert (
        subprocess.run(
            ["git", "-C", str(tmp_path), "ls-files", "other.cfg"], capture_output=True, text=True
        ).stdout
        == ""
    )
