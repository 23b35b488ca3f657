"""Comware's `display current-configuration` layout, for the engine's one config parser.

Comware prints a system-view setting with one leading space (` sysname X`) and a view at
column 0 (`interface ...`, its lines indented), `#` between groups and `return` last. The
engine parses and prints blocks with every top-level line at column 0; `read` and `write`
turn the one form into the other, so the parser stays the core's.
"""

from __future__ import annotations

import re

# Top-level commands that open a view (printed at column 0 even without lines).
VIEW = re.compile(
    r"^(interface |vlan \d|acl (basic|advanced|number|mac) |local-user |line |hwtacacs scheme |"
    r"radius scheme |domain (?!default )|dhcp server ip-pool |traffic (classifier|behavior) |"
    r"qos policy |user-group |role name |ike |ipsec |stp region-configuration|"
    r"ip vpn-instance |ospf |bgp |rip |time-range |object-group |irf-port )"
)
BANNER = re.compile(r"^header (?:login|motd|shell|incoming|legal) (\S)")


def read(text: str) -> str:
    """Device text -> block text: settings moved to column 0 (`#` and `return` dropped), a
    header's text kept raw."""
    out: list[str] = []
    in_view = False
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        if stripped in ("#", "return"):
            in_view = False
            continue
        if not line.startswith(" "):
            in_view = bool(stripped)
            out.append(line.rstrip())
            continue
        if in_view:
            out.append(line.rstrip())
            continue
        out.append(stripped)
        banner = BANNER.match(stripped)
        if banner and stripped[banner.end() :].count(banner.group(1)) == 0:
            while i < len(lines):
                out.append(lines[i].rstrip())
                i += 1
                if banner.group(1) in out[-1]:
                    break
    return "\n".join(out)


def write(text: str) -> str:
    """Block text -> the device's layout: `#` first, settings indented, `#` after each view."""
    lines = text.split("\n")
    out: list[str] = ["#"]
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line in ("#", "!"):  # the core's separator between groups: Comware's is `#`
            if out[-1] != "#":
                out.append("#")
            continue
        if not line:
            continue
        if line in ("return", "end"):
            if out[-1] != "#":
                out.append("#")
            out.append("return")
            continue
        if line.startswith(" "):
            out.append(line)
            continue
        banner = BANNER.match(line)
        if banner:
            out.append(" " + line)
            while i < len(lines) and banner.group(1) not in out[-1][banner.end() + 1 :]:
                out.append(lines[i])
                i += 1
            continue
        has_lines = i < len(lines) and lines[i].startswith(" ")
        if has_lines or VIEW.match(line):
            if out[-1] != "#":
                out.append("#")
            out.append(line)
            while i < len(lines) and lines[i].startswith(" "):
                out.append(lines[i])
                i += 1
            out.append("#")
            continue
        out.append(" " + line)
    return "\n".join(out) + ("\n" if not out[-1].endswith("\n") else "")
