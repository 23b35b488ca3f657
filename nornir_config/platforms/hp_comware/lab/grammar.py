"""The lab's Comware 7 grammar: match a typed line against the commands of a view.

Keywords may be abbreviated to any unique prefix and are stored in full; values are checked
as the device checks them, and a refusal names the column of the first bad word (the caret).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

GRAMMAR = Path(__file__).with_name("grammar.yaml")

PORT_NAMES = {
    "bootps": 67, "bootpc": 68, "tftp": 69, "ntp": 123, "snmp": 161, "snmptrap": 162,
    "syslog": 514, "dns": 53, "domain": 53, "www": 80, "telnet": 23, "ftp": 21, "ssh": 22,
}  # fmt: skip

INTERFACE_ABBREVIATIONS = (
    ("Ten-GigabitEthernet", ("xge", "ten-gigabitethernet")),
    ("GigabitEthernet", ("ge", "gigabitethernet")),
    ("Vlan-interface", ("vlan-interface", "vlanif")),
    ("LoopBack", ("loopback", "loop")),
    ("NULL", ("null",)),
)


@dataclass(frozen=True)
class Command:
    tokens: tuple[str, ...]
    view: str | None = None
    prompt: str | None = None
    store: str | None = None
    key: int | None = None  # words naming the setting; 0: the whole line; None: keywords

    def key_of(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The words naming the setting this line sets (a later line with the same key
        replaces it)."""
        if self.key == 0:
            return words
        if self.key is not None:
            return words[: self.key]
        count = 0
        for spec in self.tokens:
            if spec.startswith("<") or "|" in spec:
                break
            count += 1
        return words[:count]


@dataclass(frozen=True)
class View:
    name: str
    prompt: str
    commands: tuple[Command, ...]


@dataclass(frozen=True)
class Grammar:
    views: dict[str, View]
    default_on: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    command: Command
    words: tuple[str, ...]  # the line's words, keywords in full


@dataclass(frozen=True)
class Failure:
    """Why a line is refused: `unrecognized`, `wrong` (a bad value), `incomplete`, `many`."""

    kind: str
    column: int


@cache
def load_grammar() -> Grammar:
    data = yaml.safe_load(GRAMMAR.read_text(encoding="utf-8"))
    views: dict[str, View] = {}
    for name, spec in data["views"].items():
        commands = []
        for entry in spec.get("commands", []):
            if isinstance(entry, dict):
                ((text, extra),) = entry.items()
            else:
                text, extra = entry, {}
            commands.append(
                Command(
                    tuple(text.split()),
                    extra.get("view"),
                    extra.get("prompt"),
                    extra.get("store"),
                    extra.get("key"),
                )
            )
        views[name] = View(name, spec.get("prompt", ""), tuple(commands))
    default_on = {k: frozenset(v) for k, v in data.get("default_on", {}).items()}
    return Grammar(views, default_on)


def tokenize(line: str) -> list[tuple[str, int]]:
    """Words with the column each starts at."""
    return [(m.group(0), m.start()) for m in re.finditer(r"\S+", line)]


def canonical_interface(word: str, known: tuple[str, ...]) -> str | None:
    """`ge1/0/1`, `GigabitEthernet 1/0/1`, `Vlan-interface10` -> the name the device prints;
    None when this device has no such interface."""
    m = re.fullmatch(r"([A-Za-z-]+)\s*(\d+(?:/\d+)*)(?:\.(\d+))?", word)
    if m is None:
        return None
    kind, number, sub = m.group(1).lower(), m.group(2), m.group(3)
    full = next(
        (name for name, prefixes in INTERFACE_ABBREVIATIONS for p in prefixes if p.startswith(kind)
         and len(kind) >= 2), None,
    )  # fmt: skip
    if full is None:
        return None
    name = f"{full}{number}"
    if full == "Vlan-interface":
        return name if sub is None and 1 <= int(number) <= 4094 else None
    if full in ("LoopBack", "NULL"):
        return name if sub is None else None
    if name not in known:
        return None
    if sub is not None:
        return f"{name}.{sub}" if 1 <= int(sub) <= 4094 else None
    return name


def _mask_ok(word: str) -> bool:
    try:
        ipaddress.IPv4Network(f"0.0.0.0/{word}")
    except ValueError:
        return False
    return True


def _value(kind: str, word: str, interfaces: tuple[str, ...]) -> str | None:
    """The stored form of `word` as a value of `kind`, or None if the device refuses it."""
    name, _, arg = kind.partition(":")
    if name == "vlan":
        return word if word.isdigit() and 1 <= int(word) <= 4094 else None
    if name == "int":
        lo, hi = (int(x) for x in arg.split("-"))
        return word if word.isdigit() and lo <= int(word) <= hi else None
    if name == "prefix":
        return word if word.isdigit() and 0 <= int(word) <= 32 else None
    if name == "ip":
        try:
            return str(ipaddress.IPv4Address(word))
        except ValueError:
            return None
    if name == "mask":
        return word if _mask_ok(word) else None
    if name == "wild":
        if word == "0":  # Comware's short form of a host wildcard
            return word
        try:
            ipaddress.IPv4Address(word)
        except ValueError:
            return None
        return word
    if name == "time":
        return word if re.fullmatch(r"\d{2}:\d{2}:\d{2}", word) else None
    if name == "host":
        return word if len(word) <= 64 else None
    if name == "iface":
        return canonical_interface(word, interfaces)
    if name == "word":
        return word if len(word) <= 253 else None
    return None


