"""Lab-free units of the connection code: credentials, known_hosts filtering, failure reasons,
a refused show of the running config, and the file delivery's pure helpers (fast enough for
mutmut to run per mutant)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import paramiko
import pytest
from netmiko.exceptions import NetmikoTimeoutException

from nornir_config.connection import (
    ENABLE_ENV,
    KNOWN_HOSTS_ENV,
    PASSWORD_ENV,
    TIMEOUTS,
    USERNAME_ENV,
    credentials_from,
    failure_reason,
    host_key_name,
    known_hosts_path,
    lines_naming,
    own_known_hosts,
    reason_class,
    shown_config,
    ssh_options,
    why,
)
from nornir_config.errors import InputError
from nornir_config.lab.files import LabCredentials, write_credentials
from nornir_config.platforms import driver
from nornir_config.push.transfer import _failure, file_text, refused_lines
from nornir_config.secrets import FILE_ENV, write_secrets_file
from nornir_config.settings import RunSettings

IOS_ERROR = r"^% (Invalid|Incomplete|Ambiguous)"


def test_credentials_from_environment_then_secrets_file(tmp_path: Path) -> None:
    settings = RunSettings(root=tmp_path / "root")
    env = {USERNAME_ENV: "noc", PASSWORD_ENV: "pw-1", ENABLE_ENV: "en-1"}
    creds = credentials_from(settings, env)
    assert (creds.username, creds.password, creds.enable_secret) == ("noc", "pw-1", "en-1")
    assert creds.source == "environment" and "pw-1" not in repr(creds)
    store = write_secrets_file(
        tmp_path / "store" / "s.yaml",
        {"username": "file-u", "password": "file-p", "enable_secret": "e"},
    )
    from_file = credentials_from(settings, {FILE_ENV: str(store), USERNAME_ENV: "env-u"})
    assert (from_file.username, from_file.password, from_file.enable_secret) == (
        "env-u",
        "file-p",
        "e",
    )
    assert from_file.source == "secrets file"
    with pytest.raises(InputError) as refused:
        empty = write_secrets_file(tmp_path / "store" / "empty.yaml", {"ntp_key": "k"})
        credentials_from(settings, {FILE_ENV: str(empty)})
    text = str(refused.value)
    assert USERNAME_ENV in text and PASSWORD_ENV in text and "--lab" in text


def test_lab_credentials_and_known_hosts(tmp_path: Path) -> None:
    root = tmp_path / "root"
    lab = RunSettings(root=root, lab=True)
    with pytest.raises(InputError) as missing:
        credentials_from(lab, {})
    assert "communelan lab up" in str(missing.value)
    write_credentials(lab.lab_dir, LabCredentials("lab-u", "lab-p", "lab-s"))
    creds = credentials_from(lab, {USERNAME_ENV: "ignored", PASSWORD_ENV: "ignored"})
    assert (creds.username, creds.password, creds.enable_secret, creds.source) == (
        "lab-u",
        "lab-p",
        "lab-s",
        "lab",
    )
    assert known_hosts_path(lab, {KNOWN_HOSTS_ENV: "/x"}).parent == lab.lab_dir
    plain = RunSettings(root=root)
    assert known_hosts_path(plain, {KNOWN_HOSTS_ENV: "~/kh"}) == Path("~/kh").expanduser()
    assert known_hosts_path(plain, {}) == Path("~/.ssh/known_hosts").expanduser()


def test_ssh_options_are_strict() -> None:
    options = ssh_options(Path("/k/known_hosts"), "")
    assert options["ssh_strict"] is True and options["system_host_keys"] is False
    assert options["alt_host_keys"] is True and options["alt_key_file"] == "/k/known_hosts"
    assert options["allow_agent"] is False and options["use_keys"] is False
    assert options["fast_cli"] is True and options["auto_connect"] is False
    assert "secret" not in options and options["timeout"] == TIMEOUTS["timeout"]
    assert ssh_options(Path("k"), "en")["secret"] == "en"


def _key_line(name: str) -> str:
    return (
        f"{name} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
    )


def test_lines_naming_keeps_markers_hashed_and_named(tmp_path: Path) -> None:
    assert host_key_name("10.0.0.1", None) == host_key_name("10.0.0.1", 22) == "10.0.0.1"
    assert host_key_name("10.0.0.1", 2201) == "[10.0.0.1]:2201"
    lines = [
        _key_line("[10.0.0.1]:2201"),
        _key_line("10.0.0.2,[10.0.0.1]:2202"),
        _key_line("|1|abc=|def="),
        "@revoked * ssh-ed25519 AAAA\n",
        _key_line("[10.0.0.1]:22011"),
    ]
    known = tmp_path / "known_hosts"
    known.write_text("".join(lines), encoding="utf-8")
    assert lines_naming(known, {"[10.0.0.1]:2201"}) == [lines[0], lines[2], lines[3]]
    assert lines_naming(known, {"[10.0.0.1]:2202"}) == lines[1:4]
    own = own_known_hosts(known, "10.0.0.1", 2201)
    assert own.read_text(encoding="utf-8") == "".join([lines[0], lines[2], lines[3]])
    assert own_known_hosts(known, "10.0.0.1", 2201) == own  # unchanged file: the same copy
    other = own_known_hosts(known, "10.0.0.2", None)
    assert other != own and other.read_text(encoding="utf-8") == "".join(lines[1:4])
    known.write_text(lines[0], encoding="utf-8")
    later = time.time() + 5
    os.utime(known, (later, later))
    again = own_known_hosts(known, "10.0.0.1", 2201)
    assert again.read_text(encoding="utf-8") == lines[0]
    missing = own_known_hosts(tmp_path / "absent", "10.0.0.1", 2201)
    assert missing.read_text(encoding="utf-8") == ""


class BadHostKeyException(Exception):
    """Named as paramiko's: `why` goes by the class name."""


