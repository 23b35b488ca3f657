"""The lab must not agree with the engine by construction: it has its own grammar, semantics
and printer, and imports none of the engine's config modules."""

from __future__ import annotations

import ast
from pathlib import Path

import nornir_config.lab.hconfig

ENGINE = (
    "nornir_config.running_config",
    "nornir_config.hier",
    "nornir_config.render",
    "nornir_config.push",
    "nornir_config.compliance",
    "nornir_config.context",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_lab_imports_no_engine_module() -> None:
    folder = Path(nornir_config.lab.hconfig.__file__).parent
    offenders = {
        f"{path.name}: {name}"
        for path in folder.glob("*.py")
        for name in _imports(path)
        if any(name == m or name.startswith(m + ".") for m in ENGINE)
    }
    assert offenders == set()


def test_the_guard_sees_an_engine_import(tmp_path: Path) -> None:
    """The check above can fail: a module importing the engine's layout is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from nornir_config.running_config import canonical\n", encoding="utf-8")
    assert any(n.startswith(ENGINE[0]) for n in _imports(bad))
