"""Run-wide settings chosen on the command line (project root, lab mode)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class RunSettings:
    root: Path
    lab: bool = False

    @property
    def hosts_dir(self) -> Path:
        return self._inventory_path("hosts_dir", "hosts")

    @property
    def templates_dir(self) -> Path:
        return self._inventory_path("templates_dir", "templates")

    def _inventory_path(self, key: str, default: str) -> Path:
        """config.yaml's `inventory.options.<key>`, relative to that file's folder."""
        value = _inventory_options(self.nornir_config_file).get(key)
        if isinstance(value, str) and value:
            return (self.nornir_config_file.parent / value).resolve()
        return self.root / default

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def lab_dir(self) -> Path:
        return self.root / ".lab"

    @property
    def nornir_config_file(self) -> Path:
        return self.root / "config.yaml"


def _inventory_options(path: Path) -> dict[str, Any]:
    """The inventory options of a Nornir config file ({} when absent or unreadable: Nornir
    itself reports a broken file when it loads it)."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _read_options(str(path), stat.st_mtime_ns)


@cache
def _read_options(path: str, _mtime: int) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    inventory = data.get("inventory") if isinstance(data, dict) else None
    options = inventory.get("options") if isinstance(inventory, dict) else None
    return options if isinstance(options, dict) else {}


_current = RunSettings(root=Path.cwd())


def set_run_settings(settings: RunSettings) -> None:
    global _current
    _current = settings


def run_settings() -> RunSettings:
    return _current
