"""Comware secret forms: `$h$6$` hashes verify offline (John the Ripper's documented `h3c`
format), keys stored as `$c$3$` ciphers cannot, and the lab stores what a device stores."""

from __future__ import annotations

import pytest

from nornir_config.platforms import driver
from nornir_config.platforms.hp_comware.passwords import comware_hash, verify_hash

# The test vectors John the Ripper publishes for its `h3c` format.
VECTORS = [
    (
        "$h$6$4tWqOiqovcWddOKv$XyFMVgaE46fGiqsZEHbcr+BM/m9tDkvahDbqU7HoNrvmALk2u31z9c/tuUmX7IiQh"
        "WRwN5qoZquW82A8XYaDWA==",
        "abc",
    ),
    (
        "$h$6$abcdefghijklmnop$jp3hDbVlf/L1GNDE4n6x4wqvHnFiEr4YrtM6ax1aFXFb6pdu4Nfmpp09pZFOGOH8I"
        "D9vw2AOKQA4q8lByhlG4A==",
        "password",
    ),
]


@pytest.mark.parametrize(("token", "secret"), VECTORS)
def test_published_vectors(token: str, secret: str) -> None:
    assert comware_hash(secret, token[5:21]) == token
    assert verify_hash(secret, token)
    assert not verify_hash(secret + "x", token)


def test_driver_forms() -> None:
    forms = driver("hp_comware").secrets
    rendered = forms.password("T3st-Admin-Passw0rd", "province-38:password_admin")
    assert rendered == forms.password("T3st-Admin-Passw0rd", "province-38:password_admin")
    assert rendered != forms.password("T3st-Admin-Passw0rd", "province-22:password_admin")
    assert forms.verify["hash"]("T3st-Admin-Passw0rd", rendered)
    assert not forms.verify["hash"]("other", rendered)
    assert "cipher" not in forms.verify  # no public algorithm: never "verified"
    assert verify_hash("x", "$h$6$short$abc") is False
