"""Comware 7 password hashes (`password hash $h$6$...`).

The form is `$h$6$<16-character salt>$<base64 of SHA-512(password NUL + salt + password NUL)>`,
as documented by John the Ripper's `h3c` format (its test vectors are in this project's tests).
Comware's reversible `$c$3$` cipher (keys the device must send) has no public algorithm: it
cannot be made or checked offline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

PREFIX = "$h$6$"
_SALT_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
HASH_FORM = re.compile(r"^\$h\$6\$([^$]{16})\$([A-Za-z0-9+/]{86}==)$")


def salt_from(seed: str) -> str:
    """A 16-character salt derived from `seed` (reproducible renders)."""
    digest = hashlib.sha256(f"communelan:{seed}".encode()).digest()
    return "".join(_SALT_CHARS[b % len(_SALT_CHARS)] for b in digest[:16])


def comware_hash(secret: str, salt: str) -> str:
    """`$h$6$` form of `secret` with a 16-character `salt`.

    >>> comware_hash("password", "abcdefghijklmnop")[:30]
    '$h$6$abcdefghijklmnop$jp3hDbVlf'
    """
    if len(salt) != 16 or "$" in salt:
        raise ValueError("a Comware hash salt is 16 characters without '$'")
    word = secret.encode() + b"\0"
    digest = hashlib.sha512(word + salt.encode() + word).digest()
    return f"{PREFIX}{salt}${base64.b64encode(digest).decode()}"


def verify_hash(secret: str, token: str) -> bool:
    """Whether the `$h$6$` token hides `secret`."""
    m = HASH_FORM.match(token)
    if m is None:
        return False
    return hmac.compare_digest(comware_hash(secret, m.group(1)), token)
