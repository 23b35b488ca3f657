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
    interface_order: tuple[str, ...]
    pad_deny: re.Pattern[str]
    _places: dict[str, tuple[object, ...]] = field(default_factory=dict, compare=False)

    def place(self, head: str) -> tuple[int, int, tuple[object, ...]]:
        """(group, pattern, order key) of a top-level line; unmatched lines print last."""
        cached = self._places.get(head)
        if cached is None:
            found = next(
                ((g, i) for i, (g, p) in enumerate(self.patterns) if p.match(head)),
                (len(self.patterns), len(self.patterns)),
            )
            cached = self._places[head] = (*found, self._order(head))
        return cached  # type: ignore[return-value]

    def _order(self, head: str) -> tuple[object, ...]:
        if re.match(r"vlan \d+$", head):
            return (int(head.split()[1]),)
        if head.startswith("interface "):
            name = head.split(None, 1)[1]
            kind = re.match(r"[A-Za-z-]+", name)
            kind_name = kind.group(0) if kind else name
            rank = (
                self.interface_order.index(kind_name)
                if kind_name in self.interface_order
                else len(self.interface_order)
            )
            return (rank, kind_name, tuple(int(n) for n in _NUMBER.findall(name)))
        return ()

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
        interface_order=tuple(raw["interface_order"]),
        pad_deny=re.compile(raw["pad_deny_in"]),
    )


def render(config: HConfig, platform: str = "cisco_ios") -> str:
    """The body of `show running-config`: `version` to `end`, newline-terminated."""
    layout = print_layout(platform)
    heads = list(config.children)
    indexed = sorted(range(len(heads)), key=lambda i: (*layout.place(heads[i].text)[1:], i))
    out: list[str] = []
    if not any(c.text.startswith("version ") for c in heads):
        out.append(layout.version_line)
    previous: int | None = 0 if out else None
    for i in indexed:
        child = heads[i]
        group = layout.place(child.text)[0]
        if out and out[-1] != "!" and group != previous:
            out.append("!")
        if "\n" in child.text:  # a banner: its text lines unindented
            out.extend(child.text.split("\n"))
        else:
            out.append(child.text)
            kids = list(child.children)
            if child.text.startswith("interface "):
                kids.sort(key=lambda c: layout.child_rank(c.text))
            for kid in kids:
                _lines(kid, 1, out, layout.pad_deny.match(child.text) is not None)
            if (kids and group not in layout.tight) or group in layout.each:
                out.append("!")
        previous = group
    if out and out[-1] != "!":
        out.append("!")
    out.append("end")
    return "\n".join(out) + "\n"


def _lines(child: HConfigChild, depth: int, out: list[str], pad_deny: bool) -> None:
    indent = " " * depth
    text = child.text
    if "\n" in text:  # a certificate's hex lines and its `quit`
        for line in text.split("\n"):
            out.append(indent + "\tquit" if line == "quit" else indent + line)
        return
    if pad_deny:
        text = re.sub(r"^(\d+ )deny ", r"\1deny   ", text)
    out.append(indent + text)
    for grandchild in child.children:
        _lines(grandchild, depth + 1, out, False)