def test_why_names_each_failure_in_one_line() -> None:
    changed = "host key changed: refused (fix known_hosts only if the change is expected)"
    unknown = "unknown host key: refused (rerun with --accept-new-host-keys to trust it)"
    assert why(BadHostKeyException("x")) == changed
    assert why(paramiko.SSHException("Host key for server 'h' does not match")) == changed
    assert why(paramiko.SSHException("Server '[h]:1' not found in known_hosts")) == unknown
    assert why(paramiko.SSHException("Host key for server 'h' unknown")) == unknown
    assert why(paramiko.AuthenticationException("x")) == "authentication failed"
    assert why(ValueError("Authentication failed.")) == "authentication failed"
    assert why(ConnectionRefusedError(111, "x")) == "connection refused"
    assert why(OSError("Connection REFUSED by peer")) == "connection refused"
    assert why(ValueError("a\n  b")) == "ValueError: a b"
    assert why(ValueError("x" * 400)) == "ValueError: " + "x" * 300
    assert why(TimeoutError()) == "TimeoutError"


def test_failure_reason_names_the_first_socket_cause() -> None:
    try:
        try:
            raise paramiko.ssh_exception.NoValidConnectionsError(
                {("10.0.0.1", 22): ConnectionRefusedError(111, "Connection refused")}
            )
        except OSError as inner:
            raise RuntimeError("TCP connection to device failed.") from inner
    except RuntimeError as outer:
        reason = failure_reason(outer)
    assert reason == "RuntimeError: TCP connection to device failed (cause: connection refused)"
    try:
        try:
            raise ValueError("not a socket error")
        except ValueError:
            raise RuntimeError("wrapped") from None
    except RuntimeError as bare:
        assert failure_reason(bare) == "RuntimeError: wrapped"
    chain: BaseException = OSError("deep")
    for n in range(6):
        wrapper = ValueError(f"level {n}")
        wrapper.__cause__ = chain
        chain = wrapper
    assert failure_reason(chain) == "ValueError: level 5"  # five levels looked through, no more
    near = ValueError("top")
    near.__context__ = KeyError("k")
    near.__context__.__cause__ = OSError("disk")
    assert failure_reason(near) == "ValueError: top (cause: OSError: disk)"


@pytest.mark.parametrize(
    ("reason", "cls"),
    [
        ("no backup yet", "no_backup"),
        ("Not fetched: skipped", "not_fetched"),
        ("host key changed: refused", "host_key_changed"),
        ("unknown host key: refused", "host_key_unknown"),
        ("Authentication failed", "auth"),
        ("connection refused", "refused"),
        ("socket timed out", "timeout"),
        ("TimeoutError", "timeout"),
        ("gaierror: Name or service not known", "dns"),
        ("gaierror: -2", "dns"),
        ("network unreachable", "unreachable"),
        ("No route to host", "unreachable"),
        ("Connection reset by peer", "unreachable"),
        ("TCP connection to device failed.", "unreachable"),
        ("NetmikoTimeoutException: read", "timeout"),
        ("something else", "other"),
    ],
)
def test_reason_class(reason: str, cls: str) -> None:
    assert reason_class(reason) == cls


def test_file_text_and_failure_line() -> None:
    assert file_text(["a", " b"], "end") == "a\n b\nend\n"
    assert file_text([], "return") == "return\n"
    assert _failure("") == "no answer"
    assert _failure("  only  \n\n") == "only"
    assert _failure("copy x\n%Error opening x\nR1#") == "%Error opening x"


