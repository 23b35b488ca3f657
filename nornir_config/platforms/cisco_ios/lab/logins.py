"""Who may log in to a lab device, decided from the device's own running config, as IOS does.

The vty line's `transport input` and `access-class` (checked against the client's address),
then authentication: `aaa new-model` method lists (`group ...` servers are unreachable in the
lab, so IOS falls through to the next method), else the line's `login local` / `login`.
Secrets verify with netutils (Cisco types 5, 7, 9) and PBKDF2-SHA256 for type 8.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

from hier_config import HConfig, HConfigChild
from netutils.password import (
    compare_cisco_type5,
    compare_cisco_type7,
    compare_cisco_type9,
    encrypt_cisco_type9,
)

from nornir_config.platforms.base import Login
from nornir_config.platforms.cisco_ios.lab import filters

# Cisco's base64 alphabet for type 8/9 hashes (`./0-9A-Za-z`), from the standard one.
_CISCO_B64 = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)


def type8(secret: str, salt: str) -> str:
    """Cisco type 8: PBKDF2-HMAC-SHA256, 20000 rounds, 14-character salt, Cisco base64."""
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt.encode(), 20000)
    encoded = base64.b64encode(digest).translate(_CISCO_B64).decode().rstrip("=")
    return f"$8${salt}${encoded}"


@lru_cache(maxsize=1024)
def verify(kind: str, token: str, secret: str) -> bool:
    """Whether `secret` is the password a `secret`/`password` token of type `kind` holds."""
    if token == "<removed>":  # a sanitised backup: nothing verifies against it
        return False
    try:
        if kind == "0":
            return token == secret
        if kind == "5":
            return bool(compare_cisco_type5(secret, token))
        if kind == "7":
            return bool(compare_cisco_type7(secret, token))
        if kind == "8":
            parts = token.split("$")
            return len(parts) == 4 and type8(secret, parts[2]) == token
        if kind == "9":
            return bool(compare_cisco_type9(secret, token))
    except (ValueError, TypeError, IndexError):
        return False
    return False


_PLAIN_SECRET = re.compile(r"^((?:enable|username \S+(?: privilege \d+)?) secret )(?:0 )?(\S+)$")


def hash_plain(text: str) -> str:
    """`enable secret X` / `username U secret X` typed in clear: IOS-XE 17 stores type 9."""
    m = _PLAIN_SECRET.match(text)
    if m is None or m.group(2) in ("5", "8", "9"):
        return text
    return f"{m.group(1)}9 {encrypt_cisco_type9(m.group(2))}"


def _secret_of(words: list[str], keyword: str) -> tuple[str, str] | None:
    """(type, token) after `secret` or `password` in a line's words."""
    if keyword not in words:
        return None
    rest = words[words.index(keyword) + 1 :]
    if not rest:
        return None
    if len(rest) >= 2 and rest[0] in ("0", "5", "7", "8", "9"):
        return rest[0], rest[1]
    return ("5" if keyword == "secret" else "0"), rest[0]


def _users(running: HConfig) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for child in running.children:
        if child.text.startswith("username "):
            words = child.text.split()
            users[words[1]] = words
    return users


def local_login(running: HConfig, username: str, password: str) -> Login:
    words = _users(running).get(username)
    if words is None:
        return Login(False, reason=f"no local user {username}")
    found = _secret_of(words, "secret") or _secret_of(words, "password")
    if found is None or not verify(found[0], found[1], password):
        return Login(False, reason=f"wrong password for {username}")
    privilege = int(words[words.index("privilege") + 1]) if "privilege" in words else 1
    return Login(True, privilege)


def enable_ok(running: HConfig, password: str) -> bool:
    """`enable` with the device's `enable secret` (or `enable password`)."""
    for keyword in ("secret", "password"):
        for child in running.children:
            if child.text.startswith(f"enable {keyword} "):
                found = _secret_of(child.text.split(), keyword)
                return found is not None and verify(found[0], found[1], password)
    return False


def vty(running: HConfig) -> list[HConfigChild]:
    """The vty line blocks that cover line 0, where a remote session lands (`line vty 0 4`
    and a later `line vty 0 15` both do), the last one typed first."""
    blocks = []
    for child in running.children:
        m = re.match(r"line vty (\d+)", child.text)
        if m and int(m.group(1)) == 0:
            blocks.append(child)
    return blocks[::-1]


def _line_option(lines: list[HConfigChild], prefix: str) -> str | None:
    for line in lines:
        for child in line.children:
            if child.text.startswith(prefix):
                return child.text
    return None


def transport_allows(running: HConfig, protocol: str = "ssh") -> bool:
    option = _line_option(vty(running), "transport input ")
    if option is None:
        return True  # IOS-XE's default for vty lines takes ssh
    allowed = option.split()[2:]
    return "all" in allowed or protocol in allowed


def access_class_permits(running: HConfig, source: str | None) -> bool:
    """The vty `access-class X in` evaluated for `source` (no access-class: everyone)."""
    option = _line_option(vty(running), "access-class ")
    if option is None or source is None or not option.endswith(" in"):
        return True
    verdict = filters.source_permits(filters.access_lists(running), option.split()[1], source)
    return True if verdict is None else verdict  # IOS: a missing ACL permits everything


def authenticate(running: HConfig, username: str, password: str) -> Login:
    """Authentication and the privilege it gives, from AAA or the vty line's `login`."""
    line = vty(running)
    if any(c.text == "aaa new-model" for c in running.children):
        option = _line_option(line, "login authentication ")
        list_name = option.split()[2] if option else "default"
        methods = _method_list(running, list_name)
        for method in methods:
            if method == "local" or method == "local-case":
                return local_login(running, username, password)
            if method == "line":
                return _line_password(line, password)
            if method == "enable":
                return Login(enable_ok(running, password), 1, "enable password")
            if method == "none":
                return Login(True, 1)
            # `group tacacs+|radius|NAME`: no server answers in the lab; IOS tries the next.
        if not methods:
            return local_login(running, username, password)
        return Login(False, reason=f"no method of login list {list_name} answers")
    login = _line_option(line, "login")
    if login is None:
        return Login(False, reason="no login configured on the vty lines")
    if login.startswith("login local"):
        return local_login(running, username, password)
    return _line_password(line, password)


def _line_password(line: list[HConfigChild], password: str) -> Login:
    option = _line_option(line, "password ")
    if option is None:
        return Login(False, reason="password required, but none set")
    found = _secret_of(option.split(), "password")
    ok = found is not None and verify(found[0], found[1], password)
    privilege = _line_option(line, "privilege level ")
    return Login(ok, int(privilege.split()[2]) if privilege else 1, "" if ok else "wrong password")


def _method_list(running: HConfig, name: str) -> list[str]:
    prefix = f"aaa authentication login {name} "
    for child in running.children:
        if child.text.startswith(prefix):
            words = child.text[len(prefix) :].split()
            methods: list[str] = []
            i = 0
            while i < len(words):
                if words[i] == "group" and i + 1 < len(words):
                    methods.append(f"group {words[i + 1]}")
                    i += 2
                else:
                    methods.append(words[i])
                    i += 1
            return methods
    return []


def login(
    running: HConfig, username: str, password: str, source: str | None, protocol: str = "ssh"
) -> Login:
    """The whole decision for one remote login."""
    if not transport_allows(running, protocol):
        return Login(False, reason=f"vty transport input does not take {protocol}")
    if not access_class_permits(running, source):
        return Login(False, reason=f"vty access-class denies {source}")
    return authenticate(running, username, password)
