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


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built


class _Builder:
    """Build the data of a composed document and the line of every key and item in one walk.

    PyYAML's own constructor costs ~12 us a node (a national communes.yaml: 0.8 s); strings,
    plain decimal ints, maps and lists are built here directly, anything else (bools, nulls,
    floats, dates, tags, merge keys) by the SafeLoader as before. A key given twice in one
    mapping is refused (YAML would silently keep the last).
    """

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[tuple[str | int, ...], int] = {}

    def build(self, node: yaml.Node, prefix: tuple[str | int, ...]) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            if node.tag == _STR:
                return value
            if node.tag == _INT and value.isdigit() and (value[0] != "0" or value == "0"):
                return int(value)
            return self.loader.construct_object(node, deep=True)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            out: dict[Any, Any] = {}
            first: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:  # `<<: *anchor`: PyYAML merges, then build again
                    self.loader.flatten_mapping(node)
                    return self.build(node, prefix)
                key = self.build(key_node, prefix)
                line = key_node.start_mark.line + 1
                if key in first:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key {key!r} given twice (first on line {first[key]})",
                        key_node.start_mark,
                    )
                first[key] = line
                loc = (
                    *prefix,
                    key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node),
                )
                self.lines[loc] = line
                out[key] = self.build(value_node, loc)
            return out
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            items = []
            for index, item in enumerate(node.value):
                loc = (*prefix, index)
                self.lines[loc] = item.start_mark.line + 1
                items.append(self.build(item, loc))
            return items
        return self.loader.construct_object(node, deep=True)


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
        loader = _Base(text)
        try:
            node = loader.get_single_node()
            builder = _Builder(loader)
            data = builder.build(node, ()) if node is not None else None
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
    return YamlDoc(path=path, display=shown, data=data, lines=builder.lines)
