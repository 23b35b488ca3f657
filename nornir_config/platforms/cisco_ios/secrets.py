"""Cisco secret forms: type 9 (scrypt) for logins, type 7 for keys the device must send,
checked with netutils (type 5/7/9)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from netutils.password import (
    compare_cisco_type5,
    compare_cisco_type7,
    compare_cisco_type9,
    decrypt_cisco_type7,
    encrypt_cisco_type7,
    encrypt_cisco_type9,
)

from nornir_config.platforms.base import SecretForms

_SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _salt(seed: str, length: int = 14) -> str:
    digest = hashlib.sha256(f"communelan:{seed}".encode()).digest()
    return "".join(_SALT_CHARS[b % len(_SALT_CHARS)] for b in digest[:length])


def type9(secret: str, seed: str) -> str:
    """Type 9 (scrypt) hash, its salt derived from `seed` (reproducible renders)."""
    return str(encrypt_cisco_type9(secret, salt=_salt(seed)))


def type7(secret: str, seed: str) -> str:
    """Type 7 form (reversible: only for keys IOS must send, such as NTP and TACACS+)."""
    salt = hashlib.sha256(seed.encode()).digest()[0] % 16
    return str(encrypt_cisco_type7(secret, salt=salt))


def type7_forms(secret: str) -> tuple[str, ...]:
    """The 16 type 7 forms of a secret (one per salt)."""
    if not secret.isascii():
        return ()
    return tuple(str(encrypt_cisco_type7(secret, salt=s)) for s in range(16))


VERIFY: dict[str, Callable[[str, str], bool]] = {
    "0": lambda secret, token: secret == token,
    "5": lambda secret, token: bool(compare_cisco_type5(secret, token)),
    "7": lambda secret, token: bool(compare_cisco_type7(secret, token)),
    "9": lambda secret, token: bool(compare_cisco_type9(secret, token)),
}

FORMS = SecretForms(
    password=type9,
    key=type7,
    key_forms=type7_forms,
    key_ok=lambda secret: bool(re.fullmatch(r"[\x21-\x7e]+", secret)),
    verify=VERIFY,
    reveal={"7": lambda token: str(decrypt_cisco_type7(token))},
    key_name="type 7 key",
)
