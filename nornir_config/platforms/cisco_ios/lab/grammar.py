"""Per-mode command grammar: abbreviations, interface names, and where a bad line fails.

The grammar is data (`platforms/<platform>/lab_cli.yaml`); this module builds one keyword tree
per mode and matches typed lines against it the way IOS does, so the caret lands where IOS puts it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from nornir_config.platforms import platform_data

# Typed slots, tried in this order after the keywords; `NUM<a-b>` is a number in a range.
SLOTS = ("NUM", "VLAN", "IPV4", "MASK", "HOSTNAME", "IF", "WORD", "LINE")
_SLOT = re.compile(r"^(NUM|VLAN|IPV4|MASK|HOSTNAME|IF|WORD|LINE)(?:<(\d+)-(\d+)>)?$")
BAD_HOSTNAME = "% Hostname contains one or more illegal characters."
_HOSTNAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
# What `?` shows for each slot, as IOS shows it.
SLOT_HELP = {
    "NUM": "<0-4294967295>",
    "VLAN": "WORD",
    "IPV4": "A.B.C.D",
    "MASK": "A.B.C.D",
    "HOSTNAME": "WORD",
    "IF": "<interface>",
    "WORD": "WORD",
    "LINE": "LINE",
}


@dataclass
class Node:
    keywords: dict[str, Node] = field(default_factory=dict)
    slots: dict[str, Node] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # keyword -> form IOS stores
    action: Action | None = None


@dataclass(frozen=True)
class Action:
    enter: str | None = None
    run: str | None = None


@dataclass(frozen=True)
class Mode:
    name: str
    prompt: str
    parent: str | None
    root: Node


@dataclass(frozen=True)
class Match:
    """A line the mode accepts: its words with keywords and interface names written out."""

    words: tuple[str, ...]
    action: Action

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Failure:
    kind: str  # "invalid" | "incomplete" | "ambiguous" | "rejected" (message says why)
    column: int  # where the caret goes, in the typed line
    message: str = ""


def _vlan_list(text: str) -> str | None:
    """IOS's check of a VLAN list (`10,20-30`): None when good, else its rejection (the
    1-based character number where IOS stops reading, and IOS's own wrapping of it)."""
    for index, char in enumerate(text):
        if not (char.isdigit() or char in ",-"):
            return (
                f"Command rejected: Bad VLAN list - character #{index + 1} is a non-numeric\n"
                f"character ('{char}')."
            )
    position = 0
    for part in text.split(","):
        for number in part.split("-", 1):
            position += len(number)
            if not number.isdigit():
                return ""
            if not 1 <= int(number) <= 4094:
                if position < len(text):
                    return (
                        f"Command rejected: Bad VLAN list - character #{position + 1} "
                        f"('{text[position]}') delimits a VLAN number\n"
                        " which is out of the range 1..4094."
                    )
                return (
                    f"Command rejected: Bad VLAN list - character #{position + 1} (EOL) "
                    "delimits a VLAN\nnumber which is out of the range 1..4094."
                )
            position += 1
    return None


def _mask(text: str) -> bool:
    try:
        value = int(ipaddress.IPv4Address(text))
    except ValueError:
        return False
    inverted = value ^ 0xFFFFFFFF
    return inverted & (inverted + 1) == 0


def check_slot(slot: str, text: str) -> bool | str:
    """Whether `text` fills `slot` (`NUM<1-15>`, `IPV4`, ...); a string: refused with it."""
    m = _SLOT.match(slot)
    kind = m.group(1) if m else slot
    if kind == "NUM":
        if not text.isdigit():
            return False
        if m and m.group(2) is not None:
            return int(m.group(2)) <= int(text) <= int(m.group(3))
        return True
    if kind == "VLAN":
        problem = _vlan_list(text)
        return True if problem is None else (problem or False)
    if kind == "IPV4":
        try:
            ipaddress.IPv4Address(text)
        except ValueError:
            return False
        return True
    if kind == "MASK":
        try:
            ipaddress.IPv4Address(text)
        except ValueError:
            return False
        return True if _mask(text) else f"Bad mask 0x{int(ipaddress.IPv4Address(text)):X}"
    return True  # HOSTNAME: IOS takes any word, warning about an illegal one (`legal_hostname`)


def legal_hostname(name: str) -> bool:
    """ARPANET host-name rules: a letter first, then letters, digits and hyphens."""
    return _HOSTNAME.match(name) is not None