def test_refused_lines_name_the_command_above_each_error() -> None:
    output = "\n".join(
        [
            "R1#copy flash:f running-config",
            "logging buffered 64000",
            "   ^",
            "% Invalid input detected at '^' marker.",
            "",
            "ip domain name x",
            "% Incomplete command.",
            "% Ambiguous command",
            "1234 bytes copied in 0.1 secs",
        ]
    )
    assert refused_lines(output, IOS_ERROR) == [
        "logging buffered 64000",
        "ip domain name x",
        "(unnamed)",
    ]
    assert refused_lines("% Invalid input", IOS_ERROR) == ["(unnamed)"]
    assert refused_lines("no error here\nR1#", IOS_ERROR) == []


def test_credentials_missing_pieces_come_from_the_secrets_file(tmp_path: Path) -> None:
    """Each of username, password and enable secret falls back to the file on its own; what
    neither holds stays empty (never a placeholder)."""
    settings = RunSettings(root=tmp_path / "root")
    store = write_secrets_file(
        tmp_path / "store" / "s.yaml", {"username": "file-u", "password": "file-p"}
    )
    only_password = credentials_from(settings, {FILE_ENV: str(store), PASSWORD_ENV: "env-p"})
    assert (only_password.username, only_password.password) == ("file-u", "env-p")
    assert only_password.enable_secret == "" and only_password.source == "secrets file"
    nothing = credentials_from(settings, {FILE_ENV: str(store)})
    assert (nothing.username, nothing.password, nothing.enable_secret) == ("file-u", "file-p", "")
    # the environment alone: no file read, an absent enable secret is empty
    env_only = credentials_from(settings, {USERNAME_ENV: "u", PASSWORD_ENV: "p"})
    assert env_only.enable_secret == "" and env_only.source == "environment"
    # a username without any password is refused (both are needed)
    half = write_secrets_file(tmp_path / "store" / "half.yaml", {"enable_secret": "e"})
    with pytest.raises(InputError) as refused:
        credentials_from(settings, {FILE_ENV: str(half), USERNAME_ENV: "u"})
    (problem,) = refused.value.problems
    assert (problem.file, problem.item, problem.message) == (
        "credentials",
        "device login",
        "no username/password for the devices",
    )
    pw_only = write_secrets_file(tmp_path / "store" / "pw.yaml", {"password": "p"})
    with pytest.raises(InputError):
        credentials_from(settings, {FILE_ENV: str(pw_only)})
    assert problem.fix == (
        f"set {USERNAME_ENV} and {PASSWORD_ENV} (optional {ENABLE_ENV}), or put 'username' and "
        f"'password' in the secrets file ({FILE_ENV}, mode 0600), or use --lab"
    )


def test_credentials_refuse_a_secrets_file_inside_the_project(tmp_path: Path) -> None:
    """The secrets file is checked against the project root: one inside it could be committed."""
    root = tmp_path / "root"
    inside = write_secrets_file(root / "secrets.yaml", {"username": "u", "password": "p"})
    with pytest.raises(InputError, match="inside the repository"):
        credentials_from(RunSettings(root=root), {FILE_ENV: str(inside)})


def test_credentials_from_reads_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USERNAME_ENV, "proc-u")
    monkeypatch.setenv(PASSWORD_ENV, "proc-p")
    creds = credentials_from(RunSettings(root=tmp_path))
    assert (creds.username, creds.password, creds.source) == ("proc-u", "proc-p", "environment")
    monkeypatch.setenv(KNOWN_HOSTS_ENV, str(tmp_path / "kh"))
    assert known_hosts_path(RunSettings(root=tmp_path)) == tmp_path / "kh"


