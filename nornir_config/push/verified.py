"""The running configs a push last verified as intended, kept as fingerprints.

A no-op push reads the running config (one login, one read) and would parse it and the
intended config with hier_config to find an empty remediation: most of its CPU. When the
config read now is the one a push verified for the same intended config, the remediation is
known to be empty and is not computed again.

A fingerprint is an HMAC-SHA256 of everything a remediation depends on: the running config
without its volatile lines (the same ones the remediation ignores), the intended config, the
host's `preserve:` patterns, the platform's data files and communelan's remediation code.
Any change to one of them is another fingerprint, and the push computes the remediation as
before. The key is drawn from the secrets store and a random salt of the state file, so a
fingerprint says nothing of a secret in the config, even to one who holds the redacted backup.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from nornir_config.platforms.base import Platform

_PACKAGE = Path(__file__).resolve().parents[1]
# The code a remediation is computed by: a change to it (an upgrade) forgets every fingerprint.
_RULES_CODE = (
    "push/diff.py",
    "hier.py",
    "running_config.py",
    "compliance/secrets.py",
    "compliance/fingerprints.py",
)


@cache
def _rules_digest(platform: Platform) -> str:
    """What the remediation of `platform` is computed by: its data files, our code, hier_config."""
    digest = hashlib.sha256(version("hier_config").encode())
    for path in (
        *sorted(platform.folder.glob("*.yaml")),
        *(_PACKAGE / name for name in _RULES_CODE),
    ):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Verified:
    """A fingerprint of a device's verified running config and what the push reported with it
    (the running lines kept on purpose, redacted)."""

    fingerprint: str
    protected: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunningFingerprints:
    """Fingerprints of running configs under one key (the secrets store's values and the
    state's salt)."""

    key: str

    @classmethod
    def of_run(cls, secret_values: Mapping[str, str], salt: str) -> RunningFingerprints:
        material = json.dumps([salt, sorted(secret_values.items())], ensure_ascii=False)
        return cls(hashlib.sha256(material.encode()).hexdigest())

    def of(
        self,
        running: str,
        intended: str,
        platform: Platform,
        preserve: Sequence[str],
        proven: object = None,
    ) -> str:
        """`proven`: the device-cipher fingerprints the remediation was planned with (JSON)."""
        # compliance imports push.state: imported when first used
        from nornir_config.compliance.engine import without_volatile
        from nornir_config.compliance.fingerprints import keyed_hash

        body = without_volatile(running, platform)
        rules = json.dumps(
            [platform.name, _rules_digest(platform), list(preserve), proven], sort_keys=True
        )
        return keyed_hash(self.key, "running config", rules, body, intended)


@dataclass(frozen=True)
class VerifiedConfigs:
    """The fingerprints a run checks against, with the key it computes its own by."""

    fingerprints: RunningFingerprints
    entries: Mapping[str, Verified]

    def of(
        self,
        running: str,
        intended: str,
        platform: Platform,
        preserve: Sequence[str],
        proven: object = None,
    ) -> str:
        return self.fingerprints.of(running, intended, platform, preserve, proven)

    def match(self, host: str, fingerprint: str) -> Verified | None:
        """The host's entry when its verified running config has this fingerprint."""
        entry = self.entries.get(host)
        if entry is None or not hmac.compare_digest(entry.fingerprint, fingerprint):
            return None
        return entry


def new_salt() -> str:
    return os.urandom(16).hex()


def read_verified(data: Mapping[str, object]) -> dict[str, Verified]:
    """The `verified` part of a saved push state (empty for a state written before it)."""
    entries = data.get("verified", {})
    if not isinstance(entries, dict):
        return {}
    return {
        str(host): Verified(str(e["fingerprint"]), tuple(str(p) for p in e.get("protected", [])))
        for host, e in entries.items()
        if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
    }


def write_verified(entries: Mapping[str, Verified]) -> dict[str, object]:
    return {
        host: {"fingerprint": v.fingerprint, "protected": list(v.protected)}
        for host, v in sorted(entries.items())
    }
