"""The lab's own model of a VRP configuration: views holding command lines, as VRP keeps them.

Independent of the engine: its own parser of `display current-configuration` text, its own
rules for what a command replaces or an `undo` removes, and its own printing order (the order
VRP's modules print in, `print.yaml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

_DATA = Path(__file__).parent


@dataclass
class Node:
    """One command line of a view; `children` when it opens a view of its own."""

    text: str
    children: list[Node] = field(default_factory=list)
    section: bool = False

    def child(self, text: str) -> Node | None:
        return next((c for c in self.children if c.text == text), None)

    def copy(self) -> Node:
        return Node(self.text, [c.copy() for c in self.children], self.section)


@dataclass(frozen=True)
class PrintRules:
    top: tuple[re.Pattern[str], ...]
    views: tuple[tuple[re.Pattern[str], tuple[re.Pattern[str], ...]], ...]
    keyed: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]  # (view, line) -> one per key
    multi: tuple[re.Pattern[str], ...]


@cache
def rules() -> PrintRules:
    data = yaml.safe_load((_DATA / "print.yaml").read_text(encoding="utf-8"))
    return PrintRules(
        top=tuple(re.compile(p) for p in data["top_order"]),
        views=tuple(
            (re.compile(v["view"]), tuple(re.compile(p) for p in v["order"]))
            for v in data["view_order"]
        ),
        keyed=tuple((re.compile(k["view"]), re.compile(k["key"])) for k in data["single_valued"]),
        multi=tuple(re.compile(p) for p in data.get("always_top", [])),
    )


def _rank(patterns: tuple[re.Pattern[str], ...], text: str) -> int:
    return next((i for i, p in enumerate(patterns) if p.search(text)), len(patterns))


def _number_key(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


_IFACE_ORDER = ("Vlanif", "MEth", "Ethernet", "GigabitEthernet", "XGigabitEthernet", "NULL")


def _top_key(node: Node) -> tuple[object, ...]:
    rank = _rank(rules().top, node.text)
    if node.text.startswith("interface "):
        name = node.text.split()[1]
        kind = re.match(r"[A-Za-z-]+", name)
        kname = kind.group(0) if kind else name
        order = _IFACE_ORDER.index(kname) if kname in _IFACE_ORDER else len(_IFACE_ORDER)
        return (rank, order, _number_key(name))
    if re.match(r"(vlan \d|acl number |user-interface )", node.text):
        return (rank, 0, _number_key(node.text))
    return (rank, 0, ())


def sort_children(view: str, children: list[Node]) -> list[Node]:
    for view_re, order in rules().views:
        if view_re.search(view):
            indexed = list(enumerate(children))
            indexed.sort(
                key=lambda ic: (
                    _rank(order, ic[1].text),
                    _number_key(ic[1].text)[:1] if ic[1].text.startswith("rule ") else (),
                    ic[0],
                )
            )
            return [c for _, c in indexed]
    return children


# -- parsing ---------------------------------------------------------------------------------


def parse(text: str) -> Node:
    """A config as VRP prints it (`#` between blocks, top-level commands indented by one
    space, `return` last) or as typed in a file (no indentation for top-level commands)."""
    root = Node("", section=True)
    stack: list[tuple[int, Node]] = [(-1, root)]
    block_leaf = False  # inside a `#` block whose first line was indented: top-level lines
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i].rstrip()
        i += 1
        if not raw.strip():
            continue
        if raw.lstrip().startswith(("#", "!")):
            stack = [(-1, root)]
            block_leaf = False
            continue
        if raw.strip() == "return" and not raw.startswith(" "):
            break
        stripped = raw.lstrip(" ")
        indent = len(raw) - len(stripped)
        if stripped.startswith("header ") and stripped.count('"') % 2 == 1:
            while i < len(lines):
                stripped += "\n" + lines[i].rstrip("\r")
                i += 1
                if lines[i - 1].count('"') % 2 == 1:
                    break
        if len(stack) == 1 and indent == 1 and not root_section(stripped):
            block_leaf = True
        if block_leaf and indent <= 1:
            root.children.append(Node(stripped))
            stack = [(-1, root)]
            continue
        while stack[-1][0] >= indent:
            stack.pop()
        node = Node(stripped)
        parent = stack[-1][1]
        parent.children.append(node)
        parent.section = True
        stack.append((indent, node))
    for child in root.children:
        if child.children or root_section(child.text):
            child.section = True
    return root


_SECTION = re.compile(
    r"^(interface |vlan \d|aaa$|acl (number|name) |user-interface |hwtacacs-server template |"
    r"ip pool |traffic (classifier|behavior|policy) |authentication-scheme |authorization-scheme |"
    r"accounting-scheme |domain )"
)


def root_section(text: str) -> bool:
    return bool(_SECTION.match(text))


# -- printing --------------------------------------------------------------------------------


def _lines(node: Node, view: str, depth: int, out: list[str]) -> None:
    for child in sort_children(view, node.children):
        out.append(" " * depth + child.text)
        if child.children:
            _lines(child, child.text, depth + 1, out)


def render(root: Node) -> str:
    """The body of `display current-configuration` (from the first `#` to `return`)."""
    out: list[str] = []
    previous_rank: int | None = None  # of the last top-level command printed, if a leaf
    for child in sorted(root.children, key=_top_key):
        if not child.section:
            rank = _rank(rules().top, child.text)
            if rank != previous_rank:
                out.append("#")
            out.append(" " + child.text)
            previous_rank = rank
            continue
        out.append("#")
        out.append(child.text)
        _lines(child, child.text, 1, out)
        previous_rank = None
    out.append("#")
    out.append("return")
    return "\n".join(out) + "\n"
