"""Secret tokens in config lines, compared by the secret they hide.

Two renders of the same password differ by salt; what matters to an auditor is whether the
device's hash verifies against the secret the province decided. Where the tokens sit is data
(the driver's `secret_tokens`); how a kind of token is checked is the driver's
(`Platform.secrets.verify` / `reveal`). A kind without a check is never called the same secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from nornir_config.platforms.base import Platform
from nornir_config.secrets import REFERENCE, REMOVED, Secrets
from nornir_config.secrets import reveal as reveal_names


class TokenKind(NamedTuple):
    """A token's form on its platform: the key of `Platform.secrets.verify` / `reveal`."""

    platform: Platform
    name: str


@dataclass(frozen=True)
class TokenRule:
    regex: re.Pattern[str]
    kind: str | None  # None: read from the regex group `type`


@cache
def token_rules(platform: Platform) -> tuple[TokenRule, ...]:
    data = platform.data("secret_tokens")
    return tuple(
        TokenRule(
            re.compile(r["regex"], re.MULTILINE), None if r.get("type") is None else str(r["type"])
        )
        for r in data["secret_tokens"]
    )


def tokens(line: str, platform: Platform) -> tuple[str, list[tuple[TokenKind, str]]]:
    """The line with its secret tokens masked, and the (kind, token) pairs in order."""
    found: list[tuple[TokenKind, str]] = []
    for rule in token_rules(platform):
        match = rule.regex.match(line)
        if not match:
            continue
        kind = rule.kind if rule.kind is not None else match.group("type")
        found.append((TokenKind(platform, kind), match.group("hash")))
        line = f"{match.group('pre')}{REMOVED}{match.group('post')}"
    return line, found


@dataclass
class TokenVerifier:
    """Decides whether two tokens hide the same secret, caching every (slow) hash check."""

    secrets: Secrets
    _owner: dict[tuple[TokenKind, str], str | None] = field(default_factory=dict)
    _checked: dict[tuple[TokenKind, str, str], bool] = field(default_factory=dict)

    def _verify(self, kind: TokenKind, secret: str, token: str) -> bool:
        key = (kind, secret, token)
        if key not in self._checked:
            check = kind.platform.secrets.verify.get(kind.name)
            try:
                self._checked[key] = bool(check and check(secret, token))
            except Exception:  # a malformed token verifies against nothing
                self._checked[key] = False
        return self._checked[key]

    def secret_of(self, kind: TokenKind, token: str) -> str | None:
        """The stored secret an intended token was made from, if any."""
        key = (kind, token)
        if key not in self._owner:
            reveal = kind.platform.secrets.reveal.get(kind.name)
            if reveal is not None:
                try:  # a form revealed may still name its secret (`simple <secret:NAME>`)
                    clear: str | None = reveal_names(reveal(token), self.secrets)
                except Exception:
                    clear = None
                if clear is not None and REFERENCE.search(clear):
                    clear = None
                self._owner[key] = clear
            else:
                self._owner[key] = next(
                    (v for v in self.secrets.values.values() if v and self._verify(kind, v, token)),
                    None,
                )
        return self._owner[key]

    def same_secret(self, kind: TokenKind, intended: str, running: str) -> bool | None:
        """True/False, or None when the running token cannot be checked: a sanitised backup,
        or a form nothing can check offline (a kind without a check, or an intended config
        that names its secret instead of holding a form of it)."""
        if intended == running:
            return True
        if REMOVED in running or running.startswith("<"):
            return None
        if kind.name not in kind.platform.secrets.verify or intended.startswith("<secret:"):
            return None
        secret = self.secret_of(kind, intended)
        return secret is not None and self._verify(kind, secret, running)
