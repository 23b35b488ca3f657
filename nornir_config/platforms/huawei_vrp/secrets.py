"""Huawei secret forms, and why none of them can be computed or checked offline.

VRP stores a login password it is given (`local-user X password irreversible-cipher <clear>`)
as its own one-way form (`$1a$...$`), and keys (SNMPv3, NTP, HWTACACS `cipher <clear>`) as its
own reversible form (`%^%#...%^%#`). Neither algorithm is documented and netutils has no Huawei
password functions, so communelan cannot precompute them (as it does Cisco type 9/7) nor check
a device's token against the secret.

So the intended config names the secret instead (`<secret:password_admin>`, the redactor's own
form): the clear value is put in only in the commands sent to the device at push time
(`nornir_config.secrets.reveal`), never in a file. A device token standing where the
intended config names a secret is not compared
("cannot be verified offline"): the kinds below have no `verify` check, which the compliance
report must show as unverifiable, never as compliant.
"""

from __future__ import annotations

import re

from nornir_config.platforms.base import SecretForms


def reference(_secret: str, seed: str) -> str:
    """`<secret:NAME>` for the secret named last in `seed` (`province-NN:password_admin`)."""
    name = re.split(r"[:/ ]", seed)[-1]
    return f"<secret:{name}>"


FORMS = SecretForms(
    password=reference,
    key=reference,
    key_forms=lambda _secret: (),
    # VRP's `cipher` takes 1-255 printable characters without spaces or `?`; `"` ends a string.
    key_ok=lambda secret: (
        bool(re.fullmatch(r"[\x21-\x3e\x40-\x7e]{1,255}", secret)) and '"' not in secret
    ),
    verify={},
    reveal={},
)
