"""A rendered config parsed once: top-level lines with their children and line numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from nornir_config.platforms.base import Platform
from nornir_config.running_config import top_level_alternation

_VAR = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


class Node:
    """A config line (1-based `line` in the rendered file) and the lines indented under it.

    Built lazily: a top-level node keeps the index range of its lines in the file and makes
    child nodes only when asked, since most checks need only `lineset` or `body`.
    """

    __slots__ = ("_body", "_children", "_lines", "_lineset", "_range", "flat", "line", "text")

    def __init__(
        self,
        text: str,
        line: int,
        lines: list[str] | None = None,
        start: int = 0,
        end: int = 0,
        flat: bool = False,
    ) -> None:
        self.text = text
        self.line = line
        self.flat = flat  # a banner: every line is a direct child, indented or not
        self._lines = lines
        self._range = (start, end)
        self._children: list[Node] | None = None if lines is not None and end > start else []
        self._body: str | None = None
        self._lineset: frozenset[str] | None = None

    def _fill(self) -> None:
        """Compute `body` and `lineset` together (shared by every node with the same lines)."""
        if self._lines is None:
            raw = [c.text for c in self.children]
            self._body, self._lineset = "\n".join(raw), frozenset(raw)
            return
        start, end = self._range
        if self.flat:
            raw = self._lines[start:end]
            self._body, self._lineset = "\n".join(raw), frozenset(raw)
            return
        self._body, self._lineset = _clean("\n".join(self._lines[start:end]))

    @property
    def children(self) -> list[Node]:
        """The direct children (their own children nested under them)."""
        if self._children is None:
            assert self._lines is not None
            start, end = self._range
            if self.flat:
                self._children = [Node(self._lines[i], i + 1) for i in range(start, end)]
            else:
                self._children = _nest(self._lines, start, end)
        return self._children

    @property
    def lineset(self) -> frozenset[str]:
        """Every line under this one (any depth), for exact-line tests."""
        if self._lineset is None:
            self._fill()
            assert self._lineset is not None
        return self._lineset

    @property
    def body(self) -> str:
        """Every line under this one (any depth) joined by newlines, for re.MULTILINE search."""
        if self._body is None:
            self._fill()
            assert self._body is not None
        return self._body


@lru_cache(maxsize=16384)
def _clean(chunk: str) -> tuple[str, frozenset[str]]:
    """A block's lines without separators and blank lines: joined, and as a set.

    Cached on the raw text: the province's 500 devices repeat the same port blocks thousands of
    times, so most nodes get their body and line set from one dictionary lookup.
    """
    raw = [line.rstrip() for line in chunk.split("\n") if line.strip() and line.lstrip()[0] != "!"]
    return "\n".join(raw), frozenset(raw)


def _nest(lines: list[str], start: int, end: int) -> list[Node]:
    """Nodes for the indented lines[start:end], nested by indentation."""
    out: list[Node] = []
    stack: list[tuple[int, Node]] = []
    for index in range(start, end):
        raw = lines[index]
        stripped = raw.lstrip(" ")
        if not stripped or stripped[0] == "!":
            continue
        depth = len(raw) - len(stripped)
        node = Node(raw.rstrip(), index + 1)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            stack[-1][1].children.append(node)
        else:
            out.append(node)
        stack.append((depth, node))
    return out


@dataclass(eq=False)
class Parsed:
    lines: list[str]  # the rendered file; its text is not kept twice (10,000 devices stay alive)
    top: list[Node]
    _heads: str | None = field(default=None, repr=False)
    _headset: frozenset[str] | None = field(default=None, repr=False)
    _nodes: list[Node] | None = field(default=None, repr=False)
    _words: dict[str, list[Node]] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def release(self) -> None:
        """Drop the top-level indexes the device rules built (the province rules, which keep
        every device's view until the end, rebuild only the word index, if at all)."""
        self._heads = self._headset = self._words = None

    @property
    def headset(self) -> frozenset[str]:
        """Every top-level line, for exact-line tests."""
        if self._headset is None:
            self._headset = frozenset(n.text for n in self.top)
        return self._headset

    @property
    def heads(self) -> str:
        """Every top-level line joined by newlines (searched with re.MULTILINE)."""
        if self._heads is None:
            self._heads = "\n".join(n.text for n in self.top)
        return self._heads

    def matching(self, pattern: re.Pattern[str]) -> Iterator[Node]:
        """The top-level nodes `pattern` finds (only those with its first word are searched)."""
        word = None if pattern.flags & re.IGNORECASE else first_word(pattern.pattern)
        nodes = self.top if word is None else self.with_word(word)
        return (n for n in nodes if pattern.search(n.text))

    def find(self, pattern: Pattern) -> Iterator[Node]:
        """The top-level nodes a rule's line pattern matches, in config order."""
        if pattern.exact is not None and pattern.exact not in self.headset:
            return iter(())
        nodes = self.top if pattern.word is None else self.with_word(pattern.word)
        return (n for n in nodes if pattern.one.search(n.text))

    def with_word(self, word: str) -> list[Node]:
        """The top-level nodes whose first word is `word` (an index built on first use)."""
        if self._words is None:
            words: dict[str, list[Node]] = {}
            for node in self.top:
                words.setdefault(node.text.split(" ", 1)[0], []).append(node)
            self._words = words
        return self._words.get(word, [])

    def walk(self) -> list[Node]:
        """Every node (banners' bodies excepted), in config order."""
        if self._nodes is None:
            nodes: list[Node] = []
            stack = list(reversed(self.top))
            while stack:
                node = stack.pop()
                nodes.append(node)
                if not node.flat:
                    stack.extend(reversed(node.children))
            self._nodes = nodes
        return self._nodes

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset into `text`."""
        return self.text.count("\n", 0, offset) + 1


@cache
def _banner(platform: Platform) -> re.Pattern[str]:
    return re.compile(platform.layout.banner)


def parse(text: str, platform: Platform) -> Parsed:
    """Parse a config as the platform prints it (indent = nesting; comments and the last line
    ignored; banners kept whole)."""
    layout = platform.layout
    comment, end, banner_head = layout.comment, layout.end, _banner(platform)
    # Not interned: a device's lines go with its view (province rules keep digests only).
    lines = text.split("\n")
    heads = [
        i for i, raw in enumerate(lines) if raw and raw[0] != " " and not raw.startswith(comment)
    ]
    heads.append(len(lines))
    top: list[Node] = []
    skip_to = -1
    for k in range(len(heads) - 1):
        index = heads[k]
        if index < skip_to:
            continue
        raw = lines[index].rstrip()
        if raw == end:
            continue
        banner = banner_head.match(raw)
        if banner and raw.count(banner.group(1)) == 1:
            delimiter = banner.group(1)
            last = next(
                (j for j in range(index + 1, len(lines)) if delimiter in lines[j]),
                len(lines) - 1,
            )
            top.append(Node(raw, index + 1, lines, index + 1, last + 1, flat=True))
            skip_to = last + 1
            continue
        top.append(Node(raw, index + 1, lines, index + 1, heads[k + 1]))
    return Parsed(lines, top)


def lookup(context: Mapping[str, Any], path: str) -> Any:
    """`a.b.c` in the template context (mappings, attributes or list indexes)."""
    value: Any = context
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value[part]
        elif part.isdigit() and isinstance(value, list | tuple):
            value = value[int(part)]
        else:
            value = getattr(value, part)
    return value


def has_vars(pattern: str) -> bool:
    return "{{" in pattern


def fill(pattern: str, context: Mapping[str, Any], escape: bool = True) -> str:
    """`{{ var }}` in a rule's text replaced by the device's value (regex-escaped by default)."""
    quote = re.escape if escape else str
    return _VAR.sub(lambda m: quote(str(lookup(context, m.group(1)))), pattern)


_FIRST_WORD = re.compile(r"\^([^\\.*+?()\[\]{}|$^\s]+) (?![*+?{])")


@cache
def first_word(pattern: str) -> str | None:
    """The first word of every line `pattern` can match (`^line vty ` -> `line`), else None."""
    exact = literal(pattern)
    if exact is not None:
        return exact.split(" ", 1)[0]
    match = _FIRST_WORD.match(pattern)
    if match is None or top_level_alternation(pattern):
        return None
    return match.group(1)


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def compiled_lines(pattern: str) -> re.Pattern[str]:
    """`pattern` for searching text of joined lines: ^ and $ at each line."""
    return re.compile(pattern, re.MULTILINE)


def pattern_for(pattern: str, context: Mapping[str, Any], lines: bool = False) -> re.Pattern[str]:
    text = fill(pattern, context) if has_vars(pattern) else pattern
    return compiled_lines(text) if lines else compiled(text)


_LITERAL = re.compile(r"\^((?:[^\\.*+?()\[\]{}|$^]|\\[ .\-/])*)\$")


@cache
def literal(pattern: str) -> str | None:
    """The exact line a `^...$` pattern without regex operators stands for, else None."""
    match = _LITERAL.fullmatch(pattern)
    return re.sub(r"\\(.)", r"\1", match.group(1)) if match else None


def has_line(pattern: re.Pattern[str], lines: frozenset[str], joined: str) -> bool:
    """Whether a line matches: a set lookup for exact-line patterns, else a MULTILINE search."""
    exact = literal(pattern.pattern)
    if exact is not None:
        return exact in lines
    return pattern.search(joined) is not None


@dataclass(frozen=True)
class Pattern:
    """A rule's line regex compiled both ways, plus the exact line it stands for (if any)."""

    joined: re.Pattern[str]  # over lines joined by newlines (re.MULTILINE)
    one: re.Pattern[str]  # over one line
    exact: str | None
    word: str | None  # the first word of every line it matches, when the pattern says so
    # `^x` as `\nx` (searched in "\n" + text): a literal first character lets the regex engine
    # jump from newline to newline instead of trying `^` at every character.
    at_line: re.Pattern[str] | None = None

    def any_in(self, lines: frozenset[str], joined: str) -> bool:
        if self.exact is not None:
            return self.exact in lines
        return self.search(joined)

    def search(self, joined: str) -> bool:
        """Whether some line of `joined` (lines joined by newlines) matches."""
        if self.at_line is not None:
            return self.at_line.search("\n" + joined) is not None
        return self.joined.search(joined) is not None


@cache
def _pattern(text: str) -> Pattern:
    at_line = None
    if (
        text.startswith("^")
        and text[1:2] not in ("*", "+", "?", "{")
        and not top_level_alternation(text)
    ):
        at_line = re.compile("\n" + text[1:], re.MULTILINE)
    return Pattern(compiled_lines(text), compiled(text), literal(text), first_word(text), at_line)


def line_pattern(pattern: str, context: Mapping[str, Any]) -> Pattern:
    """`pattern` filled for a device (compiled once per distinct text)."""
    return _pattern(fill(pattern, context) if "{{" in pattern else pattern)
