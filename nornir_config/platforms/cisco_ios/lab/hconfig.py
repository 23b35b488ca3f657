"""The running config of a lab device as a hier_config tree: parse, combine commands, print.

The lab's own model of IOS, independent of the engine it tests: how commands combine (which
hold one value, which negations IOS keeps, which defaults it hides, how ACL entries are
numbered) is the platform's `lab_semantics.yaml`; printing is `printer` beside it.
hier_config serves only as the tree (a driver without rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from hier_config import HConfig, HConfigChild, Platform, get_hconfig, get_hconfig_driver

from nornir_config.platforms import platform_data
from nornir_config.platforms.cisco_ios.lab.printer import render

__all__ = ["Semantics", "apply", "lines_config", "load", "parse", "render", "semantics"]

Node = HConfig | HConfigChild

_HEADER = re.compile(
    r"^(Building configuration|Current configuration|Using \d+ out of|! Last configuration change"
    r"|! NVRAM config last updated|! No configuration change)"
)
_BANNER = re.compile(r"^banner (\S+) (\^C|\S)")
_ACL_NUMBER = re.compile(r"^(\d+) ")
SECTIONAL_EXITS = frozenset({"exit-address-family", "exit-peer-policy", "exit-peer-session"})


@dataclass(frozen=True)
class SingleValued:
    parent: re.Pattern[str] | None
    key: re.Pattern[str]


@dataclass(frozen=True)
class Semantics:
    """How one platform's device combines config lines (the lab dialect's data)."""

    single_valued: tuple[SingleValued, ...]
    stored_negations: tuple[re.Pattern[str], ...]
    hidden_defaults: tuple[re.Pattern[str], ...]
    acl_modes: tuple[re.Pattern[str], ...]
    switch_ports: re.Pattern[str] | None = None  # a router's built-in switch: Layer 2 only
    _keys: dict[tuple[str | None, str], tuple[int, str] | None] = field(
        default_factory=dict, compare=False, hash=False
    )
    _tests: dict[tuple[str, str], bool] = field(default_factory=dict, compare=False, hash=False)

    def is_stored_negation(self, text: str) -> bool:
        return self._test("negation", text, self.stored_negations)

    def is_hidden(self, text: str) -> bool:
        return self._test("hidden", text, self.hidden_defaults)

    def is_acl(self, parent: str) -> bool:
        return self._test("acl", parent, self.acl_modes)

    def _test(self, kind: str, text: str, patterns: tuple[re.Pattern[str], ...]) -> bool:
        cache_key = (kind, text)
        found = self._tests.get(cache_key)
        if found is None:
            found = any(p.search(text) for p in patterns)
            if len(self._tests) < 200_000:
                self._tests[cache_key] = found
        return found

    def key(self, parent: str | None, text: str) -> tuple[int, str] | None:
        """The setting a line sets (None: a line that only equals itself). Cached: the same
        lines recur under the same parents on every device of a lab."""
        cache_key = (parent, text)
        if cache_key in self._keys:
            return self._keys[cache_key]
        found = self._key(parent, text)
        if len(self._keys) < 200_000:
            self._keys[cache_key] = found
        return found

    def _key(self, parent: str | None, text: str) -> tuple[int, str] | None:
        base = text.removeprefix("no ")
        for index, rule in enumerate(self.single_valued):
            if (rule.parent is None) != (parent is None):
                continue
            if rule.parent is not None and parent is not None and not rule.parent.search(parent):
                continue
            m = rule.key.search(base)
            if m:
                name = (" ".join(m.groups("")) if m.groups() else m.group(0)).strip()
                # A sanitised backup's `<removed>` names nothing: two such lines stay two.
                return None if "<removed>" in name else (index, name)
        return None


@cache
def semantics(platform: str = "cisco_ios", model: str = "") -> Semantics:
    """The platform's rules, with what the hardware `model` does differently (the defaults
    it prints all the same)."""
    raw = platform_data(platform, "lab_semantics")
    rules = [r for r in raw.get("models", []) if model and re.search(r["model"], model)]
    printed = {line for rule in rules for line in rule.get("prints", [])}
    switched = [rule["switch_ports"] for rule in rules if rule.get("switch_ports")]
    return Semantics(
        single_valued=tuple(
            SingleValued(re.compile(r["parent"]) if r.get("parent") else None, re.compile(r["key"]))
            for r in raw["single_valued"]
        ),
        stored_negations=tuple(re.compile(p) for p in raw.get("stored_negations", [])),
        hidden_defaults=tuple(
            re.compile(p) for p in raw.get("hidden_defaults", []) if p not in printed
        ),
        acl_modes=tuple(re.compile(p) for p in raw.get("acl_modes", [])),
        switch_ports=re.compile("|".join(switched)) if switched else None,
    )


@cache
def _driver() -> object:
    """A hier_config driver with no rules: the lab uses the tree, never hier_config's IOS model."""
    return get_hconfig_driver(Platform.GENERIC)


