"""The layout of a device's running config as it prints it, used by the renderer and lint.

A config is a list of top-level blocks (a line and its indented children). The driver's
layout (separator, last line, banner, volatile lines) and its `running_config` data (section
order, sort keys) say how the device prints them; this module only applies those rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter

from nornir_config.platforms.base import Platform

Block = tuple[str, tuple[str, ...]]

_TOP_LEVEL = re.compile(r"\n(?=[^ \n])")


@dataclass(frozen=True)
class Layout:
    version_line: str
    last_line: str
    separator: str
    comment: str
    banner: re.Pattern[str]
    leaf_indent: str
    views: re.Pattern[str] | None  # top-level lines printed as a block even when empty
    header: tuple[re.Pattern[str], ...]
    sections: tuple[re.Pattern[str], ...]
    sort_keys: tuple[tuple[re.Pattern[str], str], ...]
    interface_order: tuple[str, ...]
    normalise: tuple[tuple[re.Pattern[str], str, bool], ...] = ()
    placement_cache: dict[str, tuple[int, tuple[object, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def section_of(self, line: str) -> int:
        return self.placement(line)[0]

    def placement(self, head: str) -> tuple[int, tuple[object, ...]]:
        """Where a top-level line goes: its section, then its order inside the section.
        Cached: the same heads (vlan 10, GigabitEthernet1/0/1) recur across every device."""
        place = self.placement_cache.get(head)
        if place is None:
            section = next(
                (i for i, pattern in enumerate(self.sections) if pattern.match(head)),
                len(self.sections),
            )
            order: tuple[object, ...] = ()
            for pattern, key in self.sort_keys:
                if pattern.match(head):
                    order = _SORTERS[key](head, self.interface_order)
                    break
            place = self.placement_cache[head] = (section, order)
        return place


def _number_key(line: str, _order: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", line)[:1])


def _interface_key(line: str, order: tuple[str, ...]) -> tuple[object, ...]:
    """Interface types in the platform's order, then the numbers in the name (so a
    subinterface follows its parent); unlisted types after, by name."""
    name = line.split(None, 1)[1] if " " in line else line
    kind = re.match(r"[A-Za-z-]+", name)
    kind_name = kind.group(0) if kind else name
    rank = order.index(kind_name) if kind_name in order else len(order)
    numbers = tuple(int(n) for n in re.findall(r"\d+", name))
    return (rank, kind_name if rank == len(order) else "", numbers)


_SORTERS: dict[str, Callable[[str, tuple[str, ...]], tuple[object, ...]]] = {
    "number": _number_key,
    "interface": _interface_key,
}


@cache
def layout(driver: Platform) -> Layout:
    data = driver.data("running_config")
    printed = driver.layout
    # Before the body: the volatile lines, blank lines and separators.
    header = (*printed.volatile, r"^$", rf"^{re.escape(printed.separator)}$")
    return Layout(
        version_line=data["version_line"],
        last_line=printed.end,
        separator=printed.separator,
        comment=printed.comment,
        banner=re.compile(printed.banner),
        leaf_indent=printed.leaf_indent,
        views=re.compile("|".join(f"(?:{p})" for p in printed.views)) if printed.views else None,
        header=tuple(re.compile(p) for p in header),
        sections=tuple(re.compile(p) for p in data["section_order"]),
        sort_keys=tuple((re.compile(r["match"]), r["key"]) for r in data.get("sort_keys", [])),
        interface_order=tuple(data.get("interface_order", [])),
        normalise=tuple(
            _line_start_rule(r["search"], r["replace"]) for r in data.get("normalise", [])
        ),
    )


def _line_start_rule(search: str, replace: str) -> tuple[re.Pattern[str], str, bool]:
    """A per-line rule, compiled. `^x` becomes a search for newline + x over the text with a
    newline put before it: the regex engine then jumps from newline to newline instead of
    trying `^` at every character (2 s of a national render)."""
    starts = search.startswith("^") and search[1:2] not in ("*", "+", "?", "{")
    if starts and not top_level_alternation(search):
        return re.compile("\n" + search[1:], re.MULTILINE), "\n" + replace, True
    return re.compile(search, re.MULTILINE), replace, False


def top_level_alternation(pattern: str) -> bool:
    """Whether `pattern` has a `|` outside every group and character class (`^a|b` is not "a
    line starting with a or b")."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1
            i += pattern.startswith("^", i)
            i += pattern.startswith("]", i)  # a leading ] is a member, not the end
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        i += 1
    return False


def _text_blocks(text: str, driver: Platform) -> list[tuple[str, str]]:
    """Top-level blocks as (head, children text): the one parser behind the public functions.

    Splits at every line that starts in column one (one regex pass; children stay one string
    unless they need cleaning, which keeps rendering the province fast); a banner's unindented
    body is joined back up to its delimiter.
    """
    rules = layout(driver)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if rules.leaf_indent:  # settings indented by the device: to column 0
        text = _flatten(text, rules)
    for pattern, replace, after_newline in rules.normalise:
        text = (
            pattern.sub(replace, "\n" + text)[1:] if after_newline else pattern.sub(replace, text)
        )
    chunks = _TOP_LEVEL.split(text)
    blocks: list[tuple[str, str]] = []
    i = 0
    # Skip the volatile header up to the first real line.
    while i < len(chunks) and any(p.match(chunks[i]) for p in rules.header):
        i += 1
    skipped = {"", rules.separator, rules.last_line}
    banner_match = rules.banner.match
    count = len(chunks)
    while i < count:
        chunk = chunks[i]
        i += 1
        head, _, body = chunk.partition("\n")
        head = head.rstrip()
        if head in skipped or head[0] == " ":
            continue
        banner = banner_match(head)
        if banner:
            delimiter = banner.group(1)
            lines = body.split("\n") if body else []
            if delimiter not in head[banner.end() :]:
                while not any(delimiter in line for line in lines) and i < len(chunks):
                    lines.extend(chunks[i].split("\n"))
                    i += 1
            kept: list[str] = []
            for line in lines:
                if delimiter in line:
                    before = line.split(delimiter, 1)[0]
                    if before:
                        kept.append(before)
                    break
                kept.append(line)
            blocks.append((head[: banner.end()], "\n".join((*kept, delimiter))))
            continue
        if " \n" in chunk or "\n\n" in chunk or "\n !" in chunk or chunk[-1] in " \n":
            body = "\n".join(
                line.rstrip()
                for line in body.split("\n")
                if line.strip() and not line.lstrip().startswith(rules.comment)
            )
        blocks.append((head, body))
    return blocks


def _format_text_blocks(blocks: Iterable[tuple[str, str]], driver: Platform) -> str:
    rules = layout(driver)
    separator = rules.separator
    places, place = rules.placement_cache, rules.placement
    keyed = []
    for index, (head, body) in enumerate(blocks):
        section, order = places.get(head) or place(head)
        keyed.append(((section, order, index), section, head, body))
    keyed.sort(key=itemgetter(0))
    # A body without a version line, or with indented settings, starts with a separator (`#`
    # after a device's header line).
    out: list[str] = [separator] if rules.leaf_indent or not rules.version_line else []
    previous_section: int | None = None
    for _, section, head, body in keyed:
        # A block: a line with children, or a view (printed as one even when empty).
        block = bool(body) or (rules.views is not None and rules.views.match(head) is not None)
        if out and out[-1] != separator and (block or section != previous_section):
            out.append(separator)
        out.append(head if block else rules.leaf_indent + head)
        if body:
            out.append(body)
        if block:
            out.append(separator)
        previous_section = section
    if out and out[-1] != separator:
        out.append(separator)
    out.append(rules.last_line)
    return "\n".join(out) + "\n"


def parse_blocks(text: str, driver: Platform) -> list[Block]:
    """Top-level blocks of a config, without separators, header lines or the last line."""
    return [
        (head, tuple(body.split("\n")) if body else ()) for head, body in _text_blocks(text, driver)
    ]


def format_blocks(blocks: Iterable[Block], driver: Platform) -> str:
    """Print blocks as the device prints the body of its running config (version to end)."""
    return _format_text_blocks(((head, "\n".join(kids)) for head, kids in blocks), driver)


def canonical(text: str, driver: Platform) -> str:
    """`text` laid out exactly as the device prints it back."""
    return _format_text_blocks(_text_blocks(text, driver), driver)


def flatten(text: str, driver: Platform) -> str:
    """`text` as hier_config reads it: top-level commands in column one whatever the platform
    prints before them, and the VLAN lists the platform merges and removes item by item
    (`running_config.yaml` `expand_lists`, e.g. `vlan batch 10 20 to 22`) one line per VLAN,
    so a remediation adds and removes single VLANs, never a whole list."""
    rules = layout(driver)
    text = _flatten(text, rules) if rules.leaf_indent else text
    lists = _expand_lists(driver)
    if not lists:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        m = next((m for p in lists if (m := p.match(line))), None)
        if m is None:
            out.append(line)
            continue
        words = m.group("list").split()
        vlans: list[int] = []
        for i, word in enumerate(words):
            if word == "to" and 0 < i < len(words) - 1:
                vlans.extend(range(int(words[i - 1]) + 1, int(words[i + 1])))
            elif word.isdigit():
                vlans.append(int(word))
        out.extend(f"{m.group('prefix')}{v}" for v in sorted(set(vlans)))
    return "\n".join(out)


@cache
def _expand_lists(driver: Platform) -> tuple[re.Pattern[str], ...]:
    data = driver.data("running_config")
    return tuple(re.compile(p) for p in data.get("expand_lists", []))


def _flatten(text: str, rules: Layout) -> str:
    """A config whose top-level lines without children are printed indented (` sysname
    X` after a `#`) with those lines moved to column one, as every other top-level line."""
    out: list[str] = []
    leaves = False  # inside a block of top-level lines
    after_separator = True
    indent = rules.leaf_indent
    for line in text.split("\n"):
        bare = line.strip()
        if not bare:
            continue
        if bare == rules.separator or (bare.startswith(rules.comment) and not line[:1].isspace()):
            out.append(line)
            leaves, after_separator = False, True
            continue
        top = line.startswith(indent) and not line[len(indent) : len(indent) + 1].isspace()
        if after_separator and top and bare:
            leaves = True
        if leaves and top:
            line = line[len(indent) :]
        elif not line.startswith(" "):
            leaves = False
        after_separator = False
        out.append(line)
    return "\n".join(out)
