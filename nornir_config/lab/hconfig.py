"""The running config as a hier_config tree: parse, combine commands, print as IOS does.

Combining rules (single-valued commands, negations IOS keeps) come from the platform's
`running_config.yaml`; printing is `nornir_config.running_config`, the form templates render.
"""

from __future__ import annotations

from hier_config import HConfig, HConfigChild, get_hconfig

from nornir_config.hier import ConfigRules, config_rules, parse
from nornir_config.running_config import Block, format_blocks

__all__ = ["ConfigRules", "apply", "config_rules", "lines_config", "parse", "render"]


def lines_config(lines: list[str], platform: str = "cisco_ios") -> HConfig:
    """One command in its section context (parent lines first) as an HConfig to apply."""
    config = get_hconfig(config_rules(platform).driver, "")
    node: HConfig | HConfigChild = config
    for line in lines:
        node = node.add_child(line)
    return config


def apply(running: HConfig, change: HConfig, platform: str = "cisco_ios") -> HConfig:
    """The running config after `change`, as the device keeps it.

    hier_config's future() copies the whole config, which made every typed line cost ~10 ms
    on a 400-line switch. Only the top-level blocks that share a family with the change (same
    first word, or the same interface or VLAN) can be affected, so future() runs on those and
    the result is spliced back in place; the other blocks are shared, never mutated.
    """
    families = {_family(child.text) for child in change.children}
    touched = [child for child in running.children if _family(child.text) in families]
    if len(touched) == len(running.children):
        return _future(running, change, platform)
    part = get_hconfig(config_rules(platform).driver, "")
    for child in touched:
        part.add_deep_copy_of(child)
    after = _future(part, change, platform)
    new: HConfig = get_hconfig(config_rules(platform).driver, "")
    # The affected blocks, in the order future() and _keep_order left them, fill the slots the
    # touched blocks had; what is left over (new lines) follows the last slot.
    results = list(after.children)
    slots = len(touched)
    kids: list[HConfigChild] = []
    seen = 0
    for child in running.children:
        if _family(child.text) not in families:
            kids.append(child)
            continue
        seen += 1
        if seen < slots:
            if results:
                kids.append(results.pop(0))
        else:
            kids.extend(results)
            results = []
    kids.extend(results)
    new.children.extend(kids)
    return new


def _family(text: str) -> str:
    """Which top-level lines a command can interact with: `interface X` and `vlan N` only
    with themselves, any other command with the lines of its first word (`no` aside)."""
    words = text.removeprefix("no ").split(None, 2)
    if not words:
        return ""
    if words[0] in ("interface", "vlan") and len(words) > 1:
        return f"{words[0]} {words[1]}"
    return words[0]


def _future(running: HConfig, change: HConfig, platform: str) -> HConfig:
    rules = config_rules(platform)
    future: HConfig = running.future(change)
    _drop_dangling_negations(future, rules)
    _keep_stored_negations(change, future, rules)
    _undo_negations(change, future)
    _keep_order(running, future)
    return future


def _undo_negations(change: HConfig | HConfigChild, future: HConfig | HConfigChild) -> None:
    """`ip http server` over a stored `no ip http server` (or `ip address A M` over
    `no ip address`): IOS replaces the negation by the line; future() drops both."""
    for child in change.children:
        target = future.get_child(equals=child.text)
        if child.children:
            if target is not None:
                _undo_negations(child, target)
            continue
        if child.text.startswith("no "):
            continue
        words = child.text.split()
        for sibling in tuple(future.children):
            negated = sibling.text.split()
            if negated[:1] == ["no"] and words[: len(negated) - 1] == negated[1:]:
                sibling.delete()
        if target is None:
            future.add_child(child.text)


def _keep_stored_negations(
    change: HConfig | HConfigChild, future: HConfig | HConfigChild, rules: ConfigRules
) -> None:
    """`no ip http server` over `ip http server`: future() drops both, IOS keeps the `no`."""
    for child in change.children:
        if child.children:
            target = future.get_child(equals=child.text)
            if target is not None:
                _keep_stored_negations(child, target, rules)
        elif rules.is_stored_negation(child.text) and future.get_child(equals=child.text) is None:
            future.add_child(child.text)


def _keep_order(old: HConfig | HConfigChild, new: HConfig | HConfigChild) -> None:
    """future() puts changed lines first; IOS keeps the old order and appends new lines
    (an ACL entry goes last), and a replaced single-valued line keeps its place."""
    old_index = {c.text: i for i, c in enumerate(old.children)}
    kids = list(new.children)
    present = {c.text for c in kids}
    added = [c for c in kids if c.text not in old_index]
    removed = [t for t in old_index if t not in present]
    position: dict[int, float] = {}
    for child in kids:
        if child.text in old_index:
            position[id(child)] = old_index[child.text]
    if len(added) == 1 and len(removed) == 1:
        position[id(added[0])] = old_index[removed[0]]
    else:
        for j, child in enumerate(added):
            position[id(child)] = len(old_index) + j
    ordered = sorted(kids, key=lambda c: position[id(c)])
    if ordered != kids:  # one rebuild of the children's index, not one per moved child
        new.children.clear()
        new.children.extend(ordered)
    for child in ordered:
        before = old.children.get(child.text) if child.text in old_index else None
        if before is not None and (before.children or child.children):
            _keep_order(before, child)


def _drop_dangling_negations(node: HConfig | HConfigChild, rules: ConfigRules) -> None:
    for child in tuple(node.children):
        if child.text.startswith("no ") and not rules.is_stored_negation(child.text):
            child.delete()
        elif child.children:
            _drop_dangling_negations(child, rules)


def _child_lines(child: HConfigChild, depth: int, out: list[str]) -> None:
    out.append(" " * depth + child.text)
    for grandchild in child.children:
        _child_lines(grandchild, depth + 1, out)


def to_blocks(config: HConfig) -> list[Block]:
    blocks: list[Block] = []
    for child in config.children:
        if "\n" in child.text:  # a banner: one hier_config line holding every text line
            head, *rest = child.text.split("\n")
            blocks.append((head, tuple(rest)))
            continue
        lines: list[str] = []
        for grandchild in child.children:
            _child_lines(grandchild, 1, lines)
        blocks.append((child.text, tuple(lines)))
    return blocks


def render(config: HConfig, platform: str = "cisco_ios") -> str:
    """The body of `show running-config`: first line to `end`, newline-terminated."""
    rules = config_rules(platform)
    blocks = to_blocks(config)
    if not any(head == rules.version_line for head, _ in blocks):
        blocks.insert(0, (rules.version_line, ()))
    return format_blocks(blocks, platform)
