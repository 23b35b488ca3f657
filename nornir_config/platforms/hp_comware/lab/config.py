"""A Comware device's configuration as the lab keeps it, and `display current-configuration`.

Top-level entries are either system-view settings (printed with one leading space) or views
(`interface ...`, `vlan 10`, ... printed at column 0 with their lines indented by one); `#`
separates groups and `return` ends the text. The print order is the lab's own knowledge of
Comware 7 (MSR and S5130 releases), kept here, apart from anything the engine renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The order Comware 7 prints top-level entries in (first match wins; unmatched last).
PRINT_ORDER = tuple(
    re.compile(p)
    for p in (
        r"version ",
        r"sysname ",
        r"clock ",
        r"(undo )?telnet server",
        r"(undo )?ip https? ",
        r"(undo )?password-recovery",
        r"dhcp enable",
        r"dhcp snooping",
        r"dns ",
        r"lldp ",
        r"vlan ",
        r"stp ",
        r"dhcp server ip-pool",
        r"traffic classifier",
        r"traffic behavior",
        r"qos policy",
        r"interface NULL",
        r"interface LoopBack",
        r"interface Vlan-interface",
        r"interface ",
        r"scheduler ",
        r"line class",
        r"line ",
        r"ip route-static",
        r"info-center",
        r"snmp-agent",
        r"ssh ",
        r"ntp-service",
        r"acl basic",
        r"acl advanced",
        r"hwtacacs ",
        r"domain default",
        r"domain ",
        r"local-user",
        r"header ",
        r"archive ",
    )
)
# The order Comware prints the lines of a view in (first match wins; unmatched keep their order
# after these). Views other than interfaces keep the order they were typed in.
LINE_ORDER = tuple(
    re.compile(p)
    for p in (
        r"port link-mode ",
        r"description ",
        r"shutdown",
        r"ip address ",
        r"vlan-type ",
        r"port link-type ",
        r"undo port trunk permit vlan 1$",
        r"port trunk permit ",
        r"port trunk pvid ",
        r"port access ",
        r"broadcast-suppression ",
        r"multicast-suppression ",
        r"stp ",
        r"nat ",
        r"qos gts ",
        r"qos apply ",
        r"packet-filter ",
        r"dhcp snooping ",
        r"arp detection ",
    )
)
_INTERFACE_RANK = ("NULL", "LoopBack", "Vlan-interface", "GigabitEthernet", "Ten-GigabitEthernet")


def _group(head: str) -> int:
    return next((i for i, p in enumerate(PRINT_ORDER) if p.match(head)), len(PRINT_ORDER))


def _sort_key(head: str) -> tuple[object, ...]:
    group = _group(head)
    numbers: tuple[int, ...] = ()
    rank = 0
    if head.startswith("interface "):
        name = head.split()[1]
        kind = re.match(r"[A-Za-z-]+", name)
        kind_name = kind.group(0) if kind else name
        rank = _INTERFACE_RANK.index(kind_name) if kind_name in _INTERFACE_RANK else 9
        numbers = tuple(int(n) for n in re.findall(r"\d+", name))
    elif re.match(r"(vlan|acl \w+) \d+", head):
        numbers = tuple(int(n) for n in re.findall(r"\d+", head)[:1])
    return (group, rank, numbers)


def _ordered(entry: Entry) -> list[str]:
    lines = list(entry.lines or [])
    if not entry.head.startswith("interface "):
        return lines
    rank = {
        line: next((i for i, p in enumerate(LINE_ORDER) if p.match(line)), len(LINE_ORDER))
        for line in lines
    }
    return sorted(lines, key=lambda line: rank[line])


@dataclass
class Entry:
    """One top-level entry: a setting (`lines is None`) or a view and its lines."""

    head: str
    lines: list[str] | None = None
    body: list[str] = field(default_factory=list)  # a header's text lines (raw)

    @property
    def is_view(self) -> bool:
        return self.lines is not None


@dataclass
class Config:
    entries: dict[str, Entry] = field(default_factory=dict)

    def copy(self) -> Config:
        return Config(
            {
                k: Entry(e.head, None if e.lines is None else list(e.lines), list(e.body))
                for k, e in self.entries.items()
            }
        )

    def view(self, head: str) -> Entry:
        entry = self.entries.get(head)
        if entry is None:
            entry = self.entries[head] = Entry(head, [])
        return entry

    def settings(self) -> list[str]:
        return [e.head for e in self.entries.values() if not e.is_view]

    def lines_of(self, head: str) -> list[str]:
        entry = self.entries.get(head)
        return list(entry.lines or []) if entry else []

    def find(self, prefix: str) -> list[Entry]:
        return [e for h, e in self.entries.items() if h == prefix or h.startswith(prefix + " ")]

    def text(self) -> str:
        """`display current-configuration` (and the saved file) from `#` to `return`."""
        out = ["#"]
        previous: int | None = None
        for entry in sorted(self.entries.values(), key=lambda e: _sort_key(e.head)):
            group = _group(entry.head)
            if entry.is_view:
                if out[-1] != "#":
                    out.append("#")
                out.append(entry.head)
                out.extend(f" {line}" for line in _ordered(entry))
                out.append("#")
            elif entry.body:
                if out[-1] != "#":
                    out.append("#")
                out.append(f" {entry.head}")
                out.extend(entry.body)
                out.append("#")
            else:
                if out[-1] != "#" and group != previous:
                    out.append("#")
                out.append(f" {entry.head}")
            previous = group
        if out[-1] != "#":
            out.append("#")
        out.append("return")
        return "\n".join(out) + "\n"


def commands_of(text: str) -> list[str]:
    """A printed config (or a .cfg file) as the lines a device types to load it: each view's
    head, its lines, then `quit`; a header's text lines as they come."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    typed: list[str] = []
    i = 0
    while i < len(lines):
        raw = lines[i].rstrip()
        i += 1
        stripped = raw.strip()
        if not stripped or stripped in ("#", "return"):
            continue
        if raw.startswith(" "):
            typed.append(stripped)
            words = stripped.split(None, 2)
            if words[0] == "header" and len(words) > 2:
                delimiter = words[2][0]
                if words[2].count(delimiter) < 2:
                    while i < len(lines):
                        typed.append(lines[i].rstrip())
                        i += 1
                        if delimiter in typed[-1]:
                            break
            continue
        typed.append(stripped)
        while i < len(lines) and lines[i].startswith(" ") and lines[i].strip() != "#":
            typed.append(lines[i].strip())
            i += 1
        typed.append("quit")
    return typed