@dataclass(frozen=True)
class Grammar:
    modes: dict[str, Mode]
    interface_types: dict[str, tuple[str, ...]]

    def expand_interface(self, text: str) -> str | None:
        """`g1/0/1` -> `GigabitEthernet1/0/1`; None when the type is unknown or ambiguous."""
        m = re.fullmatch(r"([A-Za-z-]+)\s*(\d[\d/.:]*)", text)
        if not m:
            return None
        typed, number = m.group(1).lower(), m.group(2)
        hits = [
            full
            for full, shorts in self.interface_types.items()
            if typed in shorts or full.lower() == typed
        ]
        if not hits:
            hits = [full for full in self.interface_types if full.lower().startswith(typed)]
        return f"{hits[0]}{number}" if len(hits) == 1 else None

    def help_lines(self, mode: str, line: str, negatable: bool = False) -> list[str] | None:
        return help_lines(self, mode, line, negatable)

    def complete(self, mode: str, line: str) -> str | None:
        return complete(self, mode, line)


def _add(root: Node, pattern: str, action: Action) -> None:
    node = root
    for word in pattern.split():
        if _SLOT.match(word):
            node = node.slots.setdefault(word, Node())
        else:
            shared = Node()
            choices = [choice.partition("=") for choice in word.split("|")]
            for keyword, _, short in choices:
                node.keywords.setdefault(keyword, shared)
                if short:
                    node.shown[keyword] = short
            node = node.keywords[choices[0][0]]
    node.action = action


@cache
def load_grammar(platform: str = "cisco_ios") -> Grammar:
    raw = platform_data(platform, "lab_cli")
    modes: dict[str, Mode] = {}
    for name, spec in raw["modes"].items():
        root = Node()
        for entry in spec["commands"]:
            item: dict[str, Any] = {"cmd": entry} if isinstance(entry, str) else entry
            _add(root, item["cmd"], Action(enter=item.get("enter"), run=item.get("run")))
        modes[name] = Mode(name, spec["prompt"], spec.get("parent"), root)
    types = {k: tuple(v) for k, v in raw.get("interface_types", {}).items()}
    return Grammar(modes, types)


Token = tuple[str, int]


def tokenize(line: str) -> list[Token]:
    return [(m.group(0), m.start()) for m in re.finditer(r"\S+", line)]


def match(
    grammar: Grammar,
    mode: str,
    line: str,
    negatable: bool = False,
    interface_ok: Callable[[str], bool] = lambda _: True,
) -> Match | Failure:
    """Match `line` in `mode`. With `negatable`, `no <prefix of any command>` is accepted."""
    tokens = tokenize(line)
    if not tokens:
        return Failure("incomplete", 0)
    prefix = ""
    first = tokens[0][0].lower()
    if negatable and first == "no":
        prefix = "no"
    elif negatable and len(first) >= 3 and "default".startswith(first):
        prefix = "default"
    if prefix:
        tokens = tokens[1:]
        if not tokens:
            return Failure("incomplete", len(line))
    result = _walk(grammar, grammar.modes[mode].root, tokens, bool(prefix), interface_ok, len(line))
    if isinstance(result, Match) and prefix:
        return Match((prefix, *result.words), Action())
    return result


def _walk(
    grammar: Grammar,
    node: Node,
    tokens: list[Token],
    negated: bool,
    interface_ok: Callable[[str], bool],
    end_column: int,
) -> Match | Failure:
    words: list[str] = []
    i = 0
    while i < len(tokens):
        text, column = tokens[i]
        lowered = text.lower()
        if lowered in node.keywords:
            words.append(node.shown.get(lowered, lowered))
            node = node.keywords[lowered]
            i += 1
            continue
        hits = sorted({k for k in node.keywords if k.startswith(lowered)})
        distinct = {id(node.keywords[k]) for k in hits}
        if len(hits) > 1 and len(distinct) > 1:
            return Failure("ambiguous", column)
        if hits:
            words.append(node.shown.get(hits[0], hits[0]))
            node = node.keywords[hits[0]]
            i += 1
            continue
        step = _slot_step(grammar, node, tokens, i, interface_ok)
        if isinstance(step, Failure):
            return step
        if step is not None:
            slot, used, value = step
            if slot.startswith("LINE"):
                words.extend(t for t, _ in tokens[i:])
            else:
                words.append(value)
            node = node.slots[slot]
            i += used
            continue
        return Failure("invalid", column)
    if node.action is None:
        if negated and words:
            return Match(tuple(words), Action())
        return Failure("incomplete", end_column)
    return Match(tuple(words), node.action)


