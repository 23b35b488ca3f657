"""What a VRP command does to the configuration: add, replace its old value, merge a VLAN list,
or (with `undo`) remove; secrets stored in the lab's own cipher forms."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from functools import cache

import yaml

from nornir_config.platforms.huawei_vrp.lab.tree import _DATA, Node

IRREVERSIBLE = re.compile(r"^\$1a\$[A-Za-z0-9./]{16}\$[A-Za-z0-9+/=]{20,}\$$")
CIPHER = re.compile(r"^%\^%#[A-Za-z0-9+/=]+%\^%#$")
_KEY = b"lab-vrp-cipher"  # the lab's reversible form: not Huawei's (undocumented) algorithm


def irreversible(secret: str, salt: str | None = None) -> str:
    """The lab's one-way form of a password (`$1a$salt$digest$`), salted afresh on every
    entry as VRP's is: the same password typed twice shows two forms."""
    if IRREVERSIBLE.match(secret):
        return secret
    salt = salt or os.urandom(8).hex()
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt.encode(), 1000)
    return f"$1a${salt}${base64.b64encode(digest).decode()}$"


def password_ok(token: str, secret: str) -> bool:
    parts = token.split("$")
    return len(parts) == 5 and irreversible(secret, parts[2]) == token


def cipher(secret: str) -> str:
    """The lab's reversible form of a key (`%^%#...%^%#`): a random nonce, then the key masked
    with a stream drawn from it, so that (as on VRP) each entry of a key shows a new form."""
    if CIPHER.match(secret):
        return secret
    nonce, clear = os.urandom(8), secret.encode()
    data = bytes(a ^ b for a, b in zip(clear, _stream(nonce, len(clear)), strict=True))
    return f"%^%#{base64.b64encode(nonce + data).decode()}%^%#"


def decipher(token: str) -> str:
    """The key a lab `cipher` form hides (what the device uses to talk to a server)."""
    raw = base64.b64decode(token[4:-4])
    nonce, data = raw[:8], raw[8:]
    return bytes(a ^ b for a, b in zip(data, _stream(nonce, len(data)), strict=True)).decode()


def _stream(nonce: bytes, size: int) -> bytes:
    block = hashlib.sha256(_KEY + nonce).digest()
    return (block * (size // len(block) + 1))[:size]


@cache
def _rules() -> tuple[
    list[tuple[re.Pattern[str], re.Pattern[str]]], list[tuple[re.Pattern[str], str]]
]:
    data = yaml.safe_load((_DATA / "print.yaml").read_text(encoding="utf-8"))
    keyed = [(re.compile(k["view"]), re.compile(k["key"])) for k in data["single_valued"]]
    default_on = [(re.compile(d["view"]), d["line"]) for d in data["default_on"]]
    return keyed, default_on


# Top-level commands whose VLAN list VRP merges into one line (and `undo` removes items from).
_MERGED = ("dhcp snooping enable vlan ",)


def vlan_set(text: str) -> set[int]:
    words = text.split()
    out: set[int] = set()
    for i, w in enumerate(words):
        if w == "to":
            out.update(range(int(words[i - 1]), int(words[i + 1]) + 1))
        elif w.isdigit():
            out.add(int(w))
    return out


def vlan_text(vlans: set[int]) -> str:
    """VRP's way of printing a VLAN list: ascending, runs as `a to b`."""
    out: list[str] = []
    ordered = sorted(vlans)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else f"{ordered[i]} to {ordered[j]}")
        i = j + 1
    return " ".join(out)


def _key(view: str, text: str) -> str | None:
    for view_re, key in _rules()[0]:
        if view_re.search(view):
            m = key.match(text)
            if m:
                return m.group(0)
    return None


def _default_on(view: str, text: str) -> bool:
    return any(v.search(view) and line == text for v, line in _rules()[1])


def _list_line(node: Node, prefix: str, vlans: set[int]) -> None:
    node.children = [c for c in node.children if not c.text.startswith(prefix)]
    if vlans:
        node.children.append(Node(prefix + vlan_text(vlans)))


def _current(node: Node, prefix: str) -> set[int]:
    line = next((c.text for c in node.children if c.text.startswith(prefix)), None)
    return vlan_set(line[len(prefix) :]) if line else set()


def add(root: Node, path: list[str], text: str, section: bool = False) -> Node:
    """Apply the command `text` in the view `path` (parent lines); the node it lands on."""
    node = locate(root, path)
    view = path[-1] if path else ""
    if text.startswith("vlan batch "):
        _list_line(root, "vlan batch ", _current(root, "vlan batch ") | vlan_set(text[11:]))
        return root
    m = re.match(r"vlan (\d+)$", text)
    if m and not path:
        _list_line(root, "vlan batch ", _current(root, "vlan batch ") | {int(m.group(1))})
    if text.startswith(_MERGED) and not path:
        prefix = next(p for p in _MERGED if text.startswith(p))
        _list_line(root, prefix, _current(root, prefix) | vlan_set(text[len(prefix) :]))
        return root
    if text.startswith("port trunk allow-pass vlan "):
        wanted = vlan_set(text[len("port trunk allow-pass vlan ") :])
        if 1 in wanted:
            node.children = [
                c for c in node.children if c.text != "undo port trunk allow-pass vlan 1"
            ]
        prefix = "port trunk allow-pass vlan "
        _list_line(node, prefix, (_current(node, prefix) | wanted) - {1})
        return node
    if _default_on(view, text):
        node.children = [c for c in node.children if c.text != f"undo {text}"]
        return node
    existing = node.child(text)
    if existing is not None:
        return existing
    key = _key(view, text)
    if key is not None:
        for i, child in enumerate(node.children):
            if child.text.startswith(key):
                node.children[i] = Node(text, child.children, child.section or section)
                return node.children[i]
    new = Node(text, section=section)
    node.children.append(new)
    node.section = True
    return new


def undo(root: Node, path: list[str], text: str) -> None:
    """`undo text` in the view `path`."""
    node = locate(root, path)
    view = path[-1] if path else ""
    if text.startswith("vlan batch ") or (re.match(r"vlan \d+$", text) and not path):
        gone = vlan_set(text[11:] if text.startswith("vlan batch ") else text[5:])
        _list_line(root, "vlan batch ", _current(root, "vlan batch ") - gone)
        root.children = [
            c
            for c in root.children
            if not (re.match(r"vlan \d+$", c.text) and int(c.text[5:]) in gone)
        ]
        return
    if text.startswith(_MERGED) and not path:
        prefix = next(p for p in _MERGED if text.startswith(p))
        _list_line(root, prefix, _current(root, prefix) - vlan_set(text[len(prefix) :]))
        return
    if text.startswith("port trunk allow-pass vlan "):
        gone = vlan_set(text[len("port trunk allow-pass vlan ") :])
        prefix = "port trunk allow-pass vlan "
        _list_line(node, prefix, _current(node, prefix) - gone)
        if 1 in gone and node.child("undo port trunk allow-pass vlan 1") is None:
            node.children.append(Node("undo port trunk allow-pass vlan 1"))
        return
    if _default_on(view, text):
        if node.child(f"undo {text}") is None:
            node.children.append(Node(f"undo {text}"))
        return
    node.children = [
        c for c in node.children if not (c.text == text or c.text.startswith(text + " "))
    ]


def locate(root: Node, path: list[str]) -> Node:
    node = root
    for text in path:
        found = node.child(text)
        if found is None:
            found = Node(text, section=True)
            node.children.append(found)
        node = found
    return node
