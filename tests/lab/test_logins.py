"""Logins follow the device's own config, through a real SSH client (paramiko / Netmiko).

The rules are IOS's (Cisco IOS-XE 17 Security Configuration Guide: "Configuring Local
Authentication and Authorization", "Cisco IOS Login Enhancements (login block-for)",
`transport input` and `access-class` on vty lines): a vty access-class is checked before any
login; AAA method lists fall through to the next method when a server group gives no answer
(the lab has no TACACS+ server); `login local` checks the local users; secrets verify as type
5 (MD5-crypt), 7, 8 (PBKDF2-SHA256) or 9 (scrypt).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import paramiko
import pytest
from netmiko import ConnectHandler
from netutils.password import encrypt_cisco_type5, encrypt_cisco_type7, encrypt_cisco_type9

from nornir_config.lab.files import known_hosts_path
from nornir_config.lab.testing import LabFactory, RunningLab, make_specs
from nornir_config.platforms.cisco_ios.lab import hconfig, logins

NOC = "10.38.1.10"


@contextmanager
def ssh(lab: RunningLab, name: str, username: str, password: str) -> Iterator[paramiko.SSHClient]:
    client = paramiko.SSHClient()
    client.load_host_keys(str(known_hosts_path(lab.lab_dir)))
    e = lab.endpoints[name]
    try:
        client.connect(
            e.host, e.port, username, password, look_for_keys=False, allow_agent=False, timeout=10
        )
        yield client
    finally:
        client.close()


def can_login(lab: RunningLab, name: str, username: str, password: str) -> bool:
    try:
        with ssh(lab, name, username, password):
            return True
    except (paramiko.AuthenticationException, paramiko.SSHException, EOFError, OSError):
        return False


def configure(lab: RunningLab, name: str, *lines: str) -> None:
    """Change the device as a console session would (no login involved)."""
    lab.call(lambda: lab.device(name).apply(hconfig.parse("\n".join(lines)), "console"))


@pytest.fixture
def one(lab_factory: LabFactory) -> RunningLab:
    return lab_factory(specs=make_specs(0, 1), client_address=NOC)


def test_operator_gets_in_and_others_do_not(one: RunningLab) -> None:
    creds = one.credentials
    assert can_login(one, "LAB-S1", creds.username, creds.password)
    assert not can_login(one, "LAB-S1", creds.username, "wrong")
    assert not can_login(one, "LAB-S1", "nobody", creds.password)
    # the factory `cisco` user's hash verifies no password
    assert not can_login(one, "LAB-S1", "cisco", "cisco")


@pytest.mark.parametrize("kind", ["5", "8", "9", "0", "7"])
def test_local_users_with_each_secret_type(one: RunningLab, kind: str) -> None:
    token = {
        "5": lambda: f"secret 5 {encrypt_cisco_type5('Pa55-word')}",
        "8": lambda: f"secret 8 {logins.type8('Pa55-word', 'dFkbM1A3lY6y1u')}",
        "9": lambda: f"secret 9 {encrypt_cisco_type9('Pa55-word')}",
        "0": lambda: "password 0 Pa55-word",
        "7": lambda: f"password 7 {encrypt_cisco_type7('Pa55-word')}",
    }[kind]()
    configure(one, "LAB-S1", f"username ops privilege 15 {token}")
    assert can_login(one, "LAB-S1", "ops", "Pa55-word")
    assert not can_login(one, "LAB-S1", "ops", "Pa55-wordX")


def test_privilege_follows_the_user_and_enable_the_enable_secret(one: RunningLab) -> None:
    configure(one, "LAB-S1", f"username viewer secret 9 {encrypt_cisco_type9('V1ew-only')}")
    params = one.netmiko_params("LAB-S1", username="viewer", password="V1ew-only")
    with ConnectHandler(**params) as conn:
        assert conn.find_prompt() == "LAB-S1>"  # privilege 1: user exec
        conn.enable()  # the enable secret the lab seeded (its operator's)
        assert conn.find_prompt() == "LAB-S1#"


def test_removing_the_operator_locks_it_out_and_the_console_recovers(one: RunningLab) -> None:
    creds = one.credentials
    configure(one, "LAB-S1", f"no username {creds.username}")
    assert not can_login(one, "LAB-S1", creds.username, creds.password)
    refused = one.call(lambda: list(one.device("LAB-S1").login_log))
    assert any(f"no local user {creds.username}" in line for line in refused)
    status = one.call(one.lab.status)
    assert "no local user" in status["logins_refused"]["LAB-S1"]
    # the console always gets in, whatever the login config; it restores the user
    with ConnectHandler(**one.console_params("LAB-S1")) as conn:
        assert conn.find_prompt() == "LAB-S1#"
        conn.send_config_set([f"username {creds.username} privilege 15 secret {creds.password}"])
    assert can_login(one, "LAB-S1", creds.username, creds.password)


def test_vty_access_class_is_checked_against_the_noc_address(lab_factory: LabFactory) -> None:
    acl = [
        "ip access-list standard ACL-VTY",
        " permit 10.38.1.0 0.0.0.255",
        " deny any log",
        "line vty 0 4",
        " access-class ACL-VTY in",
    ]
    from_noc = lab_factory(specs=make_specs(0, 1), client_address=NOC)
    configure(from_noc, "LAB-S1", *acl)
    creds = from_noc.credentials
    assert can_login(from_noc, "LAB-S1", creds.username, creds.password)
    elsewhere = lab_factory(specs=make_specs(0, 1), client_address="192.0.2.7")
    configure(elsewhere, "LAB-S1", *acl)
    assert not can_login(elsewhere, "LAB-S1", creds.username, creds.password)
    refused = elsewhere.call(lambda: list(elsewhere.device("LAB-S1").login_log))
    assert any("refuse ssh from 192.0.2.7" in line for line in refused)


def test_extended_and_numbered_access_classes() -> None:
    running = hconfig.load(
        "ip access-list extended VTY-EXT\n"
        " permit tcp host 10.38.1.10 any eq 22\n"
        " deny ip any any\n"
        "access-list 5 permit 10.38.2.0 0.0.0.255\n"
        "line vty 0 4\n"
        " access-class VTY-EXT in\n"
    )
    assert logins.access_class_permits(running, "10.38.1.10")
    assert not logins.access_class_permits(running, "10.38.1.11")
    numbered = hconfig.apply(running, hconfig.parse("line vty 0 4\n access-class 5 in\n"))
    assert logins.access_class_permits(numbered, "10.38.2.200")
    assert not logins.access_class_permits(numbered, "10.38.1.10")  # implicit deny


@pytest.mark.parametrize(
    ("transport", "ok"), [("ssh", True), ("telnet", False), ("none", False), ("all", True)]
)
def test_vty_transport_input(one: RunningLab, transport: str, ok: bool) -> None:
    configure(one, "LAB-S1", "line vty 0 4", f" transport input {transport}")
    creds = one.credentials
    assert can_login(one, "LAB-S1", creds.username, creds.password) is ok


def test_aaa_falls_back_to_local_when_tacacs_does_not_answer(one: RunningLab) -> None:
    creds = one.credentials
    configure(
        one, "LAB-S1", "aaa new-model", "aaa authentication login default group tacacs+ local"
    )
    assert can_login(one, "LAB-S1", creds.username, creds.password)
    # without a local fallback nobody gets in: the rehearsal shows the lockout
    configure(one, "LAB-S1", "aaa authentication login default group tacacs+")
    assert not can_login(one, "LAB-S1", creds.username, creds.password)


def test_line_password_without_aaa() -> None:
    running = hconfig.load("line vty 0 4\n password 0 L1ne-pass\n login\n")
    assert logins.authenticate(running, "anyone", "L1ne-pass").ok
    assert not logins.authenticate(running, "anyone", "nope").ok
    assert not logins.authenticate(hconfig.load("line vty 0 4\n"), "a", "b").ok


def test_login_block_for_quiet_mode_locks_out(one: RunningLab) -> None:
    creds = one.credentials
    configure(one, "LAB-S1", "login block-for 120 attempts 3 within 60")
    for _ in range(3):
        assert not can_login(one, "LAB-S1", creds.username, "wrong")
    # quiet mode: even the right password is refused now
    assert not can_login(one, "LAB-S1", creds.username, creds.password)
    assert "quiet mode" in one.call(lambda: one.device("LAB-S1").login_log[-1])


def test_type8_is_pbkdf2_sha256() -> None:
    """Type 8 = PBKDF2-HMAC-SHA256, 20000 rounds, Cisco base64 (Cisco IOS Security
    Configuration Guide, "Enable Secret Password Encryption Types")."""
    token = logins.type8("cisco", "abcdefghijklmn")
    assert token.startswith("$8$abcdefghijklmn$") and len(token.split("$")[3]) == 43
    assert logins.verify("8", token, "cisco") and not logins.verify("8", token, "Cisco")
    assert not logins.verify("9", "<removed>", "anything")  # a sanitised backup
