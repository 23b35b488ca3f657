"""Undefined references inside one config: an ACL, VLAN, class-map... used but never defined."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nornir_config.lint.kinds.lines import vlan_set
from nornir_config.lint.model import Rule
from nornir_config.lint.registry import DeviceView, Hit, register

_PLAIN_GROUP = re.compile(r"(?<!\\)\((?!\?)")
_PREFIX = re.compile(r"\^((?:[^\\.*+?()\[\]{}|$^])*)")


def _prefix(pattern: str) -> str:
    """The literal text every line matching `^...` starts with ('' when none can be told)."""
    match = _PREFIX.match(pattern)
    return match.group(1) if match else ""


def _one_group(pattern: str, group: str) -> str:
    """`pattern` with its (?P<name>...) renamed `group` and every other group non-capturing,
    so that in an alternation of many, `match.lastgroup` names the one that matched."""
    return _PLAIN_GROUP.sub("(?:", pattern).replace("(?P<name>", f"(?P<{group}>")


def _prepare(params: dict[str, Any]) -> None:
    objects = params.get("objects")
    if not isinstance(objects, list) or not objects:
        raise ValueError("needs 'objects': [{name, define, use: [...]}]")
    uses: list[str] = []
    defines: list[str] = []
    prefixes: set[str] = set()
    owners: dict[str, str] = {}
    for index, obj in enumerate(objects):
        patterns = [obj["define"], *obj["use"]]
        for number, pattern in enumerate(patterns):
            if pattern.count("(?P<name>") != 1 or not pattern.startswith("^"):
                raise ValueError(f"objects[{index}]: '{pattern}' needs ^ and one (?P<name>...)")
            group = f"g{index}_{number}"
            owners[group] = obj["name"]
            if number:
                uses.append(f"(?:{_one_group(pattern[1:], group)})")  # ^ becomes the \n below
            else:
                defines.append(f"(?:{_one_group(pattern, group)})")
                prefixes.add(_prefix(pattern))
    params["_defines"] = re.compile("|".join(defines))
    # Every use pattern starts with ^: searched as "\n(?:...)" in "\n" + config, the regex
    # engine jumps from newline to newline instead of trying ^ at each character.
    params["_uses"] = re.compile("\n(?:" + "|".join(uses) + ")", re.MULTILINE)
    # Literal starts of the define patterns: str.startswith skips lines no regex can match.
    params["_define_prefixes"] = tuple(sorted(prefixes))
    params["_owners"] = owners
    params["_builtin"] = {o["name"]: frozenset(o.get("builtin", ())) for o in objects}


@register("undefined_reference", prepare=_prepare)
def undefined_reference(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """Each name used by a `use` pattern is defined by its object's `define` pattern."""
    owners: dict[str, str] = rule.params["_owners"]
    builtin: dict[str, frozenset[str]] = rule.params["_builtin"]
    defined: dict[str, set[str]] = {kind: set() for kind in builtin}
    define_prefixes: tuple[str, ...] = rule.params["_define_prefixes"]
    defines: re.Pattern[str] = rule.params["_defines"]
    for node in view.parsed.top:
        if not node.text.startswith(define_prefixes):
            continue
        match = defines.match(node.text)
        group = match.lastgroup if match else None
        if match is not None and group is not None:
            kind, name = owners[group], match.group(group)
            names = [str(v) for v in vlan_set(name)] if kind == "vlan" else [name]
            defined[kind].update(names)
    uses: re.Pattern[str] = rule.params["_uses"]
    text = "\n" + view.parsed.text
    verdicts: dict[str, str | None] = {}  # access ports repeat the same lines: judge each once
    for match in uses.finditer(text):
        start = match.start() + 1
        end = text.find("\n", start)
        line = text[start : end if end >= 0 else len(text)]
        if line not in verdicts:
            verdicts[line] = _verdict(match, line, owners, builtin, defined)
        message = verdicts[line]
        if message is not None:
            yield Hit(message, text.count("\n", 0, start))


def _verdict(
    match: re.Match[str],
    line: str,
    owners: dict[str, str],
    builtin: dict[str, frozenset[str]],
    defined: dict[str, set[str]],
) -> str | None:
    """The finding for a line using a name, or None when every name it uses is defined."""
    group = match.lastgroup
    if group is None:
        return None
    kind = owners[group]
    name = match.group(group)
    names = [str(v) for v in vlan_set(name)] if kind == "vlan" else [name]
    missing = [n for n in names if n not in defined[kind] and n not in builtin[kind]]
    if not missing:
        return None
    return f"{kind} {', '.join(missing)} used in '{line.strip()}' is not defined"
