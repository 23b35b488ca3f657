"""Comware secret forms: `password hash $h$6$...` for logins (verifiable offline); keys the
device is sent as `simple` and stores as `cipher $c$3$...` (Comware's cipher is not public and
a `cipher` key must be the device's own ciphertext), so the intended config names the key
(`simple <secret:tacacs_key>`) and the clear value goes only into what is sent to the device."""

from __future__ import annotations

import re
from collections.abc import Callable

from nornir_config.platforms.base import SecretForms
from nornir_config.platforms.hp_comware.passwords import comware_hash, salt_from, verify_hash


def password(secret: str, seed: str) -> str:
    """The `$h$6$` hash with a salt derived from `seed` (reproducible renders)."""
    return comware_hash(secret, salt_from(seed))


def key(_secret: str, seed: str) -> str:
    """A key as intended configs carry it: `<secret:NAME>` for the key named last in `seed`
    (after `simple`, the device turns it into its cipher)."""
    return f"<secret:{re.split(r'[:/ ]', seed)[-1]}>"


# A key's token is its form and value (`simple X`); `cipher` has no check (no public algorithm).
VERIFY: dict[str, Callable[[str, str], bool]] = {
    "hash": verify_hash,
    "simple": lambda secret, token: token in (secret, f"simple {secret}"),
}

FORMS = SecretForms(
    password=password,
    key=key,
    key_forms=lambda secret: (),
    key_ok=lambda secret: bool(secret) and " " not in secret and len(secret) <= 255,
    verify=VERIFY,
    reveal={"simple": lambda token: token.removeprefix("simple ")},
)
