"""What a push saw of a secret the device keeps in its own undocumented cipher, so that a later
read can tell "as the push left it" from "changed since", with neither the secret nor the
cipher text in a file.

Some vendors store a secret they are sent in a cipher of their own with no public algorithm (a
driver kind without a `verify` check): no one can check offline that a device's cipher text
hides the intended secret. What can be known is this: right after a push sent a secret line in
clear, the cipher text the device then shows for that line hides that secret. The push keeps a
fingerprint of the pair, HMAC-SHA256 keyed by the secret over (host, line, cipher text), in a
0600 file under build/. A later read whose cipher text, with the secret intended now, gives the
same fingerprint is the same secret, untouched since that push. These ciphers are salted (the
same secret entered again gives another text), so any change on the device, or a changed secret
in the store, gives another fingerprint: drift, and the push sends the line again. A line no
push has fingerprinted is "unverified". The fingerprint is no weaker than the secret: guessing
it needs the device's cipher text, which only the device shows (backups remove it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from nornir_config.compliance.secrets import tokens
from nornir_config.platforms.base import Platform
from nornir_config.running_config import parse_blocks
from nornir_config.secrets import REFERENCE, Secrets

FILE = Path("state") / "secret-fingerprints.json"
_lock = threading.Lock()


class Proof(Protocol):
    """Whether a running line's device cipher hides the intended line's secret: True (as the
    last push left it), False (changed since), None (no push fingerprinted it)."""

    def __call__(self, path: Sequence[str], running: str, intended: str) -> bool | None: ...


def keyed_hash(key: str, *parts: str | bytes) -> str:
    """HMAC-SHA256 of `parts` (NUL-separated) under `key`, in hex: the one keyed hash of
    the state communelan keeps about devices (never the keyed value itself)."""
    message = b"\0".join(p if isinstance(p, bytes) else p.encode() for p in parts)
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def line_key(path: Sequence[str], platform: Platform) -> str:
    """A line's place, secrets masked: `aaa / local-user admin password irreversible-cipher
    <removed>`."""
    return " / ".join(tokens(p, platform)[0].strip() for p in path)


def clear_secret(platform: Platform, intended: str, secrets: Secrets) -> str | None:
    """The secret an intended line carries: its `<secret:NAME>` references filled in from the
    store, after the driver's reveal of the form (`simple X`)."""
    found = tokens(intended, platform)[1]
    if len(found) != 1:
        return None
    kind, token = found[0]
    reveal = platform.secrets.reveal.get(kind.name)
    shown = reveal(token) if reveal is not None else token
    names = REFERENCE.findall(shown)
    if any(not secrets.values.get(n) for n in names):
        return None
    clear = REFERENCE.sub(lambda m: secrets.values[m.group(1)], shown)
    return clear if names or reveal is not None else None


def unverifiable(line: str, platform: Platform) -> bool:
    """A line holding a secret form no one can check offline (a device's own cipher)."""
    found = tokens(line, platform)[1]
    return bool(found) and any(k.name not in platform.secrets.verify for k, _ in found)


@dataclass
class Fingerprints:
    """One host's fingerprints (line key -> {fingerprint, pushed}), read from and saved to
    build/state/secret-fingerprints.json."""

    build_dir: Path
    host: str
    platform: Platform
    secrets: Secrets | None = None  # None: read from the store when first needed
    known: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, build_dir: Path, host: str, platform: Platform, secrets: Secrets | None = None
    ) -> Fingerprints:
        return cls(build_dir, host, platform, secrets, dict(_read(build_dir).get(host, {})))

    def _store(self) -> Secrets:
        if self.secrets is None:
            from nornir_config.secrets import load_secrets
            from nornir_config.settings import run_settings

            self.secrets = load_secrets(root=run_settings().root)
        return self.secrets

    def _mark(self, key: str, running: str, intended: str) -> str | None:
        secret = clear_secret(self.platform, intended, self._store())
        cipher = tokens(running, self.platform)[1]
        if secret is None or len(cipher) != 1:
            return None
        return keyed_hash(secret, self.host, key, cipher[0][1])

    def __call__(self, path: Sequence[str], running: str, intended: str) -> bool | None:
        key = line_key(path, self.platform)
        held = self.known.get(key)
        if held is None:
            return None
        mark = self._mark(key, running, intended)
        return mark is not None and hmac.compare_digest(mark, held["fingerprint"])

    def pushed(self, key: str) -> str:
        """When the push that left the line was (ISO time), or ""."""
        return self.known.get(key, {}).get("pushed", "")

    def record(self, sent: Iterable[str], after: str, intended: str) -> int:
        """Fingerprint each device-cipher line of `after` (the running config right after a
        push) whose line the push sent (`sent`: its commands); returns how many."""
        platform = self.platform
        sent_keys = {tokens(line.strip(), platform)[0] for c in sent for line in c.splitlines()}
        wanted = {
            (line_key(p[:-1], platform), tokens(p[-1], platform)[0].strip()): p[-1]
            for p in _paths(intended, platform)
        }
        now = datetime.now(UTC).isoformat(timespec="seconds")
        count = 0
        for path in _paths(after, platform):
            line = path[-1]
            masked = tokens(line, platform)[0].strip()
            target = wanted.get((line_key(path[:-1], platform), masked))
            if target is None or masked not in sent_keys or not unverifiable(line, platform):
                continue
            key = line_key(path, platform)
            mark = self._mark(key, line, target)
            if mark is not None:
                self.known[key] = {"fingerprint": mark, "pushed": now}
                count += 1
        return count

    def save(self) -> None:
        """Merge this host's fingerprints into the file (0600, written whole)."""
        from nornir_config.render import write_private

        with _lock:
            data = _read(self.build_dir)
            data[self.host] = dict(sorted(self.known.items()))
            path = self.build_dir / FILE
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_private(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def _paths(text: str, platform: Platform) -> list[tuple[str, ...]]:
    """Every line of a config with the heads above it (top level and one level down)."""
    out: list[tuple[str, ...]] = []
    for head, children in parse_blocks(text, platform):
        out.append((head,))
        out.extend((head, child) for child in children)
    return out


def _read(build_dir: Path) -> dict[str, dict[str, dict[str, str]]]:
    try:
        data = json.loads((build_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


__all__ = ["Fingerprints", "Proof", "clear_secret", "keyed_hash", "line_key", "unverifiable"]