def empty() -> HConfig:
    return get_hconfig(_driver(), "")  # type: ignore[arg-type]


# -- parsing -------------------------------------------------------------------------------


def parse(text: str, platform: str = "cisco_ios") -> HConfig:
    """A config file, a day-0 file or `show running-config` output as a tree (no semantics:
    lines stay as written; `load` in the CLI validates and combines them)."""
    root = empty()
    stack: list[tuple[int, Node]] = [(-1, root)]
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in raw_lines]
    i = 0
    while i < len(lines):
        raw = lines[i]
        i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("!") or _HEADER.match(stripped):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent == 0 and stripped == "end":
            break
        if stripped in SECTIONAL_EXITS:  # printed back from the tree, not stored
            continue
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        banner = _BANNER.match(stripped) if indent == 0 else None
        if banner:
            body, i = _banner_body(stripped, banner, lines, i)
            _add(parent, body)
            continue
        if isinstance(parent, HConfigChild) and parent.text.startswith("certificate "):
            body, i = _certificate_body(raw_lines, i - 1, indent)
            _add(parent, body)
            continue
        child = _add(parent, stripped)
        stack.append((indent, child))
    return root


def _add(parent: Node, text: str) -> HConfigChild:
    found = parent.children.get(text)
    if found is not None:
        return found
    return parent.add_child(text, check_if_present=False)


def _banner_body(head: str, banner: re.Match[str], lines: list[str], i: int) -> tuple[str, int]:
    """`banner motd ^C` and its text up to the delimiter, as one multi-line tree line."""
    delimiter = banner.group(2)
    rest = head[banner.end() :]
    kept: list[str] = []
    if delimiter in rest:
        before = rest.split(delimiter, 1)[0]
        if before:
            kept.append(before)
    else:
        if rest:
            kept.append(rest)
        while i < len(lines):
            line = lines[i]
            i += 1
            if delimiter in line:
                before = line.split(delimiter, 1)[0]
                if before:
                    kept.append(before)
                break
            kept.append(line)
    return "\n".join([f"banner {banner.group(1)} ^C", *kept, "^C"]), i


def _certificate_body(lines: list[str], i: int, indent: int) -> tuple[str, int]:
    """A certificate's hex lines up to `quit`, as one multi-line tree line, each as the
    device printed it after its indentation (IOS keeps a space at the end of a full hex
    line; IOS-XE writes `quit` after a tab, IOS 12.x without)."""
    body: list[str] = []
    while i < len(lines):
        line = lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i].strip()
        i += 1
        if line.strip():
            body.append(line)
        if line.strip() == "quit":
            break
    return "\n".join(body), i


# -- combining -----------------------------------------------------------------------------


def load(text: str, platform: str = "cisco_ios") -> HConfig:
    """A whole config file as the device keeps it once every line is applied."""
    return apply(empty(), parse(text, platform), platform)


def lines_config(lines: list[str], platform: str = "cisco_ios") -> HConfig:
    """One command in its section context (parent lines first) as a tree to apply."""
    config = empty()
    node: Node = config
    for line in lines:
        node = _add(node, line)
    return config


def _family(text: str) -> str:
    """Which top-level lines a command can touch: `interface X` and `vlan N` only
    themselves, any other command the lines of its first word (`no`/`default` aside)."""
    words = text.removeprefix("no ").removeprefix("default ").split(None, 2)
    if not words:
        return ""
    if words[0] in ("interface", "vlan") and len(words) > 1:
        return f"{words[0]} {words[1]}"
    return words[0]


def apply(
    running: HConfig,
    change: HConfig,
    platform: str = "cisco_ios",
    as_printed: bool = False,
    model: str = "",
) -> HConfig:
    """The running config after `change`, as the device keeps it; `running` is not changed.
    `as_printed`: the change is a config a device printed (a day-0 backup), so every line in
    it is one that device stores, hidden defaults included (a Catalyst 6500 prints
    `switchport`, a 9200 does not); `model`: the hardware, for what it does its own way.

    Only top-level blocks of the families the change touches are copied; the others are
    shared between the old and the new tree (never mutated afterwards).
    """
    rules = semantics(platform, model)
    families = {_family(child.text) for child in change.children}
    new = empty()
    for child in running.children:
        if _family(child.text) in families:
            new.add_deep_copy_of(child)
        else:
            new.children.append(child)
    for child in change.children:
        _apply_child(new, None, child, rules, as_printed)
    return new


def _apply_child(
    node: Node, parent: str | None, change: HConfigChild, rules: Semantics, as_printed: bool
) -> None:
    target = apply_line(node, parent, change.text, rules, as_printed)
    if change.children and target is not None:
        for grandchild in change.children:
            _apply_child(target, change.text, grandchild, rules, as_printed)