def _keyword(spec: str, word: str) -> str | None:
    choices = spec.split("|")
    lowered = word.lower()
    if lowered in choices:
        return lowered
    hits = [c for c in choices if c.startswith(lowered)]
    return hits[0] if len(hits) == 1 else None


def _match_one(
    command: Command,
    words: list[tuple[str, int]],
    interfaces: tuple[str, ...],
    prefix: bool = False,
) -> tuple[Match | None, Failure | None, int]:
    """Match or the failure, with how many words matched (the deepest failure wins);
    `prefix`: the line may stop early (an `undo` names a setting by its first words)."""
    out: list[str] = []
    for i, spec in enumerate(command.tokens):
        if i >= len(words) and prefix and i > 0:
            return Match(command, tuple(out)), None, i
        if i >= len(words):
            end = words[-1][1] + len(words[-1][0]) + 1 if words else 0
            return None, Failure("incomplete", end), i
        word, column = words[i]
        if spec == "<text>":
            out.append(" ".join(w for w, _ in words[i:]))
            return Match(command, tuple(out)), None, len(words)
        if spec == "<vlans>":
            vlans = vlan_list(" ".join(w for w, _ in words[i:]))
            if vlans is None:
                return None, Failure("wrong", column), i
            out.append(format_vlans(vlans))
            return Match(command, tuple(out)), None, len(words)
        if spec.startswith("<"):
            value = _value(spec[1:-1], word, interfaces)
            if value is None:
                return None, Failure("wrong", column), i
            out.append(value)
        else:
            keyword = _keyword(spec, word)
            if keyword is None:
                return None, Failure("unrecognized", column), i
            out.append(keyword)
    if len(words) > len(command.tokens):
        return None, Failure("many", words[len(command.tokens)][1]), len(command.tokens)
    return Match(command, tuple(out)), None, len(words)


def match(
    view: View, line: str, interfaces: tuple[str, ...], prefix: bool = False
) -> Match | Failure:
    """The command `line` is in `view`, or why it is not."""
    words = tokenize(line)
    if not words:
        return Failure("unrecognized", 0)
    best: Failure | None = None
    depth = -1
    for command in view.commands:
        found, failure, matched = _match_one(command, words, interfaces, prefix)
        if found is not None:
            return found
        assert failure is not None
        rank = matched * 2 + (1 if failure.kind != "unrecognized" else 0)
        if rank > depth:
            best, depth = failure, rank
    assert best is not None
    return best


def vlan_list(text: str) -> list[int] | None:
    """`10 20 to 30 40` -> the VLANs it names; None if a value is out of range."""
    words = text.split()
    vlans: list[int] = []
    i = 0
    while i < len(words):
        if not words[i].isdigit():
            return None
        lo = int(words[i])
        hi = lo
        if i + 2 < len(words) and words[i + 1] == "to":
            if not words[i + 2].isdigit():
                return None
            hi = int(words[i + 2])
            i += 2
        if not 1 <= lo <= hi <= 4094:
            return None
        vlans.extend(range(lo, hi + 1))
        i += 1
    return sorted(set(vlans)) if vlans else None


def format_vlans(vlans: list[int]) -> str:
    """VLANs as Comware prints a list: runs of three or more as `a to b`."""
    parts: list[str] = []
    run: list[int] = []
    for vlan in [*sorted(set(vlans)), -1]:
        if run and vlan == run[-1] + 1:
            run.append(vlan)
            continue
        if run:
            parts.append(f"{run[0]} to {run[-1]}" if len(run) > 2 else " ".join(map(str, run)))
        run = [vlan]
    return " ".join(parts)


def acl_rule_problem(body: list[tuple[str, int]], basic: bool) -> Failure | None:
    """Check a `rule N permit|deny ...` body (the words after the action)."""
    i = 0
    if not basic:
        if not body:
            return Failure("incomplete", 0)
        proto, column = body[0]
        if proto not in ("ip", "tcp", "udp", "icmp", "gre", "ospf") and not proto.isdigit():
            return Failure("wrong", column)
        i = 1
    seen: set[str] = set()
    while i < len(body):
        word, column = body[i]
        if word in ("source", "destination") and word not in seen:
            seen.add(word)
            if i + 1 >= len(body):
                return Failure("incomplete", column + len(word) + 1)
            if _value("ip", body[i + 1][0], ()) is None:
                return Failure("wrong", body[i + 1][1])
            if i + 2 >= len(body) or _value("wild", body[i + 2][0], ()) is None:
                return Failure("wrong", body[i + 2][1] if i + 2 < len(body) else column)
            i += 3
        elif not basic and word in ("source-port", "destination-port") and word not in seen:
            seen.add(word)
            if i + 2 >= len(body) or body[i + 1][0] not in ("eq", "lt", "gt", "neq"):
                return Failure("wrong", body[i + 1][1] if i + 1 < len(body) else column)
            port = body[i + 2][0]
            if not (port in PORT_NAMES or (port.isdigit() and int(port) <= 65535)):
                return Failure("wrong", body[i + 2][1])
            i += 3
        elif word == "logging" and word not in seen:
            seen.add(word)
            i += 1
        else:
            return Failure("unrecognized", column)
    return None
