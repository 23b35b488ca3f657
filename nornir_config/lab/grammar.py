"""Per-mode command grammar: abbreviations, interface names, and where a bad line fails.

The grammar is data (`platforms/<platform>/lab_cli.yaml`); this module builds one keyword tree
per mode and matches typed lines against it the way IOS does, so the caret lands where IOS puts it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from nornir_config.platforms import platform_data

SLOTS = ("NUM", "IF", "WORD", "LINE")


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
    kind: str  # "invalid" | "incomplete" | "ambiguous"
    column: int  # where the caret goes, in the typed line


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


def _add(root: Node, pattern: str, action: Action) -> None:
    node = root
    for word in pattern.split():
        if word in SLOTS:
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
    negated = False
    if negatable and "no".startswith(tokens[0][0].lower()) and len(tokens[0][0]) >= 2:
        negated = True
        tokens = tokens[1:]
        if not tokens:
            return Failure("incomplete", len(line))
    result = _walk(grammar, grammar.modes[mode].root, tokens, negated, interface_ok, len(line))
    if isinstance(result, Match) and negated:
        return Match(("no", *result.words), Action())
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
        if "NUM" in node.slots and text.isdigit():
            words.append(text)
            node = node.slots["NUM"]
            i += 1
            continue
        if "IF" in node.slots:
            name = grammar.expand_interface(text)
            used = 1
            if name is None and i + 1 < len(tokens):
                name = grammar.expand_interface(text + tokens[i + 1][0])
                used = 2
            if name is not None and interface_ok(name):
                words.append(name)
                node = node.slots["IF"]
                i += used
                continue
            return Failure("invalid", column)
        if "WORD" in node.slots:
            words.append(text)
            node = node.slots["WORD"]
            i += 1
            continue
        if "LINE" in node.slots:
            words.extend(t for t, _ in tokens[i:])
            node = node.slots["LINE"]
            i = len(tokens)
            continue
        return Failure("invalid", column)
    if node.action is None:
        if negated and words:
            return Match(tuple(words), Action())
        return Failure("incomplete", end_column)
    return Match(tuple(words), node.action)
