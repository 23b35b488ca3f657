"""`show running-config` as an emulated IOS-XE device prints it, from the lab's own layout data.

The platform's `lab_print.yaml` says in which order IOS prints top-level lines and interface
children and where the `!` lines go; this module applies it to a tree. It shares nothing with
the engine's renderer, so a layout bug on either side shows up as a difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from hier_config import HConfig, HConfigChild

from nornir_config.platforms import platform_data

_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class PrintLayout:
    version_line: str
    patterns: tuple[tuple[int, re.Pattern[str]], ...]  # (group, pattern) in print order
    tight: frozenset[int]
    each: frozenset[int]
    interface_children: tuple[re.Pattern[str], ...]
    before_ports: tuple[str, ...]
    after_ports: tuple[str, ...]
    pad_deny: re.Pattern[str]
    extra_indent: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    exits: tuple[tuple[re.Pattern[str], str], ...]
    nested_close: tuple[re.Pattern[str], ...]
    only_with: dict[str, re.Pattern[str]]
    _places: dict[str, tuple[int, int, tuple[object, ...]]] = field(
        default_factory=dict, compare=False
    )

    def place(
        self, head: str, ports: tuple[str, ...] = (), absent: frozenset[str] = frozenset()
    ) -> tuple[int, int, tuple[object, ...]]:
        """(group, pattern, order key) of a top-level line; unmatched lines print last.
        `absent`: `only_with` patterns that do not apply to this config."""
        cached = self._places.get(head) if not absent else None
        if cached is None:
            found = next(
                (
                    (g, i)
                    for i, (g, p) in enumerate(self.patterns)
                    if p.pattern not in absent and p.match(head)
                ),
                (len(self.patterns), len(self.patterns)),
            )
            vlan: tuple[object, ...] = (
                (int(head.split()[1]),) if re.match(r"vlan \d+$", head) else ()
            )
            cached = (found[0], found[1], vlan)
            if not absent:
                self._places[head] = cached
        if head.startswith("interface "):
            return (cached[0], cached[1], self._interface_order(head, ports))
        return cached

    def _interface_order(self, head: str, ports: tuple[str, ...]) -> tuple[object, ...]:
        name = head.split()[1]
        base = name.split(".", 1)[0]
        numbers = tuple(int(n) for n in _NUMBER.findall(name))
        kind = re.match(r"[A-Za-z-]+", name)
        kind_name = kind.group(0) if kind else name
        if kind_name in self.before_ports:
            return (0, self.before_ports.index(kind_name), "", numbers)
        if base in ports:
            return (1, ports.index(base), "", numbers)
        if kind_name in self.after_ports:
            return (2, self.after_ports.index(kind_name), "", numbers)
        return (3, 0, kind_name, numbers)

    def exit_of(self, text: str) -> str | None:
        return next((exit for pattern, exit in self.exits if pattern.match(text)), None)

    def deeper(self, parent: str, child: str) -> bool:
        return any(p.match(parent) and c.match(child) for p, c in self.extra_indent)

    def child_rank(self, text: str) -> int:
        return next(
            (i for i, p in enumerate(self.interface_children) if p.match(text)),
            len(self.interface_children),
        )


@cache
def print_layout(platform: str = "cisco_ios") -> PrintLayout:
    raw = platform_data(platform, "lab_print")
    patterns: list[tuple[int, re.Pattern[str]]] = []
    tight: set[int] = set()
    each: set[int] = set()
    for index, group in enumerate(raw["groups"]):
        if isinstance(group, dict):
            if group.get("tight"):
                tight.add(index)
            if group.get("each"):
                each.add(index)
            group = group["patterns"]
        patterns += [(index, re.compile(p)) for p in group]
    return PrintLayout(
        version_line=raw["version_line"],
        patterns=tuple(patterns),
        tight=frozenset(tight),
        each=frozenset(each),
        interface_children=tuple(re.compile(p) for p in raw["interface_children"]),
        before_ports=tuple(raw["interfaces_before_ports"]),
        after_ports=tuple(raw["interfaces_after_ports"]),
        pad_deny=re.compile(raw["pad_deny_in"]),
        extra_indent=tuple(
            (re.compile(r["parent"]), re.compile(r["child"])) for r in raw.get("extra_indent", [])
        ),
        only_with={p: re.compile(w) for p, w in raw.get("only_with", {}).items()},
        nested_close=tuple(re.compile(p) for p in raw.get("nested_close", [])),
        exits=tuple((re.compile(r["child"]), r["exit"]) for r in raw.get("sectional_exits", [])),
    )


def render(config: HConfig, platform: str = "cisco_ios", ports: tuple[str, ...] = ()) -> str:
    """The body of `show running-config`: `version` to `end`, newline-terminated.
    `ports`: the device's physical interfaces in hardware order."""
    layout = print_layout(platform)
    heads = list(config.children)
    absent = frozenset(
        p for p, needed in layout.only_with.items() if not any(needed.match(c.text) for c in heads)
    )
    places = [layout.place(c.text, ports, absent) for c in heads]
    indexed = sorted(range(len(heads)), key=lambda i: (*places[i][1:], i))
    out: list[str] = []
    if not any(c.text.startswith("version ") for c in heads):
        out.append(layout.version_line)
    previous: int | None = 0 if out else None
    for i in indexed:
        child = heads[i]
        group = places[i][0]
        block = bool(child.children)
        if out and out[-1] != "!" and (group != previous or block) and group not in layout.tight:
            out.append("!")
        elif out and out[-1] != "!" and group != previous:
            out.append("!")
        if "\n" in child.text:  # a banner: its text lines unindented
            out.extend(child.text.split("\n"))
        else:
            out.append(child.text)
            kids = list(child.children)
            if child.text.startswith("interface "):
                kids.sort(key=lambda c: layout.child_rank(c.text))
            pad = layout.pad_deny.match(child.text) is not None
            for kid in kids:
                depth = 2 if layout.deeper(child.text, kid.text) else 1
                _lines(kid, depth, out, pad, layout)
            if (kids and group not in layout.tight) or group in layout.each:
                out.append("!")
        previous = group
    if out and out[-1] != "!":
        out.append("!")
    out.append("end")
    return "\n".join(out) + "\n"


def _lines(
    child: HConfigChild, depth: int, out: list[str], pad_deny: bool, layout: PrintLayout
) -> None:
    indent = " " * depth
    text = child.text
    exit = layout.exit_of(text)
    if exit is not None:
        out.append(indent + "!")
    parent = child.parent
    in_certificate = isinstance(parent, HConfigChild) and parent.text.startswith("certificate ")
    if "\n" in text or in_certificate:  # a certificate's hex lines and its `quit`
        out.extend(indent + line for line in text.split("\n"))
        return
    if pad_deny:
        text = re.sub(r"^(\d+ )deny ", r"\1deny   ", text)
    out.append(indent + text)
    for grandchild in child.children:
        _lines(grandchild, depth + 1, out, False, layout)
    if exit is not None:
        out.append(indent + exit)
    elif child.children and any(p.match(text) for p in layout.nested_close):
        out.append(indent + "!")