def test_unreadable_lab_credentials_name_the_lab_folder(tmp_path: Path) -> None:
    lab = RunSettings(root=tmp_path / "root", lab=True)
    lab.lab_dir.mkdir(parents=True)
    (lab.lab_dir / "credentials.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        credentials_from(lab, {})
    (problem,) = refused.value.problems
    assert (problem.file, problem.item) == (str(lab.lab_dir), "lab credentials")
    assert problem.message == "cannot be read (JSONDecodeError)"
    assert problem.fix == "start the lab first: communelan lab up"


def test_lines_naming_splits_names_at_the_first_blank_only(tmp_path: Path) -> None:
    """A known_hosts line is `names keytype key [comment]`: only the first field names hosts;
    a host named in a comment is not a match. Lines that are not UTF-8 are still read."""
    known = tmp_path / "known_hosts"
    named = _key_line("[10.0.0.1]:2201")
    commented = _key_line("[10.0.0.9]:2209").rstrip("\n") + " [10.0.0.1]:2201\n"
    known.write_bytes((named + commented).encode() + b"\xff\xfe broken\n")
    assert lines_naming(known, {"[10.0.0.1]:2201"}) == [named]
    # paramiko (HostKeyEntry.from_line) takes a space or a tab as the end of a field
    tabbed = tmp_path / "tabbed"
    line = _key_line("[10.0.0.1]:2201").replace(" ", "\t", 1)
    tabbed.write_text(f"{line}\n", encoding="utf-8")
    assert lines_naming(tabbed, {"[10.0.0.1]:2201"}) == [line]
    keys = paramiko.HostKeys()
    keys.load(str(own_known_hosts(tabbed, "10.0.0.1", 2201)))
    assert keys.lookup("[10.0.0.1]:2201") is not None


def test_own_known_hosts_starts_its_folder_once_and_removes_it_at_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-host files live in one folder of their own (named for communelan), made at the
    first call of the process and removed at exit; each file is named for its host."""
    import atexit
    import shutil

    from nornir_config import connection

    monkeypatch.setattr(connection, "_own_folder", [])
    monkeypatch.setattr(connection, "_own_files", {})
    registered: list[tuple[object, ...]] = []
    monkeypatch.setattr(atexit, "register", lambda *call: registered.append(call))
    known = tmp_path / "known_hosts"
    known.write_text(_key_line("[10.0.0.1]:2201"), encoding="utf-8")
    first = own_known_hosts(known, "10.0.0.1", 2201)
    second = own_known_hosts(known, "10.0.0.2", None)
    assert first.parent == second.parent and first.parent.name.startswith("communelan-known-hosts-")
    assert first.name.endswith("-[10.0.0.1]:2201") and second.name.endswith("-10.0.0.2")
    assert registered == [(shutil.rmtree, first.parent, True)]
    remove, folder, ignore = registered[0]
    remove(folder, ignore)  # type: ignore[operator]
    assert not folder.exists()  # type: ignore[attr-defined]


def test_failure_reason_counts_five_causes(tmp_path: Path) -> None:
    """Exactly five causes are looked through: an OSError as the fifth is named, as the sixth
    it is not."""

    def chain(depth: int) -> BaseException:
        link: BaseException = OSError("deep")
        for n in range(depth):
            wrapper = ValueError(f"level {n}")
            wrapper.__cause__ = link
            link = wrapper
        return link

    assert failure_reason(chain(5)) == "ValueError: level 4 (cause: OSError: deep)"
    assert failure_reason(chain(6)) == "ValueError: level 5"
    assert reason_class("DNS: name or service not known") == "dns"
    assert _failure("copy x\n%Error opening x\nR1#\n") == "%Error opening x"


def test_netmiko_s_tcp_failure_loses_its_boilerplate_not_its_kind() -> None:
    text = (
        "TCP connection to device failed.\n\nCommon causes of this problem are:\n"
        "1. Incorrect hostname or IP address.\n2. Wrong TCP port.\n"
        "3. Intermediate firewall blocking access.\n\nDevice settings: cisco_ios 127.0.0.9:22"
    )
    assert why(NetmikoTimeoutException(text)) == (
        "NetmikoTimeoutException: TCP connection to device failed"
    )
    assert reason_class(why(NetmikoTimeoutException(text))) == "unreachable"
    # another message that only mentions it is kept whole
    other = RuntimeError("after TCP connection to device failed. twice")
    assert why(other) == "RuntimeError: after TCP connection to device failed. twice"


def test_a_device_refusing_a_command_is_not_a_refused_connection() -> None:
    refusal = OSError("the device refused to confirm the change: % Invalid input")
    assert why(refusal) == "OSError: the device refused to confirm the change: % Invalid input"


# What each device prints when it refuses the show of its running config (a login without the
# privilege): the caret under the command, then the refusal (IOS `% Invalid input detected at
# '^' marker.`, VRP `Error: Unrecognized command found at '^' position.`, Comware
# `% Unrecognized command found at '^' position.`).
REFUSED_SHOW = {
    "cisco_ios": "\n                    ^\n% Invalid input detected at '^' marker.\n\n",
    "huawei_vrp": "                ^\nError: Unrecognized command found at '^' position.\n",
    "hp_comware": "        ^\n % Unrecognized command found at '^' position.\n",
}


@pytest.mark.parametrize("name", list(REFUSED_SHOW))
def test_a_refused_show_is_never_read_as_a_config(name: str) -> None:
    commands = driver(name).commands
    with pytest.raises(OSError) as refused:
        shown_config(REFUSED_SHOW[name], commands)
    said = str(refused.value)
    assert said.startswith(f"the device refused `{commands.show_config}`: ^ "), said
    assert "Unrecognized command" in said or "Invalid input" in said
    assert "\n" not in said and "  " not in said


def test_a_banner_that_looks_like_a_refusal_is_config() -> None:
    """A refusal opens the answer; a `%` line of a banner further down is the device's text."""
    text = (
        "Building configuration...\n\nCurrent configuration : 99 bytes\n!\nhostname R1\n"
        "banner motd ^C\n% Authorized access only\n^C\n!\nend\n"
    )
    assert shown_config(text, driver("cisco_ios").commands) == text
