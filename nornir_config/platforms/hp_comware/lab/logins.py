"""Who may log in to a lab Comware device, decided from its running config as Comware does.

SSH must be enabled (`ssh server enable`, else the connection is refused); `ssh server acl N`
admits only sources a basic ACL permits. Then the vty lines' `authentication-mode`: `scheme`
asks the default ISP domain's login methods (HWTACACS servers are unreachable in the lab, so
`local` decides), `password` the line's own password, `none` lets anyone in. A local user needs
`class manage`, `service-type ssh` and the right password; `network-admin` may enter
system-view, other roles only look.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from nornir_config.platforms.hp_comware.lab.config import Config
from nornir_config.platforms.hp_comware.passwords import verify_hash


@dataclass(frozen=True)
class Decision:
    ok: bool
    privilege: int = 1
    reason: str = ""


def acl_permits(config: Config, number: str, source: str) -> bool:
    """A basic/advanced ACL's verdict on a source address (no rule matches: deny; no such
    ACL: permit, as Comware treats a missing ACL)."""
    entries = config.find(f"acl basic {number}") or config.find(f"acl advanced {number}")
    if not entries:
        return True
    try:
        address = int(ipaddress.IPv4Address(source))
    except ValueError:
        return False
    rules = []
    for line in entries[0].lines or []:
        words = line.split()
        if words[0] != "rule" or len(words) < 3:
            continue
        rules.append((int(words[1]), words))
    for _, words in sorted(rules):
        action = words[2]
        if "source" in words:
            at = words.index("source")
            base = int(ipaddress.IPv4Address(words[at + 1]))
            wild = int(ipaddress.IPv4Address(words[at + 2]))
            if (address & ~wild) != (base & ~wild):
                continue
        return action == "permit"
    return False


def admits(config: Config, source: str | None) -> tuple[bool, str]:
    if "ssh server enable" not in config.entries:
        return False, "SSH server is disabled"
    for head in config.settings():
        if head.startswith("ssh server acl ") and source is not None:
            number = head.split()[3]
            if not acl_permits(config, number, source):
                return False, f"ssh server acl {number} denies {source}"
    return True, ""


def _vty_lines(config: Config) -> list[str]:
    for entry in config.find("line vty"):
        return list(entry.lines or [])
    return []


def _setting(lines: list[str], prefix: str) -> str | None:
    return next((line[len(prefix) :] for line in lines if line.startswith(prefix)), None)


def login(config: Config, username: str, password: str) -> Decision:
    vty = _vty_lines(config)
    mode = _setting(vty, "authentication-mode ") or "password"
    if mode == "none":
        return Decision(True, 15 if "user-role network-admin" in vty else 1)
    if mode == "password":
        token = _setting(vty, "set authentication password hash ")
        if token is None:
            return Decision(False, reason="no password is set on the vty lines")
        if not verify_hash(password, token):
            return Decision(False, reason="wrong vty password")
        return Decision(True, 15 if "user-role network-admin" in vty else 1)
    head = f"local-user {username} class manage"
    if head not in config.entries:
        return Decision(False, reason=f"no local user {username}")
    lines = config.lines_of(head)
    services = " ".join(line for line in lines if line.startswith("service-type "))
    if "ssh" not in services.split():
        return Decision(False, reason=f"local user {username} has no service-type ssh")
    token = _setting(lines, "password hash ")
    if token is None or not verify_hash(password, token):
        return Decision(False, reason=f"wrong password for {username}")
    admin = "authorization-attribute user-role network-admin" in lines
    return Decision(True, 15 if admin else 1)
