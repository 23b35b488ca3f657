"""Fingerprints of configs and the secret-free form of commands, shared by plan and apply.

A fingerprint is the sha256 of exactly the text a backup stores (`backup.clean_config`:
volatile lines dropped, secrets `<removed>`), so `sha256sum build/backups/<host>.cfg` shows
it too, and no fingerprint can be used to guess a secret. A change of a secret alone is still
caught: apply re-derives the commands and refuses a device whose commands differ.
"""

from __future__ import annotations

import hashlib

from nornir_config.backup import clean_config, sanitize
from nornir_config.platforms.base import Platform
from nornir_config.secrets import Secrets


def fingerprint(config: str, platform: Platform) -> str:
    """sha256 (hex) of the config as a backup stores it."""
    return hashlib.sha256(clean_config(config, platform).encode("utf-8")).hexdigest()


def redacted(commands: list[str], secrets: Secrets, platform: Platform) -> list[str]:
    """Commands safe to write down: clear secrets by name, hashes and keys `<removed>`."""
    return [sanitize(secrets.redact(c), platform) for c in commands]
