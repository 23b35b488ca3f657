"""Lab-free units of the connection code: credentials, known_hosts filtering, failure reasons,
and the file delivery's pure helpers (fast enough for mutmut to run per mutant)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import paramiko
import pytest

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
    ssh_options,
    why,
)
from nornir_config.errors import InputError
from nornir_config.lab.files import LabCredentials, write_credentials
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
    assert reason == "RuntimeError: TCP connection to device failed. (cause: connection refused)"
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
