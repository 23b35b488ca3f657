"""Device secrets: from the environment or a 0600 file outside the repository, never from hosts/.

Passwords are rendered in the platform driver's one-way form and keys in its reversible form
(`Platform.secrets`). The salt is derived from the province and the secret's name, so renders
are reproducible (an unchanged config is not rewritten) and one province-wide hash run per
secret keeps rendering ~500 devices fast; the salt never repeats across provinces or secrets.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import pairwise
from pathlib import Path

import yaml
from netutils.config.clean import sanitize_config

from nornir_config.errors import InputError, Problem
from nornir_config.platforms import drivers
from nornir_config.platforms.base import Platform

ENV_PREFIX = "COMMUNELAN_SECRET_"
FILE_ENV = "COMMUNELAN_SECRETS_FILE"
DEFAULT_FILE = Path("~/.config/communelan/secrets.yaml")
# Keys the device must be able to send, rendered in the platform's reversible form.
REVERSIBLE = ("ntp_key", "tacacs_key")
REMOVED = "<removed>"


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
        """One pattern for each secret's clear value and every reversible form any platform
        gives it, longest first, and the name behind each form (lower case); None without
        secrets."""
        names: dict[str, str] = {}
        reversible = [d.secrets.key_forms for d in drivers()]
        for name, value in self.values.items():
            if not value or len(value) < 4:
                continue
            names.setdefault(value.lower(), name)
            for key_forms in reversible:
                try:
                    forms = key_forms(value)
                except ValueError:  # no such form of this value (e.g. too long): none to hide
                    continue
                for form in forms:
                    names.setdefault(form.lower(), name)
        if not names:
            return None
        longest = sorted(names, key=lambda f: -len(f))
        return re.compile("|".join(map(re.escape, longest)), re.IGNORECASE), names

    def redact(self, text: str) -> str:
        """`text` with every secret value, and its reversible forms, replaced in one pass (a
        replacement is never searched again: a value that is part of a name stays whole)."""
        if self._forms is None:
            return text
        pattern, names = self._forms
        return pattern.sub(lambda m: f"<secret:{names[m.group(0).lower()]}>", text)

    def check_reversible(self, names: Iterable[str], where: str) -> None:
        """Refuse keys a platform's reversible form cannot carry."""
        forms = [d.secrets for d in drivers()]
        problems = []
        for name in names:
            value = self.values.get(name, "x")
            refusing = [f.key_name for f in forms if name in REVERSIBLE and not f.key_ok(value)]
            if refusing:
                problems.append(
                    Problem(
                        self.source.get(name, where),
                        f"secret '{name}'",
                        f"has characters a {' or '.join(refusing)} cannot carry "
                        "(non-ASCII, spaces, or too long)",
                        "use a shorter key of printable ASCII letters, digits and punctuation",
                    )
                )
        if problems:
            raise InputError(problems)


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


@cache
def hashed(platform: Platform, secret: str, scope: str, name: str) -> str:
    """The platform's one-way form of a login secret, salted reproducibly per scope and name."""
    return platform.secrets.password(secret, f"{scope}:{name}")


@cache
def reversible(platform: Platform, secret: str, scope: str, name: str) -> str:
    """The platform's reversible form of a key the device must send (NTP, TACACS+)."""
    return platform.secrets.key(secret, f"{scope}:{name}")


_DIFF_MARK = re.compile(r"^[+-](?![+-]{2} )")


@cache
def _token_filters(platform: Platform) -> tuple[dict[str, str], ...]:
    """The platform's secret tokens (`secret_tokens` data) as sanitize_config filters."""
    return tuple(
        {"regex": rule["regex"], "replace": rf"\g<pre>{REMOVED}\g<post>"}
        for rule in platform.data("secret_tokens")["secret_tokens"]
    )


REFERENCE = re.compile(r"<secret:([a-z0-9_]+)>")

# A secret's form shorter than this could stand elsewhere in a config by chance.
SHORTEST_FORM = 8

# Where a config holds the secrets' forms: (start, end, secret name), in text order.
Spans = list[tuple[int, int, str]]


def secret_spans(text: str, forms: Mapping[str, str]) -> Spans | None:
    """Where each of `forms` stands in `text`; None when that cannot be told for sure (a
    form too short, or two that overlap)."""
    spans: Spans = []
    for name, form in forms.items():
        if len(form) < SHORTEST_FORM:
            return None
        start = text.find(form)
        while start != -1:
            spans.append((start, start + len(form), name))
            start = text.find(form, start + len(form))
    spans.sort()
    if any(end > start for (_, end, _), (start, _, _) in pairwise(spans)):
        return None
    return spans


def with_forms(text: str, spans: Spans, forms: Mapping[str, str]) -> str:
    """`text` with the form at each span replaced by that secret's form in `forms`."""
    out, at = [], 0
    for start, end, name in spans:
        out += [text[at:start], forms[name]]
        at = end
    out.append(text[at:])
    return "".join(out)


def reveal(text: str, secrets: Secrets) -> str:
    """`text` with each `<secret:NAME>` (the form the redactor writes, and the intended
    config's where a driver cannot compute the device's own form) replaced by its clear
    value: only for what is sent to a device, never for what is stored or shown."""
    return REFERENCE.sub(lambda m: secrets.values.get(m.group(1), m.group(0)), text)


def redactor(secrets: Secrets, platforms: Iterable[Platform]) -> Callable[[str], str]:
    """`redact` for a run over devices of several platforms (each one's tokens removed)."""
    chosen = tuple(dict.fromkeys(platforms))

    def run_redact(text: str) -> str:
        for platform in chosen:
            text = redact(text, secrets, platform)
        return text

    return run_redact


def redact(text: str, secrets: Secrets, platform: Platform) -> str:
    """The one redactor for every output (reports, audit log, diffs, messages).

    Clear secret values and their reversible forms by name, then every secret token the
    platform knows, also on the `+`/`-` lines of a unified diff (NAPALM's compare_config), then
    the platform's hash forms wherever they appear in a line (an error message quoting a
    command).
    """
    from nornir_config.backup import sanitize

    lines = secrets.redact(text).split("\n")
    marks = [m.group(0) if (m := _DIFF_MARK.match(line)) else "" for line in lines]
    body = "\n".join(line[len(mark) :] for line, mark in zip(lines, marks, strict=True))
    body = sanitize(str(sanitize_config(body, list(_token_filters(platform)))), platform)
    for pattern, replacement in platform.secrets.anywhere:
        body = re.sub(pattern, replacement, body)
    clean = body.split("\n")
    if len(clean) != len(marks):  # a filter joined lines: never show the unmarked text
        return body
    return "\n".join(mark + line for mark, line in zip(marks, clean, strict=True))
