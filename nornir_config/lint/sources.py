"""Map a rendered config line back to the template line a human edits.

The partial is found by rendering each partial of the device's role alone with the device's
context (features.yaml lists them) and finding the line there; the template line by matching
the line against the partial source with every `{{ ... }}` as a wildcard. Only findings pay for
this, so a clean province costs nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from nornir_config.lint.parsed import Node, Parsed
from nornir_config.platforms import driver
from nornir_config.platforms.base import Platform
from nornir_config.render import jinja_env

_SHARED: dict[tuple[Path, str, str, str, str | None], tuple[str, int] | None] = {}
_EXPR = re.compile(r"\{\{.*?\}\}")
_STATEMENT = re.compile(r"^\s*(\{%.*%\}|\{#.*#\})\s*$")


def new_run() -> None:
    """Forget the answers shared across devices (templates may have changed since)."""
    _SHARED.clear()


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return st.st_mtime_ns, st.st_size


def _source_patterns(path: Path) -> tuple[tuple[int, re.Pattern[str]], ...]:
    return _source_patterns_at(path, _stamp(path))


@cache
def _source_patterns_at(
    path: Path, _stamp: tuple[int, int]
) -> tuple[tuple[int, re.Pattern[str]], ...]:
    """(line, regex) for every template line that prints something (per file version)."""
    out: list[tuple[int, re.Pattern[str]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or _STATEMENT.match(line):
            continue
        parts = _EXPR.split(line)
        out.append((number, re.compile(".*?".join(re.escape(p) for p in parts) + r"\s*$")))
    return tuple(out)


def closest_line(path: Path, pattern: str) -> int | None:
    """The template line most like a missing line's pattern (where it belongs), if any is close."""
    return _closest_line_at(path, pattern, _stamp(path))


@cache
def _closest_line_at(path: Path, pattern: str, _stamp: tuple[int, int]) -> int | None:
    literal = re.sub(r"\(\?P<\w+>|\(\?!|\\[sdwS]|[\^$\\()?*+\[\]{}|]", "", pattern).strip()
    if not literal or not path.is_file():
        return None
    best, best_ratio = None, 0.6
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = _EXPR.sub("", line).strip()
        ratio = difflib.SequenceMatcher(None, literal, text).ratio() if text else 0.0
        if ratio > best_ratio:
            best, best_ratio = number, ratio
    return best


def _partials(platform: Platform, role: str) -> list[str]:
    features = platform.data("features")["features"]
    return [f["partial"] for f in features if role in f.get("roles", ())]


@dataclass
class SourceMap:
    """Locates rendered lines of one device; renders each partial at most once."""

    templates_dir: Path
    root: Path
    platform: str
    role: str
    context: Mapping[str, Any]
    parsed: Parsed
    _rendered: dict[str, list[str]] = field(default_factory=dict)
    _parents: dict[int, tuple[Node, Node | None]] | None = None

    def _node(self, line: int) -> tuple[Node, Node | None] | None:
        if self._parents is None:
            self._parents = {}
            for top in self.parsed.top:
                self._parents[top.line] = (top, None)
                stack = [top]
                while stack:
                    parent = stack.pop()
                    for child in parent.children:
                        self._parents[child.line] = (child, parent)
                        stack.append(child)
        return self._parents.get(line)

    def _partial_lines(self, partial: str) -> list[str]:
        if partial not in self._rendered:
            env = jinja_env(self.templates_dir / driver(self.platform).templates)
            try:
                text = env.get_template(f"partials/{partial}").render(**self.context)
            except jinja2.TemplateError:
                text = ""
            self._rendered[partial] = [line.rstrip() for line in text.splitlines()]
        return self._rendered[partial]

    def partial_path(self, partial: str) -> Path:
        return self.templates_dir / driver(self.platform).templates / "partials" / partial

    def locate(self, line: int) -> tuple[str, int] | None:
        """(template path relative to the root, line) of rendered `line`, or None.

        The same line under the same parent on another device of the role comes from the same
        template line, so the answer is shared (a template bug hits hundreds of devices).
        """
        found = self._node(line)
        if found is None:
            return None
        node, parent = found
        key = (
            self.templates_dir,
            self.platform,
            self.role,
            node.text,
            parent.text if parent else None,
        )
        if key not in _SHARED:
            _SHARED[key] = self._locate(node, parent)
        return _SHARED[key]

    def _locate(self, node: Node, parent: Node | None) -> tuple[str, int] | None:
        for partial in _partials(driver(self.platform), self.role):
            patterns = _source_patterns(self.partial_path(partial))
            if not any(regex.match(node.text) for _, regex in patterns):
                continue  # this partial cannot print the line: no need to render it
            lines = self._partial_lines(partial)
            if parent is not None:
                if parent.text not in lines:
                    continue
                start = lines.index(parent.text)
                if node.text.rstrip() not in lines[start:]:
                    continue
            elif node.text not in lines:
                continue
            where = self._template_line(partial, node, parent)
            path = self.partial_path(partial)
            shown = (
                str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)
            )
            return shown, where
        return None

    def _template_line(self, partial: str, node: Node, parent: Node | None) -> int:
        patterns = _source_patterns(self.partial_path(partial))
        after = 0
        if parent is not None:
            for number, regex in patterns:
                if regex.match(parent.text):
                    after = number
                    break
        for number, regex in patterns:
            if number > after and regex.match(node.text.rstrip()):
                return number
        return after or 1
