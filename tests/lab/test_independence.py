"""The lab must not agree with the engine by construction: it has its own grammar, semantics
and printer, and imports none of the engine's config modules."""

from __future__ import annotations

import ast
from pathlib import Path

import nornir_config.lab.server

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


def _lab_modules() -> list[Path]:
    """The lab core and every vendor's lab dialect (`platforms/<driver>/lab/`)."""
    core = Path(nornir_config.lab.server.__file__).parent
    dialects = sorted(core.parent.glob("platforms/*/lab/*.py"))
    assert dialects, "no vendor lab dialect found"
    return [*sorted(core.glob("*.py")), *dialects]


def test_lab_imports_no_engine_module() -> None:
    offenders = {
        f"{path.parent.name}/{path.name}: {name}"
        for path in _lab_modules()
        for name in _imports(path)
        if any(name == m or name.startswith(m + ".") for m in ENGINE)
    }
    assert offenders == set()


def test_the_guard_sees_an_engine_import(tmp_path: Path) -> None:
    """The check above can fail: a module importing the engine's layout is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from nornir_config.running_config import canonical\n", encoding="utf-8")
    assert any(n.startswith(ENGINE[0]) for n in _imports(bad))
