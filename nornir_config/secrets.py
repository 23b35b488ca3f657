"""Device secrets: from the environment or a 0600 file outside the repository, never from hosts/.

Passwords are rendered as Cisco type 9 (scrypt) hashes and keys as type 7, through netutils.
The salt of a type 9 hash is derived from the province and the secret's name, so renders are
reproducible (an unchanged config is not rewritten) and one province-wide scrypt run per secret
keeps rendering ~500 devices fast; the salt never repeats across provinces or secrets.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml
from netutils.password import encrypt_cisco_type7, encrypt_cisco_type9

from nornir_config.errors import InputError, Problem

ENV_PREFIX = "COMMUNELAN_SECRET_"
FILE_ENV = "COMMUNELAN_SECRETS_FILE"
DEFAULT_FILE = Path("~/.config/communelan/secrets.yaml")
# Keys the device must be able to send, rendered in reversible type 7 form.
REVERSIBLE = ("ntp_key", "tacacs_key")
_SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def required_secrets(local_users: Iterable[str]) -> list[str]:
    """Names of the secrets a device config needs."""
    return [
        "enable_secret",
        *(f"password_{user}" for user in local_users),
        "ntp_key",
        "snmp_auth_key",
        "snmp_priv_key",
        "tacacs_key",
    ]


@dataclass(frozen=True)
class Secrets:
    """Secret values by name; `source` says where each came from (for error messages only)."""

    values: Mapping[str, str]
    source: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values[name]

    def require(self, names: Iterable[str], where: str) -> None:
        missing = [n for n in names if not self.values.get(n)]
        if missing:
            raise InputError(
                Problem(
                    where,
                    f"secret '{name}'",
                    "is missing",
                    f"set {ENV_PREFIX}{name.upper()} or add '{name}' to the secrets file "
                    f"({FILE_ENV}, default {DEFAULT_FILE}, mode 0600)",
                )
                for name in missing
            )

    @cached_property
    def _forms(self) -> tuple[re.Pattern[str], dict[str, str]] | None:
        """One pattern for each secret's clear value and its 16 possible type 7 forms, longest
        first, and the name behind each form (lower case); None without secrets."""
        names: dict[str, str] = {}
        for name, value in self.values.items():
            if not value or len(value) < 4:
                continue
            names.setdefault(value.lower(), name)
            if value.isascii():
                for salt in range(16):
                    names.setdefault(str(encrypt_cisco_type7(value, salt=salt)).lower(), name)
        if not names:
            return None
        forms = sorted(names, key=lambda f: -len(f))
        return re.compile("|".join(map(re.escape, forms)), re.IGNORECASE), names

    def redact(self, text: str) -> str:
        """`text` with every secret value, and its type 7 forms, replaced in one pass (a
        replacement is never searched again: a value that is part of a name stays whole)."""
        if self._forms is None:
            return text
        pattern, names = self._forms
        return pattern.sub(lambda m: f"<secret:{names[m.group(0).lower()]}>", text)

    def check_reversible(self, names: Iterable[str], where: str) -> None:
        """Refuse keys a type 7 form cannot carry (printable ASCII only, no spaces)."""
        bad = [
            n
            for n in names
            if n in REVERSIBLE and not re.fullmatch(r"[\x21-\x7e]+", self.values.get(n, "x"))
        ]
        if bad:
            raise InputError(
                Problem(
                    self.source.get(name, where),
                    f"secret '{name}'",
                    "has characters a type 7 key cannot carry (non-ASCII or spaces)",
                    "use printable ASCII letters, digits and punctuation only",
                )
                for name in bad
            )


def _check_file(path: Path, root: Path | None) -> None:
    shown = str(path)
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError.one(
            shown,
            "permissions",
            f"mode {oct(mode & 0o777)} lets others read it",
            f"chmod 600 {shown}",
        )
    if root is not None:
        resolved = path.resolve()
        lab = (root / ".lab").resolve()
        if resolved.is_relative_to(root.resolve()) and not resolved.is_relative_to(lab):
            raise InputError.one(
                shown,
                "location",
                "a secrets file inside the repository could be committed",
                "move it outside the repository (e.g. ~/.config/communelan/secrets.yaml)",
            )


def load_secrets(
    secrets_file: Path | None = None,
    root: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Secrets:
    """Secrets from the file (if any) overridden by COMMUNELAN_SECRET_* variables."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    source: dict[str, str] = {}
    explicit = secrets_file or (Path(env[FILE_ENV]) if env.get(FILE_ENV) else None)
    path = (explicit or DEFAULT_FILE).expanduser()
    if path.is_file():
        _check_file(path, root)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except UnicodeDecodeError as exc:
            raise InputError.one(
                str(path), "encoding", f"not UTF-8 (byte {exc.start})", "save the file as UTF-8"
            ) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else None
            raise InputError(
                [Problem(str(path), "YAML", "broken YAML", "fix the syntax", line)]
            ) from None
        if not isinstance(data, dict) or not all(isinstance(v, str | int) for v in data.values()):
            raise InputError.one(
                str(path), "file", "must map secret names to strings", "write 'name: value' lines"
            )
        for key, value in data.items():
            values[str(key)] = str(value)
            source[str(key)] = str(path)
    elif explicit is not None:
        raise InputError.one(str(path), "file", "not found", f"create it or unset {FILE_ENV}")
    for key, value in env.items():
        if key.startswith(ENV_PREFIX) and value:
            name = key[len(ENV_PREFIX) :].lower()
            values[name] = value
            source[name] = f"${key}"
    return Secrets(values, source)


