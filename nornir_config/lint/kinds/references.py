"""Undefined references inside one config: an ACL, VLAN, class-map... used but never defined."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nornir_config.lint.kinds.lines import vlan_set
from nornir_config.lint.model import Rule
from nornir_config.lint.registry import DeviceView, Hit, register

_PLAIN_GROUP = re.compile(r"(?<!\\)\((?!\?)")


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
    owners: dict[str, str] = {}
    for index, obj in enumerate(objects):
        patterns = [obj["define"], *obj["use"]]
        for number, pattern in enumerate(patterns):
            if pattern.count("(?P<name>") != 1 or not pattern.startswith("^"):
                raise ValueError(f"objects[{index}]: '{pattern}' needs ^ and one (?P<name>...)")
            group = f"g{index}_{number}"
            owners[group] = obj["name"]
            (uses if number else defines).append(f"(?:{_one_group(pattern, group)})")
    params["_defines"] = re.compile("|".join(defines), re.MULTILINE)
    params["_uses"] = re.compile("|".join(uses), re.MULTILINE)
    params["_owners"] = owners
    params["_builtin"] = {o["name"]: frozenset(o.get("builtin", ())) for o in objects}


@register("undefined_reference", prepare=_prepare)
def undefined_reference(rule: Rule, view: DeviceView) -> Iterator[Hit]:
    """Each name used by a `use` pattern is defined by its object's `define` pattern."""
    owners: dict[str, str] = rule.params["_owners"]
    builtin: dict[str, frozenset[str]] = rule.params["_builtin"]
    defined: dict[str, set[str]] = {kind: set() for kind in builtin}
    for match in rule.params["_defines"].finditer(view.parsed.heads):
        group = match.lastgroup
        if group is not None:
            kind, name = owners[group], match.group(group)
            names = [str(v) for v in vlan_set(name)] if kind == "vlan" else [name]
            defined[kind].update(names)
    text = view.parsed.text
    for match in rule.params["_uses"].finditer(text):
        group = match.lastgroup
        if group is None:
            continue
        kind = owners[group]
        name = match.group(group)
        names = [str(v) for v in vlan_set(name)] if kind == "vlan" else [name]
        missing = [n for n in names if n not in defined[kind] and n not in builtin[kind]]
        if missing:
            start = text.rfind("\n", 0, match.start()) + 1
            line = text[start : text.find("\n", match.start())]
            yield Hit(
                f"{kind} {', '.join(missing)} used in '{line.strip()}' is not defined",
                view.parsed.line_of(match.start()),
            )