def _replace_at(node: Node, old: list[HConfigChild], text: str) -> HConfigChild:
    """Put `text` where the first of `old` was and drop the rest of `old`."""
    kids = list(node.children)
    first = kids.index(old[0])
    drop = {id(c) for c in old}
    new = HConfigChild(node, text)
    kept = [c for c in kids[:first] if id(c) not in drop]
    kept += [new, *(c for c in kids[first:] if id(c) not in drop)]
    node.children.clear()
    node.children.extend(kept)
    return new


def _remove(node: Node, old: list[HConfigChild]) -> None:
    if not old:
        return
    drop = {id(c) for c in old}
    kept = [c for c in node.children if id(c) not in drop]
    node.children.clear()
    node.children.extend(kept)


def _acl_entry(text: str) -> str:
    """An ACL entry without its sequence number."""
    return _ACL_NUMBER.sub("", text, count=1)


def apply_line(
    node: Node, parent: str | None, text: str, rules: Semantics, as_printed: bool = False
) -> HConfigChild | None:
    """Apply one line under `node` (whose own line is `parent`); the line's node, if kept."""
    if parent is not None and rules.is_acl(parent):
        return _apply_acl_entry(node, " ".join(text.split()))
    if text.startswith("default "):
        base = text.removeprefix("default ")
        found = node.children.get(base)
        if found is not None and found.children:
            found.children.clear()  # `default interface X`: the block back to bare
            return None
        _remove(node, _matching(node, parent, base, rules))
        return None
    key = rules.key(parent, text)
    if text.startswith("no "):
        base = text[3:]
        same = _matching(node, parent, base, rules)
        if rules.is_stored_negation(text):
            negation = [c for c in node.children if c.text == text]
            if negation and not same:
                return negation[0]
            return _replace_at(node, same + negation, text) if same else node.add_child(text)
        _remove(node, same)
        return None
    existing = node.children.get(text)
    if existing is not None:
        return existing
    same = [
        c
        for c in node.children
        if (c.text[:3] == "no " and (text == c.text[3:] or text.startswith(c.text[3:] + " ")))
        or (key is not None and rules.key(parent, c.text) == key)
    ]
    if rules.is_hidden(text) and not as_printed:
        _remove(node, same)
        return None
    if same:
        return _replace_at(node, same, text)
    if _PRIMARY.match(text):  # IOS prints the primary address before the secondaries
        secondaries = [c for c in node.children if _SECONDARY.match(c.text)]
        if secondaries:
            return _insert_before(node, secondaries[0], text)
    return node.add_child(text, check_if_present=False)


_PRIMARY = re.compile(r"ip address \S+ \S+$")
_SECONDARY = re.compile(r"ip address \S+ \S+ secondary$")


def _insert_before(node: Node, child: HConfigChild, text: str) -> HConfigChild:
    kids = list(node.children)
    at = kids.index(child)
    new = HConfigChild(node, text)
    node.children.clear()
    node.children.extend([*kids[:at], new, *kids[at:]])
    return new


def _matching(node: Node, parent: str | None, base: str, rules: Semantics) -> list[HConfigChild]:
    """The lines `no base` removes: `base` itself, every line it prefixes, its setting."""
    key = rules.key(parent, base)
    return [
        c
        for c in node.children
        if c.text == base
        or c.text.startswith(base + " ")
        or c.text.startswith(base + "\n")
        or (key is not None and not c.text.startswith("no ") and rules.key(parent, c.text) == key)
    ]


def _apply_acl_entry(node: Node, text: str) -> HConfigChild | None:
    """Entries of a named ACL: numbered 10, 20, ... as IOS numbers them; `no <entry>` and
    `no <number>` remove one."""
    if text.startswith("no "):
        base = text[3:]
        _remove(
            node,
            [c for c in node.children if base in (c.text, _acl_entry(c.text), c.text.split()[0])],
        )
        return None
    m = _ACL_NUMBER.match(text)
    entry = _acl_entry(text)
    for child in node.children:
        if _acl_entry(child.text) == entry:
            return child
    if m:
        if any(c.text.split()[0] == m.group(1) for c in node.children):
            return None  # IOS: "% Duplicate sequence number"; the entry is not added
        new = node.add_child(text, check_if_present=False)
        ordered = sorted(node.children, key=lambda c: _sequence(c.text))
        node.children.clear()
        node.children.extend(ordered)
        return new
    last = max((_sequence(c.text) for c in node.children), default=0)
    return node.add_child(f"{last // 10 * 10 + 10} {text}", check_if_present=False)


def _sequence(text: str) -> int:
    m = _ACL_NUMBER.match(text)
    return int(m.group(1)) if m else 0
