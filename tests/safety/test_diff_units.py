"""The one remediation's promises, checked without a lab (fast enough for every mutant of
`bench/mutation.py`): commands keep a section's own exits (`exit-address-family`) and a
config's own `quit` (a certificate's end, Cisco IOS PKI Command Reference), never hier_config's
generic `exit`/`quit`; a replace candidate keeps what the device owns or `preserve:` names."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hier_config import MatchRule

from nornir_config.platforms import driver
from nornir_config.push.diff import _lineage, plan, remediation, with_protected

CISCO = driver("cisco_ios")
TARGET = (
    "version 17.9\nhostname R1\nrouter bgp 65000\n address-family ipv4 vrf X\n"
    "  network 10.0.0.0\n exit-address-family\ncrypto pki certificate chain TP\n"
    " certificate self-signed 01\n  3082 0101\n  quit\ninterface Gi0/1\n description x\n"
)
RUNNING = (
    "version 17.3\nhostname R1\nlogging host 192.0.2.50\nlicense boot level x\n"
    "interface Gi0/1\n description x\n"
)
KEPT = [r"^logging host 192\.0\.2\.50"]
BODY = (
    "hostname R1\nrouter bgp 65000\n  address-family ipv4 vrf X\n    network 10.0.0.0\n"
    "    exit-address-family\ncrypto pki certificate chain TP\n  certificate self-signed 01\n"
    "    3082 0101\n    quit\ninterface Gi0/1\n  description x\n"
)


def test_commands_keep_own_exits_and_drop_generic_ones() -> None:
    found = plan(RUNNING, TARGET, CISCO, KEPT)
    assert found.commands == [
        "router bgp 65000",
        "  address-family ipv4 vrf X",
        "    network 10.0.0.0",
        "    exit-address-family",
        "crypto pki certificate chain TP",
        "  certificate self-signed 01",
        "    3082 0101",
        "    quit",
    ]
    assert [head for head, _ in found.sections] == [
        "router bgp 65000",
        "crypto pki certificate chain TP",
    ]
    assert found.protected == ("version 17.3", "logging host 192.0.2.50", "license boot level x")
    assert found.device_owned_target == ("version 17.9",)
    assert found.removed == ()
    # Without preserve the hand-made line is removed, and said to be.
    bare = plan(RUNNING, TARGET, CISCO)
    assert "no logging host 192.0.2.50" in bare.commands
    assert bare.removed == ("no logging host 192.0.2.50",)
    assert remediation(RUNNING, TARGET, CISCO, KEPT) == found.commands


def test_replace_candidate_keeps_what_the_device_owns_and_preserve_names() -> None:
    assert with_protected(RUNNING, TARGET, CISCO) == (BODY + "version 17.3\nlicense boot level x\n")
    assert with_protected(RUNNING, TARGET, CISCO, KEPT) == (
        BODY + "version 17.3\nlogging host 192.0.2.50\nlicense boot level x\n"
    )
    # A kept line the target already holds is not written twice.
    assert with_protected(RUNNING, TARGET + "license boot level x\n", CISCO).count("license") == 1


def test_replace_candidate_drops_the_generic_quit_of_vrp_sections() -> None:
    vrp = driver("huawei_vrp")
    target = "sysname R1\ninterface GigabitEthernet0/0/1\n description x\n"
    assert with_protected("sysname R1\n", target, vrp) == (
        "sysname R1\ninterface GigabitEthernet0/0/1\n  description x\n"
    )


def test_a_yaml_rule_is_one_regex_of_a_top_level_line_or_one_match_per_level() -> None:
    assert _lineage("^boot system ") == (MatchRule(re_search="^boot system "),)
    assert _lineage([{"startswith": "interface "}, {"equals": "no shutdown"}]) == (
        MatchRule(startswith="interface "),
        MatchRule(equals="no shutdown"),
    )


# Single-value commands (hier_config's idempotent rules: a new `hostname` replaces the old).
OLD = "hostname OLD\nlogging host 192.0.2.50\n"
KEEP = ["^hostname ", r"^logging host 192\.0\.2\.50"]


def test_a_protected_line_the_target_replaces_is_not_kept() -> None:
    found = plan(OLD, "hostname NEW\n", CISCO, KEEP)
    assert found.commands == ["hostname NEW"]
    assert found.protected == ("logging host 192.0.2.50",)
    # with no line in the target to replace it, it is kept
    assert plan(OLD, "ip domain name x\n", CISCO, KEEP).protected == (
        "hostname OLD",
        "logging host 192.0.2.50",
    )
    assert with_protected(OLD, "hostname NEW\n", CISCO, KEEP) == (
        "hostname NEW\nlogging host 192.0.2.50\n"
    )
    assert with_protected(OLD, "ip domain name x\n", CISCO, KEEP) == (
        "ip domain name x\nhostname OLD\nlogging host 192.0.2.50\n"
    )


# Huawei VRP keeps a shared key sent in clear in its own cipher (`cipher %^%#...%^%#`),
# which nothing can check offline (Huawei AR CLI reference, `hwtacacs-server shared-key`).
VRP_RUNNING = (
    "sysname R1\nhwtacacs-server template noc\n hwtacacs-server shared-key cipher %^%#AbC%^%#\n"
)
VRP_TARGET = "sysname R1\nhwtacacs-server template noc\n hwtacacs-server shared-key cipher K3y\n"
RESEND = ["hwtacacs-server template noc", "  hwtacacs-server shared-key cipher K3y", "  quit"]


def test_a_device_cipher_is_the_intended_key_only_where_the_last_push_proves_it() -> None:
    vrp = driver("huawei_vrp")
    calls: list[tuple[tuple[str, ...], str, str]] = []

    def proof(answer: bool | None) -> Callable[[Sequence[str], str, str], bool | None]:
        def check(path: Sequence[str], running: str, intended: str) -> bool | None:
            calls.append((tuple(path), running, intended))
            return answer

        return check

    assert remediation(VRP_RUNNING, VRP_TARGET, vrp, proven=proof(True)) == []
    line = "hwtacacs-server shared-key cipher %^%#AbC%^%#"
    assert calls == [
        (("hwtacacs-server template noc", line), line, "hwtacacs-server shared-key cipher K3y")
    ]
    assert remediation(VRP_RUNNING, VRP_TARGET, vrp, proven=proof(False)) == RESEND
    assert remediation(VRP_RUNNING, VRP_TARGET, vrp, proven=proof(None)) == RESEND
    assert remediation(VRP_RUNNING, VRP_TARGET, vrp) == RESEND
    # the running config holds the intended line as well: nothing to ask
    calls.clear()
    both = VRP_RUNNING + " hwtacacs-server shared-key cipher K3y\n"
    remediation(both, VRP_TARGET, vrp, proven=proof(True))
    assert calls == []
    # a cipher the target holds no such line for is never asked about
    assert remediation(VRP_RUNNING, "sysname R1\n", vrp, proven=proof(True)) != []
    assert calls == []