def write_secrets_file(path: Path, values: Mapping[str, str]) -> Path:
    """Write a secrets file readable by its owner only (created 0600, never wider)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{name}: {value}\n" for name, value in values.items()))
    path.chmod(0o600)
    return path


def _salt(scope: str, name: str, length: int = 14) -> str:
    digest = hashlib.sha256(f"communelan:{scope}:{name}".encode()).digest()
    return "".join(_SALT_CHARS[b % len(_SALT_CHARS)] for b in digest[:length])


@cache
def type9(secret: str, scope: str, name: str) -> str:
    """Cisco type 9 (scrypt) hash with a reproducible salt."""
    return str(encrypt_cisco_type9(secret, salt=_salt(scope, name)))


@cache
def type7(secret: str, scope: str, name: str) -> str:
    """Cisco type 7 form (reversible: only for keys IOS must send, such as NTP and TACACS+)."""
    salt = hashlib.sha256(f"{scope}:{name}".encode()).digest()[0] % 16
    return str(encrypt_cisco_type7(secret, salt=salt))


_DIFF_MARK = re.compile(r"^[+-](?![+-]{2} )")


def redact(text: str, secrets: Secrets, platform: str) -> str:
    """The one redactor for every output (reports, audit log, diffs, messages).

    Clear secret values and their type 7 forms by name, then every secret token the platform
    knows, also on the `+`/`-` lines of a unified diff (NAPALM's compare_config), then the
    platform's hash forms wherever they appear in a line (an error message quoting a command).
    """
    from nornir_config.backup import sanitize
    from nornir_config.compliance.secrets import redact as token_redact
    from nornir_config.platforms import platform_data

    lines = secrets.redact(text).split("\n")
    marks = [m.group(0) if (m := _DIFF_MARK.match(line)) else "" for line in lines]
    body = "\n".join(line[len(mark) :] for line, mark in zip(lines, marks, strict=True))
    body = sanitize(token_redact(body, secrets, platform), platform)
    for pattern in platform_data(platform, "sanitize").get("anywhere", []):
        body = re.sub(pattern["regex"], pattern["replace"], body)
    clean = body.split("\n")
    if len(clean) != len(marks):  # a filter joined lines: never show the unmarked text
        return body
    return "\n".join(mark + line for mark, line in zip(marks, clean, strict=True))
