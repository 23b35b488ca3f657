"""The layout of `show running-config`, shared by the renderer and the device lab.

A config is a list of top-level blocks (a line and its indented children). The platform's
`running_config.yaml` says in which order IOS prints them and where the `!` lines go; this
module only applies those rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from nornir_config.platforms import platform_data

Block = tuple[str, tuple[str, ...]]

# The volatile lines IOS prints before the body of `show running-config`.
HEADER_PATTERNS = (
    r"^Building configuration",
    r"^Current configuration",
    r"^! Last configuration change",
    r"^! NVRAM config last updated",
    r"^! No configuration change since last restart",
    r"^$",
    r"^!$",
)

_BANNER = re.compile(r"^banner \S+ (\^C|\S)")


@dataclass(frozen=True)
class Layout:
    version_line: str
    last_line: str
    header: tuple[re.Pattern[str], ...]
    sections: tuple[re.Pattern[str], ...]
    sort_keys: tuple[tuple[re.Pattern[str], str], ...]
    interface_order: tuple[str, ...]
    section_cache: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def section_of(self, line: str) -> int:
        index = self.section_cache.get(line)
        if index is None:
            index = next(
                (i for i, pattern in enumerate(self.sections) if pattern.match(line)),
                len(self.sections),
            )
            self.section_cache[line] = index
        return index


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
def layout(platform: str) -> Layout:
    data = platform_data(platform, "running_config")
    return Layout(
        version_line=data["version_line"],
        last_line="end",
        header=tuple(re.compile(p) for p in HEADER_PATTERNS),
        sections=tuple(re.compile(p) for p in data["section_order"]),
        sort_keys=tuple((re.compile(r["match"]), r["key"]) for r in data.get("sort_keys", [])),
        interface_order=tuple(data.get("interface_order", [])),
    )


def parse_blocks(text: str, platform: str = "cisco_ios") -> list[Block]:
    """Top-level blocks of a config, without `!` separators, header lines or `end`."""
    rules = layout(platform)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    heads: list[str] = []
    children: list[list[str]] = []
    i = 0
    # Skip the volatile header up to the first real line.
    while i < len(lines) and any(p.match(lines[i]) for p in rules.header):
        i += 1
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line or line == "!" or line == rules.last_line:
            continue
        if line[0] == " ":
            if heads and not line.lstrip().startswith("!"):
                children[-1].append(line)
            continue
        banner = _BANNER.match(line) if line.startswith("banner ") else None
        if banner:
            delimiter = banner.group(1)
            body: list[str] = []
            if delimiter not in line[banner.end() :]:
                while i < len(lines):
                    text_line = lines[i]
                    i += 1
                    if delimiter in text_line:
                        before = text_line.split(delimiter, 1)[0]
                        if before:
                            body.append(before)
                        break
                    body.append(text_line)
            heads.append(line[: banner.end()])
            children.append([*body, delimiter])
            continue
        heads.append(line)
        children.append([])
    return [(head, tuple(kids)) for head, kids in zip(heads, children, strict=True)]


def format_blocks(blocks: Iterable[Block], platform: str = "cisco_ios") -> str:
    """Print blocks as IOS prints the body of `show running-config` (from `version` to `end`)."""
    rules = layout(platform)
    keyed = []
    for index, block in enumerate(blocks):
        head = block[0]
        section = rules.section_of(head)
        order: tuple[object, ...] = ()
        for pattern, key in rules.sort_keys:
            if pattern.match(head):
                order = _SORTERS[key](head, rules.interface_order)
                break
        keyed.append(((section, order, index), section, block))
    keyed.sort(key=lambda item: item[0])
    out: list[str] = []
    previous_section: int | None = None
    for _, section, (head, children) in keyed:
        if out and out[-1] != "!" and (children or section != previous_section):
            out.append("!")
        out.append(head)
        out.extend(children)
        if children:
            out.append("!")
        previous_section = section
    if out and out[-1] != "!":
        out.append("!")
    out.append(rules.last_line)
    return "\n".join(out) + "\n"


def canonical(text: str, platform: str = "cisco_ios") -> str:
    """`text` laid out exactly as the device prints it back."""
    return format_blocks(parse_blocks(text, platform), platform)
