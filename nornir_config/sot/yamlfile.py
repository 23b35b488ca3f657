"""YAML files that remember where each item came from, so errors can name the line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nornir_config.errors import InputError, Problem


@dataclass
class YamlDoc:
    """A parsed YAML file and the line (1-based) of every mapping key and list item."""

    path: Path
    display: str
    data: Any
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """The line of the deepest known prefix of `loc`."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


def _index_lines(
    node: yaml.Node, prefix: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            loc = (*prefix, key)
            lines[loc] = key_node.start_mark.line + 1
            _index_lines(value_node, loc, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            loc = (*prefix, index)
            lines[loc] = item.start_mark.line + 1
            _index_lines(item, loc, lines)


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built


class _UniqueKeyLoader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that refuses a key given twice in one mapping (YAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} given twice (first on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_yaml(path: Path, display: str | None = None) -> YamlDoc:
    """Parse `path`; broken YAML becomes an InputError naming the line."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.one(shown, "file", "not found", "create it (see README.md)") from None
    except UnicodeDecodeError:
        raise InputError.one(shown, "file", "is not UTF-8 text", "save it as UTF-8") from None
    try:
        loader = _UniqueKeyLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = str(exc.problem or exc.context or "syntax error")
        raise InputError(
            [Problem(shown, "YAML", f"broken YAML: {problem}", "fix the syntax at that line", line)]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError.one(shown, "YAML", f"broken YAML: {exc}", "fix the syntax") from None
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return YamlDoc(path=path, display=shown, data=data, lines=lines)