def _slot_step(
    grammar: Grammar,
    node: Node,
    tokens: list[Token],
    i: int,
    interface_ok: Callable[[str], bool],
) -> tuple[str, int, str] | Failure | None:
    """The slot the token at `i` fills: (slot, tokens used, stored word); a Failure when a
    typed slot refuses it with a message; None when nothing takes it."""
    text, column = tokens[i]
    refusal: Failure | None = None
    for slot in sorted(node.slots, key=lambda s: SLOTS.index(s.split("<", 1)[0])):
        kind = slot.split("<", 1)[0]
        if kind == "IF":
            name = grammar.expand_interface(text)
            used = 1
            if name is None and i + 1 < len(tokens):
                name = grammar.expand_interface(text + tokens[i + 1][0])
                used = 2
            if name is not None and interface_ok(name):
                return slot, used, name
            continue
        if kind == "LINE":
            return slot, len(tokens) - i, text
        verdict = check_slot(slot, text)
        if verdict is True and kind == "MASK" and _interface_address(tokens, i):
            verdict = _host_part(tokens[i - 1][0], text)
        if verdict is True:
            return slot, 1, text
        if isinstance(verdict, str) and refusal is None:
            if verdict.startswith("Bad mask") and i > 0:
                verdict += f" for address {tokens[i - 1][0]}"
            refusal = Failure("rejected", column, verdict)
    return refusal


def _interface_address(tokens: list[Token], i: int) -> bool:
    """The mask of `ip address A M` (an interface's own address, not a route's network)."""
    if i < 3:
        return False
    keyword = tokens[i - 2][0].lower()
    return tokens[i - 3][0].lower() == "ip" and len(keyword) >= 3 and "address".startswith(keyword)


def _host_part(address: str, mask: str) -> bool | str:
    """IOS refuses a subnet's own network or broadcast address as an interface address."""
    try:
        net = ipaddress.IPv4Interface(f"{address}/{mask}")
    except ValueError:
        return True  # the address slot refuses it
    if net.network.prefixlen < 31 and net.ip in (
        net.network.network_address,
        net.network.broadcast_address,
    ):
        return f"Bad mask /{net.network.prefixlen}"  # `for address A` is added as for 0x
    return True


def _node_at(grammar: Grammar, mode: str, words: list[str]) -> tuple[Node | None, list[str]]:
    """The grammar node after `words` (keywords by prefix, slots by type) in `mode`."""
    node = grammar.modes[mode].root
    for word in words:
        lowered = word.lower()
        hits = [k for k in node.keywords if k.startswith(lowered)]
        if lowered in node.keywords:
            node = node.keywords[lowered]
            continue
        if len({id(node.keywords[k]) for k in hits}) == 1:
            node = node.keywords[hits[0]]
            continue
        slot = next(
            (
                s
                for s in node.slots
                if s.startswith(("LINE", "WORD", "IF")) or check_slot(s, word) is True
            ),
            None,
        )
        if slot is None:
            return None, []
        node = node.slots[slot]
        if slot.startswith("LINE"):
            return node, ["LINE"]
    return node, []


def help_lines(grammar: Grammar, mode: str, line: str, negatable: bool = False) -> list[str] | None:
    """What `?` lists after `line` (IOS context help); None when the line is already wrong."""
    words = line.split()
    partial = "" if not line or line[-1].isspace() else words.pop()
    if negatable and words and words[0].lower() == "no":
        words = words[1:]
    node, rest = _node_at(grammar, mode, words)
    if node is None:
        return None
    if rest:
        return ["  LINE    <cr>"]
    keywords = sorted(k for k in node.keywords if k.startswith(partial.lower()))
    if partial:
        return ["  ".join(keywords)] if keywords else None
    out = [f"  {k}" for k in keywords]
    for slot in node.slots:
        m = _SLOT.match(slot)
        if m and m.group(2) is not None:
            out.append(f"  <{m.group(2)}-{m.group(3)}>")
        else:
            out.append(f"  {SLOT_HELP.get(slot, slot)}")
    negation = negatable and line.split()[:1] == ["no"]
    if node.action is not None or (negation and words):
        out.append("  <cr>")
    return out


def complete(grammar: Grammar, mode: str, line: str) -> str | None:
    """Tab: the line with its last word completed when one keyword fits it, else None."""
    if not line or line[-1].isspace():
        return None
    words = line.split()
    partial = words.pop()
    if words and words[0].lower() == "no" and mode not in ("user", "privileged"):
        words = words[1:]
    node, rest = _node_at(grammar, mode, words)
    if node is None or rest:
        return None
    hits = sorted(k for k in node.keywords if k.startswith(partial.lower()))
    if len({id(node.keywords[k]) for k in hits}) != 1 and len(hits) != 1:
        return None
    return line[: len(line) - len(partial)] + hits[0] + " "
