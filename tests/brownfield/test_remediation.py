"""The one remediation (push/diff.plan) on brownfield forms, from text: how IOS takes each
command (Cisco IOS XE Configuration Fundamentals; "Configuring Authentication" for the order),
and what the device owns."""

from __future__ import annotations

from nornir_config.compliance.engine import compare_texts
from nornir_config.compliance.engine import remediation as compliance_remediation
from nornir_config.compliance.model import PROTECTED
from nornir_config.compliance.secrets import TokenVerifier
from nornir_config.hier import drop_repeated_lines
from nornir_config.platforms import driver
from nornir_config.push.diff import plan, remediation, with_protected
from nornir_config.secrets import Secrets
from tests.brownfield.conftest import corpus

IOS = driver("cisco_ios")

HAND_MADE = """\
hostname OLD
no aaa new-model
username old privilege 15 secret 5 $1$abc$def
enable password cisco
banner motd ^C
old text
^C
banner login #
bye
#
interface GigabitEthernet0/0/1
 no ip address
 shutdown
line vty 0 4
 password 7 0822455D0A16
 login
 transport input telnet ssh
snmp-server community public RO
"""

INTENDED = """\
hostname NEW
aaa new-model
aaa authentication login default local
username admin privilege 15 secret 9 $9$x$y
enable secret 9 $9$a$b
banner motd ^C
new text
line two
^C
interface GigabitEthernet0/0/1
 ip address 10.0.0.1 255.255.255.0
line vty 0 4
 login authentication default
 transport input ssh
"""


def test_negations_in_the_form_ios_takes() -> None:
    commands = remediation(HAND_MADE, INTENDED, IOS)
    # Users, enable passwords and communities go by name, not by their whole line.
    assert "no username old" in commands
    assert "no enable password" in commands
    assert "no snmp-server community public" in commands
    # A banner goes by `no banner <kind>` only; a changed one is sent whole, once.
    assert "no banner login" in commands
    assert not any(c.strip() in ("bye", "#") for c in commands)
    assert [c for c in commands if c.startswith("banner motd")] == [
        "banner motd ^C\nnew text\nline two\n^C"
    ]
    # `no ip address` is replaced by the address, never undone by a bare `ip address`.
    assert "  ip address 10.0.0.1 255.255.255.0" in commands
    assert not any(c.strip() == "ip address" for c in commands)
    assert "  no shutdown" in commands


def test_the_new_login_path_comes_before_the_old_one_goes() -> None:
    commands = remediation(HAND_MADE, INTENDED, IOS)
    first = commands.index
    assert first("username admin privilege 15 secret 9 $9$x$y") < first("aaa new-model")
    assert first("aaa new-model") < first("aaa authentication login default local")
    assert first("aaa authentication login default local") < first("line vty 0 4")
    # The old user and the vty password go last, after the new method is in place.
    assert commands[-1] == "no username old"
    assert first("  login authentication default") < first("  no password 7 0822455D0A16")


def test_vrf_address_families_and_repeated_lines_are_read() -> None:
    running = corpus()["brown-an-91001-sw01"]
    assert "exit-address-family" in running
    sanitised = corpus()["brown-em-91005-sw02"]
    assert sanitised.count("snmp-server community <removed> RO") == 2
    for text in (running, sanitised):
        assert remediation(text, text, IOS) == []
    assert drop_repeated_lines("a\n b\n b\nc\nc\n") == "a\n b\nc\n"
    # Banner bodies keep their repeated lines.
    banner = "banner exec ^C\n---\nx\n---\n^C\n"
    assert drop_repeated_lines(banner) == banner


def test_protected_lines_are_kept_and_named() -> None:
    running = corpus()["brown-an-91001-sw01"]
    result = plan(running, "hostname brown-an-91001-sw01\n", IOS)
    commands = result.commands
    for kept in (
        "vrf definition Mgmt-vrf",
        "switch 1 provision c9200l-24p-4g",
        "license boot level network-advantage addon dna-advantage",
        "crypto pki trustpoint TP-self-signed-1412365090",
        "crypto pki certificate chain TP-self-signed-1412365090",
        "interface GigabitEthernet0/0",
        "version 17.6",
    ):
        assert kept in result.protected
        assert f"no {kept}" not in commands
    # Unmanaged lines do go, and are listed as removals.
    assert "no snmp-server community private" in commands
    assert "no snmp-server community private" in result.removed


def test_preserve_patterns_extend_the_platform_list() -> None:
    running = corpus()["brown-cau-91003-rt01"]
    plain = remediation(running, "hostname x\n", IOS)
    assert "no vrf definition MGMT" in plain
    kept = plan(running, "hostname x\n", IOS, ["^vrf definition MGMT$", "^ip route vrf MGMT "])
    assert "no vrf definition MGMT" not in kept.commands
    assert "ip route vrf MGMT 0.0.0.0 0.0.0.0 172.31.0.1" in kept.protected


def test_defaults_ios_does_not_print_are_no_difference() -> None:
    # The console logs at debugging level by default: IOS prints nothing for it.
    assert remediation("logging console\n", "", IOS) == []
    assert remediation("", "interface Vlan1\n no shutdown\n", IOS) == ["interface Vlan1"]
    assert remediation("no logging console\n", "", IOS) == ["logging console"]


def test_compliance_suggests_what_push_sends() -> None:
    running = corpus()["brown-gia-91006-rt01"]
    assert compliance_remediation(running, INTENDED, IOS) == remediation(running, INTENDED, IOS)
    results = compare_texts(INTENDED, running, (), IOS, TokenVerifier(Secrets({})))
    suggested = [line for r in results for line in r.remediation]
    assert sorted(suggested) == sorted(remediation(running, INTENDED, IOS))
    protected = next(r for r in results if r.name == PROTECTED)
    assert "license boot level appxk9" in protected.actual
    assert all("license" not in line for r in results for line in r.extra)


def test_replace_candidate_keeps_what_a_merge_keeps() -> None:
    running = corpus()["brown-an-91001-rt01"]
    candidate = with_protected(running, INTENDED, IOS)
    assert "vrf definition Mgmt-intf" in candidate
    assert " address-family ipv4" in candidate and " exit-address-family" in candidate
    assert "license boot level securityk9" in candidate
    assert "hostname NEW" in candidate and "hostname UBND-BrownAn-R1" not in candidate
    # Replacing with the candidate leaves exactly the protected lines beyond the intended.
    assert remediation(candidate, INTENDED, IOS) == []
