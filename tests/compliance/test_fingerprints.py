"""Fingerprints of device ciphers without a lab (compliance/fingerprints.py): the keyed hash is
HMAC-SHA256 over NUL-separated parts, bound to the host and the line; an H3C Comware key sent
as `simple <secret:NAME>` and shown back as the device's own `cipher $c$3$...` is proven by
the push's fingerprint, and by nothing else; the file is 0600 in a 0700 folder and survives a
broken or foreign file.

Line forms from H3C Comware 7 Security Command Reference (`hwtacacs scheme`, `key
authentication { cipher | simple } string`) and Fundamentals (`local-user` `password hash`);
Huawei VRP `hwtacacs-server shared-key cipher`. The cipher texts are made up: nothing here
decodes them."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nornir_config.compliance.fingerprints import (
    FILE,
    Fingerprints,
    clear_secret,
    keyed_hash,
    line_key,
    unverifiable,
)
from nornir_config.platforms import driver
from nornir_config.secrets import Secrets

H3C = driver("hp_comware")
VRP = driver("huawei_vrp")
KEY = "T3stTacacsKey"
SECRETS = Secrets({"tacacs_key": KEY})
HEAD = "hwtacacs scheme TACACS"
INTENDED = f"{HEAD}\n key authentication simple <secret:tacacs_key>\n#\n"
CIPHER = "cipher $c$3$Qm3xAe9ZL1vPs0tN7gRfYhK2bWcD4uJ8iXoE6nq=="
SHOWN = f"{HEAD}\n key authentication {CIPHER}\n#\n"
SENT = [HEAD, f" key authentication simple {KEY}"]
LINE_KEY = "hwtacacs scheme TACACS / key authentication <removed>"


def test_the_keyed_hash_is_hmac_sha256_over_nul_separated_parts() -> None:
    expected = hmac.new(b"k", b"host\0line\0text", hashlib.sha256).hexdigest()
    assert keyed_hash("k", "host", "line", "text") == expected
    assert keyed_hash("k", "host", b"line", "text") == expected  # bytes parts as they are
    assert keyed_hash("k", "ab", "c") != keyed_hash("k", "a", "bc")


def test_a_lines_key_names_its_place_with_secrets_masked() -> None:
    path = (HEAD, f" key authentication {CIPHER}")
    assert line_key(path, H3C) == LINE_KEY
    assert line_key(("return",), H3C) == "return"


def test_only_a_devices_own_cipher_is_unverifiable() -> None:
    assert unverifiable(f" key authentication {CIPHER}", H3C)
    # Comware's `hash` login passwords verify offline (platform verify["hash"])
    assert not unverifiable(" password hash $h$6$c2FsdA==$aGFzaA==", H3C)
    assert not unverifiable(" key authentication simple clear-key", H3C)  # `simple` checks
    assert not unverifiable(HEAD, H3C)  # no secret at all
    assert unverifiable(f" hwtacacs-server shared-key {CIPHER.replace('$c$3$', '%^%#')}", VRP)


def test_the_secret_an_intended_line_carries() -> None:
    # Comware: `simple` is revealed (the form taken off), the reference filled from the store
    assert clear_secret(H3C, " key authentication simple <secret:tacacs_key>", SECRETS) == KEY
    assert clear_secret(H3C, " key authentication simple pl41n", SECRETS) == "pl41n"
    # VRP names the secret after `cipher`: no reveal, the reference alone
    assert clear_secret(VRP, " hwtacacs-server shared-key cipher <secret:tacacs_key>", SECRETS) == (
        KEY
    )
    # a device's cipher text is not a secret anyone can fill in
    assert clear_secret(VRP, " hwtacacs-server shared-key cipher %^%#x%^%#", SECRETS) is None
    assert clear_secret(H3C, " key authentication simple <secret:other>", SECRETS) is None
    assert clear_secret(H3C, HEAD, SECRETS) is None


def test_a_push_fingerprints_the_cipher_it_left_and_only_that_proves_the_secret(
    tmp_path: Path, local_clock_off_utc: None
) -> None:
    proof = Fingerprints(tmp_path, "h3c-rt01", H3C, SECRETS)
    assert proof.record(SENT, SHOWN, INTENDED) == 1
    held = proof.known[LINE_KEY]
    assert held["fingerprint"] == keyed_hash(KEY, "h3c-rt01", LINE_KEY, CIPHER)
    pushed = datetime.fromisoformat(proof.pushed(LINE_KEY))
    assert pushed.utcoffset() == timedelta(0)
    assert abs(pushed - datetime.now(UTC)) < timedelta(minutes=1)
    assert proof.pushed("no such line") == ""

    path = (HEAD, f" key authentication {CIPHER}")
    intended = " key authentication simple <secret:tacacs_key>"
    assert proof(path, path[1], intended) is True
    other = f" key authentication {CIPHER.replace('Qm3x', 'Zz9y')}"
    assert proof((HEAD, other), other, intended) is False  # the device's key changed
    assert proof((HEAD, " key accounting " + CIPHER), "x", intended) is None  # never pushed
    # the same cipher text on another device, or with the store's key gone, proves nothing
    elsewhere = Fingerprints(tmp_path, "h3c-rt02", H3C, SECRETS, dict(proof.known))
    assert elsewhere(path, path[1], intended) is False
    lost = Fingerprints(tmp_path, "h3c-rt01", H3C, Secrets({}), dict(proof.known))
    assert lost(path, path[1], intended) is False

    # a line the push did not send, or one it sent without a store value, is not recorded
    assert Fingerprints(tmp_path, "h3c-rt01", H3C, SECRETS).record([HEAD], SHOWN, INTENDED) == 0
    empty = Fingerprints(tmp_path, "h3c-rt01", H3C, Secrets({}))
    assert empty.record(SENT, SHOWN, INTENDED) == 0


def test_fingerprints_are_saved_per_host_in_a_private_file(tmp_path: Path) -> None:
    build = tmp_path / "build"
    first = Fingerprints(build, "h3c-rt01", H3C, SECRETS)
    first.record(SENT, SHOWN, INTENDED)
    first.save()
    assert (build / FILE).parent.stat().st_mode & 0o777 == 0o700
    assert (build / FILE).stat().st_mode & 0o777 == 0o600
    second = Fingerprints(build, "h3c-sw01", H3C, SECRETS)
    second.record(SENT, SHOWN.replace("Qm3x", "Ab12"), INTENDED)
    second.save()  # the folder is there already
    data = json.loads((build / FILE).read_text(encoding="utf-8"))
    assert sorted(data) == ["h3c-rt01", "h3c-sw01"]
    assert KEY not in (build / FILE).read_text(encoding="utf-8")
    again = Fingerprints.load(build, "h3c-rt01", H3C, SECRETS)
    assert again.known == first.known
    path = (HEAD, f" key authentication {CIPHER}")
    assert again(path, path[1], " key authentication simple <secret:tacacs_key>") is True

    # a file that is not ours (a list, broken JSON) holds no fingerprints
    for text in ("[1, 2]", "{not json"):
        (build / FILE).write_text(text, encoding="utf-8")
        assert Fingerprints.load(build, "h3c-rt01", H3C, SECRETS).known == {}
