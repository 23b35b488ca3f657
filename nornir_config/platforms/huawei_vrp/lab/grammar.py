"""The lab's VRP command grammar: which command a typed line is, in which view, or where it
fails (the column VRP puts its `^` under).

Keywords may be typed as any unambiguous prefix (`dis cur`) and are stored in full; values are
checked (an address, a mask, a number in range, an interface the device has).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

import yaml

_DATA = Path(__file__).parent / "grammar.yaml"

VIRTUAL = {"Vlanif": (1, 4094), "LoopBack": (0, 1023), "NULL": (0, 0), "Eth-Trunk": (0, 63)}
INTERFACE_TYPES = (
    "GigabitEthernet",
    "XGigabitEthernet",
    "Vlanif",
    "LoopBack",
    "Eth-Trunk",
    "NULL",
    "MEth",
    "Ethernet",
)
_SHORT = {"ge": "GigabitEthernet", "xge": "XGigabitEthernet", "eth": "Ethernet"}


@dataclass(frozen=True)
class Token:
    kind: str  # key | value
    words: tuple[str, ...] = ()  # keyword alternatives
    value: str = ""  # value type
    low: int = 0
    high: int = 0


@dataclass(frozen=True)
class Command:
    tokens: tuple[Token, ...]
    entry: dict[str, Any]


@dataclass(frozen=True)
class View:
    name: str
    commands: tuple[Command, ...]


@dataclass
class Match:
    text: str  # the line as VRP stores it
    values: list[str]
    entry: dict[str, Any]
    negated: bool = False


@dataclass
class Failure:
    kind: str  # unrecognized | wrong | incomplete | ambiguous
    column: int  # index in the typed line


@dataclass
class _Try:
    out: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    exact: int = 0
    keys: list[tuple[int, str, str]] = field(default_factory=list)  # (index, typed, full)


def _tokens(spec: str) -> list[list[Token]]:
    """The token lists a pattern stands for (each `[...]` group present or not)."""
    groups: list[list[str]] = []
    optional: list[bool] = []
    for part in re.findall(r"\[[^\]]*\]|[^\s\[\]]+", spec):
        if part.startswith("["):
            groups.append(part[1:-1].split())
            optional.append(True)
        else:
            groups.append([part])
            optional.append(False)
    variants: list[list[Token]] = []
    choices = [(True, False) if opt else (True,) for opt in optional]
    for picks in product(*choices):
        words = [w for group, keep in zip(groups, picks, strict=True) if keep for w in group]
        variants.append([_token(w) for w in words])
    return variants


def _token(word: str) -> Token:
    if word.startswith("<"):
        kind, _, limits = word[1:-1].partition(":")
        if limits:
            low, high = (int(n) for n in limits.split("-"))
            return Token("value", value=kind, low=low, high=high)
        return Token("value", value=kind)
    return Token("key", words=tuple(word.split("|")))


@cache
def views() -> dict[str, View]:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    out: dict[str, View] = {}
    for name, view in data["views"].items():
        commands = [
            Command(tuple(variant), entry)
            for entry in view["commands"]
            for variant in _tokens(entry["p"])
        ]
        out[name] = View(name, tuple(commands))
    return out


def split(line: str) -> list[tuple[str, int]]:
    """Words and their columns; a `"..."` string is one word (it may span lines)."""
    words: list[tuple[str, int]] = []
    i = 0
    while i < len(line):
        if line[i] in " \t":
            i += 1
            continue
        start = i
        if line[i] == '"':
            end = line.find('"', i + 1)
            i = len(line) if end < 0 else end + 1
        else:
            while i < len(line) and line[i] not in " \t":
                i += 1
        words.append((line[start:i], start))
    return words


def interface_name(word: str, known: Callable[[str], bool]) -> str | None:
    """`GE0/0/1`, `g0/0/1`, `Vlanif10`, `vlanif10` -> the full name, if the device has it."""
    m = re.fullmatch(r"([A-Za-z-]+)\s*(\d+(?:/\d+)*(?:\.\d+)?)", word)
    if not m:
        return None
    typed, number = m.group(1).lower(), m.group(2)
    kind = _SHORT.get(typed)
    if kind is None:
        hits = [t for t in INTERFACE_TYPES if t.lower().startswith(typed)]
        exact = [t for t in hits if t.lower() == typed]
        kind = exact[0] if exact else (hits[0] if len(hits) == 1 else None)
    if kind is None:
        return None
    name = kind + number
    if kind in VIRTUAL:
        low, high = VIRTUAL[kind]
        return name if number.isdigit() and low <= int(number) <= high else None
    return name if known(name) else None


def _mask(word: str) -> str | None:
    try:
        if word.isdigit():
            return str(ipaddress.IPv4Network(f"0.0.0.0/{word}").netmask)
        ipaddress.IPv4Network(f"0.0.0.0/{word}")
        return word
    except ValueError:
        return None


def _wildcard(word: str) -> str | None:
    if word == "0":
        return "0"
    try:
        ipaddress.IPv4Address(word)
    except ValueError:
        return None
    inverted = ~int(ipaddress.IPv4Address(word)) & 0xFFFFFFFF
    bits = f"{inverted:032b}"
    return word if "01" not in bits else None


def _vlans(words: list[str]) -> bool:
    if not words or words[0] == "to" or words[-1] == "to":
        return False
    for i, w in enumerate(words):
        if w == "to":
            if words[i - 1] == "to" or int(words[i - 1]) > int(words[i + 1]):
                return False
        elif not w.isdigit() or not 1 <= int(w) <= 4094:
            return False
    return True


def _value(token: Token, word: str, known: Callable[[str], bool]) -> str | None:
    kind = token.value
    if kind == "int":
        return word if word.isdigit() and token.low <= int(word) <= token.high else None
    if kind == "ip":
        try:
            return str(ipaddress.IPv4Address(word))
        except ValueError:
            return None
    if kind == "mask":
        return _mask(word)
    if kind == "wild":
        return _wildcard(word)
    if kind == "iface":
        return interface_name(word, known)
    if kind == "quoted":
        return word if len(word) >= 2 and word[0] == word[-1] == '"' else None
    return word


def _attempt(
    command: Command,
    words: list[tuple[str, int]],
    line: str,
    known: Callable[[str], bool],
    prefix_ok: bool,
) -> _Try | Failure:
    attempt = _Try()
    j = 0
    for index, token in enumerate(command.tokens):
        if j >= len(words):
            if prefix_ok and index > 0:
                return attempt
            return Failure("incomplete", len(line))
        word, column = words[j]
        if token.kind == "key":
            typed = word.lower()
            hits = [w for w in token.words if w.startswith(typed)]
            exact = [w for w in hits if w == typed]
            if not hits:
                return Failure("unrecognized", column)
            full = exact[0] if exact else hits[0]
            attempt.exact += 1 if exact else 0
            attempt.keys.append((index, typed, full))
            attempt.out.append(full)
            j += 1
            continue
        if token.value in ("text", "vlans"):
            rest = line[column:].rstrip()
            if token.value == "vlans" and not _vlans(rest.split()):
                return Failure("wrong", column)
            attempt.out.append(" ".join(rest.split()) if token.value == "vlans" else rest)
            attempt.values.append(rest)
            j = len(words)
            continue
        if token.value == "iface" and j + 1 < len(words) and re.fullmatch(r"[A-Za-z-]+", word):
            joined = word + words[j + 1][0]  # `interface vlanif 10`
            if interface_name(joined, known):
                word = joined
                j += 1
        value = _value(token, word, known)
        if value is None:
            return Failure("wrong", column)
        attempt.out.append(value)
        attempt.values.append(value)
        j += 1
    if j < len(words):
        return Failure("unrecognized", words[j][1])
    return attempt


_ORDER = {"ambiguous": 0, "incomplete": 1, "unrecognized": 2, "wrong": 3}


def match(
    view: str, line: str, known: Callable[[str], bool], offset: int = 0, prefix_ok: bool = False
) -> Match | Failure:
    """The command `line` is in `view` (`offset`: columns before it, e.g. after `undo `)."""
    words = split(line)
    if not words:
        return Failure("incomplete", 0)
    best: Failure | None = None
    found: list[tuple[_Try, Command]] = []
    for command in views()[view].commands:
        result = _attempt(command, words, line, known, prefix_ok)
        if isinstance(result, Failure):
            if best is None or (result.column, _ORDER[result.kind]) > (
                best.column,
                _ORDER[best.kind],
            ):
                best = result
            continue
        found.append((result, command))
    if not found:
        assert best is not None
        return Failure(best.kind, best.column + offset)
    found.sort(key=lambda tc: -tc[0].exact)
    chosen, command = found[0]
    for index, typed, _full in chosen.keys:  # a prefix of two keywords is ambiguous
        rivals = {
            w
            for other in views()[view].commands
            if len(other.tokens) > index
            and other.tokens[index].kind == "key"
            and _same_start(other, chosen.out, index)
            for w in other.tokens[index].words
            if w.startswith(typed)
        }
        if typed not in rivals and len(rivals) > 1:
            column = next(c for w, c in words if w.lower() == typed)
            return Failure("ambiguous", column + offset)
    return Match(" ".join(chosen.out), chosen.values, command.entry)


def _same_start(command: Command, out: list[str], index: int) -> bool:
    for i in range(index):
        token = command.tokens[i]
        if token.kind == "key" and out[i] not in token.words:
            return False
        if token.kind == "value" and token.value in ("text", "vlans"):
            return False
    return True
