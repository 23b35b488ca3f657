"""Secret tokens in config lines: redact them for reports, and compare them by the secret.

Two renders of the same password differ by salt; what matters to an auditor is whether the
device's hash verifies against the secret the province decided. Where the tokens sit is data
(`secret_tokens.yaml` of the platform); hashing and sanitising are netutils.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from netutils.config.clean import sanitize_config
from netutils.password import (
    compare_cisco_type5,
    compare_cisco_type7,
    compare_cisco_type9,
    decrypt_cisco_type7,
)

from nornir_config.platforms import platform_data
from nornir_config.secrets import Secrets

REMOVED = "<removed>"

# How each Cisco type checks a clear secret against a token.
_VERIFY: dict[int, Callable[[str, str], bool]] = {
    0: lambda secret, token: secret == token,
    5: lambda secret, token: bool(compare_cisco_type5(secret, token)),
    7: lambda secret, token: bool(compare_cisco_type7(secret, token)),
    9: lambda secret, token: bool(compare_cisco_type9(secret, token)),
}


@dataclass(frozen=True)
class TokenRule:
    regex: re.Pattern[str]
    type: int | None  # None: read from the regex group `type`


@cache
def token_rules(platform: str) -> tuple[TokenRule, ...]:
    data = platform_data(platform, "secret_tokens")
    return tuple(
        TokenRule(re.compile(r["regex"], re.MULTILINE), r.get("type"))
        for r in data["secret_tokens"]
    )


@cache
def _sanitize_filters(platform: str) -> tuple[dict[str, str], ...]:
    return tuple(
        {"regex": rule.regex.pattern, "replace": rf"\g<pre>{REMOVED}\g<post>"}
        for rule in token_rules(platform)
    )


def redact(text: str, secrets: Secrets, platform: str) -> str:
    """`text` safe for a report: clear secrets by name, every hash and key token removed."""
    return sanitize_config(secrets.redact(text), list(_sanitize_filters(platform)))


def tokens(line: str, platform: str) -> tuple[str, list[tuple[int, str]]]:
    """The line with its secret tokens masked, and the (type, token) pairs in order."""
    found: list[tuple[int, str]] = []
    for rule in token_rules(platform):
        match = rule.regex.match(line)
        if not match:
            continue
        kind = rule.type if rule.type is not None else int(match.group("type"))
        found.append((kind, match.group("hash")))
        line = f"{match.group('pre')}{REMOVED}{match.group('post')}"
    return line, found


@dataclass
class TokenVerifier:
    """Decides whether two tokens hide the same secret, caching every (slow) hash check."""

    secrets: Secrets
    _owner: dict[tuple[int, str], str | None] = field(default_factory=dict)
    _checked: dict[tuple[int, str, str], bool] = field(default_factory=dict)

    def _verify(self, kind: int, secret: str, token: str) -> bool:
        key = (kind, secret, token)
        if key not in self._checked:
            check = _VERIFY.get(kind)
            try:
                self._checked[key] = bool(check and check(secret, token))
            except Exception:  # a malformed token verifies against nothing
                self._checked[key] = False
        return self._checked[key]

    def secret_of(self, kind: int, token: str) -> str | None:
        """The stored secret an intended token was made from, if any."""
        key = (kind, token)
        if key not in self._owner:
            if kind == 7:
                try:
                    clear: str | None = str(decrypt_cisco_type7(token))
                except Exception:
                    clear = None
                self._owner[key] = clear
            else:
                self._owner[key] = next(
                    (v for v in self.secrets.values.values() if v and self._verify(kind, v, token)),
                    None,
                )
        return self._owner[key]

    def same_secret(self, kind: int, intended: str, running: str) -> bool | None:
        """True/False, or None when the running token cannot be checked: a sanitised backup,
        or a form nothing can check offline (a kind without a check, or an intended config
        that names its secret instead of holding a form of it)."""
        if intended == running:
            return True
        if REMOVED in running or running.startswith("<"):
            return None
        if kind not in _VERIFY or intended.startswith("<secret:"):
            return None
        secret = self.secret_of(kind, intended)
        return secret is not None and self._verify(kind, secret, running)
