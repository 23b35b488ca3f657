"""Vietnamese names to ASCII and to hostnames; identity stays the official code."""

from __future__ import annotations

import functools
import re
import unicodedata

ROLE_SUFFIX = {"router": "rt", "switch": "sw"}


@functools.cache
def ascii_name(name: str) -> str:
    """'Phường Đông Tiến' -> 'Phuong Dong Tien' (đ has no decomposition, so map it first)."""
    text = name.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@functools.cache
def slug(name: str) -> str:
    """'Đông Tiến' -> 'dong-tien'."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_name(name).lower()).strip("-")


def hostname(short_name: str, code: str, role: str, index: int) -> str:
    """`dong-tien-15853-rt01`: the code keeps two communes apart whose names collide in ASCII
    (Đông Tiến and Đồng Tiến), and never changes when another commune is added."""
    base = slug(short_name) or "commune"
    if not base[0].isalpha():
        base = f"c-{base}"
    return f"{base}-{code}-{ROLE_SUFFIX[role]}{index:02d}"
