"""Compliance's promises, checked without a lab on small hand-written configs (fast enough for
every mutant of `bench/mutation.py`): each feature says whether its order counts, reads the
device's lines as the device prints them (CRLF, volatile header), lines a push keeps on purpose
are reported apart and never as drift, and two tokens are the same secret only when a check
says so. Type 7 / type 9 forms: Cisco IOS Security Command Reference (`service
password-encryption`, `enable secret 9`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pytest
from netutils.password import encrypt_cisco_type7

from nornir_config.compliance.engine import compare_texts, remediation
from nornir_config.compliance.features import Feature
from nornir_config.compliance.model import PROTECTED, UNOWNED, FeatureResult
from nornir_config.compliance.secrets import TokenKind, TokenVerifier
from nornir_config.platforms import driver
from nornir_config.secrets import Secrets

CISCO = driver("cisco_ios")
FEATURES = (
    Feature("acl", True, (re.compile("^ip access-list "),)),
    Feature("ntp", False, (re.compile("^ntp "),)),
)
INTENDED = (
    "hostname R1\nip access-list standard MGMT\n permit 10.0.0.1\n permit 10.0.0.2\n"
    "ntp server 10.0.0.9\n"
)
# As the device prints it: CRLF line ends, a volatile header, one hand-made line.
RUNNING = (
    "Building configuration...\r\n\r\nCurrent configuration : 999 bytes\r\nhostname R1\r\n"
    "ip access-list standard MGMT\r\n permit 10.0.0.1\r\n permit 10.0.0.2\r\n"
    "ntp server 10.0.0.9\r\nlogging host 192.0.2.50\r\n"
)
KEPT = [r"^logging host 192\.0\.2\.50"]


def test_features_read_the_device_as_printed_and_say_if_order_counts() -> None:
    results = compare_texts(INTENDED, RUNNING, FEATURES, CISCO, TokenVerifier(Secrets({})), KEPT)
    assert [r.name for r in results] == ["acl", "ntp", UNOWNED, PROTECTED]
    by_name = {r.name: r for r in results}
    acl, ntp, unowned, kept = (by_name[n] for n in ("acl", "ntp", UNOWNED, PROTECTED))
    assert (acl.ordered, ntp.ordered, unowned.ordered, kept.ordered) == (True, False, False, False)
    assert acl.compliant and ntp.compliant and unowned.compliant and kept.compliant
    assert acl.actual == ["ip access-list standard MGMT", " permit 10.0.0.1", " permit 10.0.0.2"]
    assert acl.intended == acl.actual
    assert ntp.actual == ["ntp server 10.0.0.9"] and unowned.actual == ["hostname R1"]
    # A line a push keeps on purpose is reported apart, with why, and is not drift.
    assert kept.actual == ["logging host 192.0.2.50"] and kept.intended == []
    assert kept.notes == ["kept on purpose: owned by the device or named by preserve:"]
    assert kept.remediation == [] and unowned.remediation == []


def test_without_preserve_the_same_line_is_drift_with_its_fix() -> None:
    results = compare_texts(INTENDED, RUNNING, FEATURES, CISCO, TokenVerifier(Secrets({})))
    by_name = {r.name: r for r in results}
    assert PROTECTED not in by_name
    unowned = by_name[UNOWNED]
    assert not unowned.compliant and unowned.extra == ["logging host 192.0.2.50"]
    assert unowned.remediation == ["no logging host 192.0.2.50"]
    assert remediation(RUNNING, INTENDED, CISCO) == ["no logging host 192.0.2.50"]
    assert remediation(RUNNING, INTENDED, CISCO, KEPT) == []


def test_order_counts_only_in_an_ordered_feature() -> None:
    swapped_acl = RUNNING.replace(
        " permit 10.0.0.1\r\n permit 10.0.0.2", " permit 10.0.0.2\r\n permit 10.0.0.1"
    )
    acl = {
        r.name: r
        for r in compare_texts(
            INTENDED, swapped_acl, FEATURES, CISCO, TokenVerifier(Secrets({})), KEPT
        )
    }["acl"]
    assert not acl.compliant
    unordered = (Feature("acl", False, FEATURES[0].patterns), FEATURES[1])
    loose = {
        r.name: r
        for r in compare_texts(
            INTENDED, swapped_acl, unordered, CISCO, TokenVerifier(Secrets({})), KEPT
        )
    }["acl"]
    assert loose.ordered is False and loose.missing == [] and loose.extra == []


# -- same secret? -------------------------------------------------------------------------

SEVEN = TokenKind(CISCO, "7")
NINE = TokenKind(CISCO, "9")


def _verifier() -> TokenVerifier:
    return TokenVerifier(Secrets({"ntp_key": "Known-Key1"}))


def test_equal_tokens_are_the_same_secret_even_of_a_kind_nothing_checks() -> None:
    assert _verifier().same_secret(TokenKind(CISCO, "unchecked"), "tok", "tok") is True


@pytest.mark.parametrize("running", ["<removed>", "x <removed>", "<secret:ntp_key>", "<other>"])
def test_a_sanitised_or_named_running_token_cannot_be_checked(running: str) -> None:
    intended = encrypt_cisco_type7("Known-Key1", salt=3)
    assert _verifier().same_secret(SEVEN, intended, running) is None


def test_no_check_or_a_named_intended_secret_is_not_verifiable() -> None:
    other = encrypt_cisco_type7("Known-Key1", salt=5)
    assert _verifier().same_secret(TokenKind(CISCO, "unchecked"), "a", "b") is None
    assert _verifier().same_secret(SEVEN, "<secret:ntp_key>", other) is None


def test_a_type_7_key_is_revealed_even_when_the_store_does_not_hold_it() -> None:
    intended = encrypt_cisco_type7("NotInStore9", salt=3)
    assert _verifier().same_secret(SEVEN, intended, encrypt_cisco_type7("NotInStore9", salt=7))
    assert _verifier().secret_of(SEVEN, intended) == "NotInStore9"
    assert not _verifier().same_secret(SEVEN, intended, encrypt_cisco_type7("Other-Key2", salt=7))


def test_a_revealed_form_that_names_its_secret_is_checked_with_the_store() -> None:
    # H3C Comware: the intended `simple <secret:ntp_key>` against a running `simple` in clear
    # (Comware 7 `key authentication simple`; netutils has no Comware cipher)
    simple = TokenKind(driver("hp_comware"), "simple")
    named = "simple <secret:ntp_key>"
    assert _verifier().secret_of(simple, named) == "Known-Key1"
    assert _verifier().same_secret(simple, named, "simple Known-Key1") is True
    assert _verifier().same_secret(simple, named, "simple Other-Key2") is False
    assert TokenVerifier(Secrets({})).secret_of(simple, named) is None  # not in the store


def test_malformed_tokens_verify_against_nothing() -> None:
    # A type 9 hash that does not parse (netutils raises): never the same secret.
    assert _verifier().same_secret(NINE, "$9$bad", "$9$bad2") is False
    # A type 7 token that does not decode reveals no secret, not an empty one.
    verifier = _verifier()
    assert verifier.secret_of(SEVEN, "zz-not-hex") is None
    assert verifier.same_secret(SEVEN, "zz-not-hex", encrypt_cisco_type7("", salt=8)) is False


def test_a_routers_features_name_its_own_ports() -> None:
    """features_for fills the section regexes from the device's settings (its router_ports):
    the WAN ports belong to `wan`, the LAN port and any other port to `lan_gateways`."""
    from nornir_config.compliance.features import features_for, owner_of
    from nornir_config.sot.province import load_province
    from tests.conftest import province_root

    province = load_province(province_root() / "hosts")
    router = next(d for d in province.devices if d.role == "router" and d.driver == CISCO)
    ports = router.settings.router_ports
    features = features_for(router)
    negation = CISCO.commands.negation
    assert owner_of(f"interface {ports.internet}", features, negation) == "wan"
    assert owner_of(f"interface {ports.tslcd}", features, negation) == "wan"
    assert owner_of(f"interface {ports.lan}", features, negation) == "lan_gateways"
    assert owner_of(f"interface {ports.lan}.20", features, negation) == "lan_gateways"


# -- device ciphers (Huawei VRP's `cipher %^%#...%^%#`: nothing checks them offline) -------

VRP = driver("huawei_vrp")
VRP_FEATURES = (
    Feature("ntp", False, (re.compile("^ntp-service "),)),
    Feature("aaa", False, (re.compile("^aaa"),)),
)
KEY = "ntp-service authentication-keyid {n} authentication-mode hmac-sha256 cipher {secret}"
USER = " local-user {name} password irreversible-cipher {secret}"
VRP_INTENDED = "\n".join(
    [
        "sysname R1",
        KEY.format(n=1, secret="<secret:ntp_key>"),
        KEY.format(n=2, secret="<secret:ntp_key2>"),
        "ntp-service unicast-server 10.0.0.9",
        "aaa",
        USER.format(name="admin", secret="<secret:admin_password>"),
        USER.format(name="ops", secret="<secret:ops_password>"),
        "",
    ]
)
# As a VRP device prints them: its own cipher of each secret (any text of that form)
VRP_RUNNING = (
    VRP_INTENDED.replace("<secret:ntp_key>", "%^%#Kq1.Ae9Z+L1vPs0tN7gR%^%#")
    .replace("<secret:ntp_key2>", "%^%#Wb8uJ8iXoE6nqfYhK2bW%^%#")
    .replace("<secret:admin_password>", "$1a$Zx9.Qm3x$Ae9ZL1vPs0tN7gRf$")
    .replace("<secret:ops_password>", "$1a$Pp4.Yh2K$bWcD4uJ8iXoE6nqR$")
)


def _proven_but(*unproven: str) -> Callable[[Sequence[str], str, str], bool | None]:
    """A push's fingerprints: every device cipher as the last push left it, but those whose
    line holds one of `unproven` (no push fingerprinted them)."""

    def proof(path: Sequence[str], running: str, _intended: str) -> bool | None:
        assert all(isinstance(p, str) for p in path) and path[-1] == running
        return None if any(u in running for u in unproven) else True

    return proof


def _vrp(running: str, proven: object, preserve: Sequence[str] = ()) -> dict[str, FeatureResult]:
    verifier = TokenVerifier(Secrets({}))
    results = compare_texts(
        VRP_INTENDED,
        running,
        VRP_FEATURES,
        VRP,
        verifier,
        preserve,
        proven,  # type: ignore[arg-type]
    )
    return {r.name: r for r in results}


def test_a_device_cipher_the_last_push_left_is_compliant_at_top_level_and_in_a_section() -> None:
    results = _vrp(VRP_RUNNING, _proven_but())
    assert results["ntp"].compliant and results["aaa"].compliant, results
    assert not results["ntp"].unverified and results["ntp"].remediation == []
    assert results["ntp"].notes == [
        "secret verified against the last push (device cipher): "
        + KEY.format(n=n, secret="<removed>")
        for n in (1, 2)
    ]


def test_only_the_ciphers_no_push_fingerprinted_are_resent_to_make_them_verifiable() -> None:
    # keyid 2 (top level) and ops (in `aaa`) were not fingerprinted; keyid 1 and admin were
    results = _vrp(VRP_RUNNING, _proven_but("%^%#Wb8u", "$1a$Pp4"))
    ntp, aaa = results["ntp"], results["aaa"]
    assert ntp.unverified and aaa.unverified and not ntp.compliant and not aaa.compliant
    # the push's resend holds the unproven lines only, never a proven one
    assert ntp.remediation == [KEY.format(n=2, secret="<secret:ntp_key2>")], ntp.remediation
    assert [line.strip() for line in aaa.remediation] == [
        "aaa",
        USER.format(name="ops", secret="<secret:ops_password>").strip(),
        "quit",
    ], aaa.remediation


def test_a_sanitised_device_cipher_is_unverified_whatever_a_fingerprint_says() -> None:
    # a backup sanitised before it was stored: the cipher is gone, so nothing can match it
    sanitised = VRP_RUNNING.replace("%^%#Kq1.Ae9Z+L1vPs0tN7gR%^%#", "<removed>")
    ntp = _vrp(sanitised, _proven_but())["ntp"]
    assert ntp.unverified and not ntp.compliant, ntp
    assert ntp.notes[0] == (
        "secret cannot be verified offline (device cipher): " + KEY.format(n=1, secret="<removed>")
    )


def test_a_preserved_line_is_not_taken_out_by_the_resend() -> None:
    kept = VRP_RUNNING.replace(
        "ntp-service unicast-server 10.0.0.9",
        "ntp-service unicast-server 10.0.0.9\nntp-service unicast-server 192.0.2.7",
    )
    ntp = _vrp(kept, _proven_but("%^%#Wb8u"), [r"^ntp-service unicast-server 192\.0\.2\.7$"])["ntp"]
    assert ntp.unverified, ntp
    assert ntp.remediation == [KEY.format(n=2, secret="<secret:ntp_key2>")], ntp.remediation
