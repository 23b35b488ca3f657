"""Run-wide settings chosen on the command line (project root, lab mode)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunSettings:
    root: Path
    lab: bool = False

    @property
    def hosts_dir(self) -> Path:
        return self.root / "hosts"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def lab_dir(self) -> Path:
        return self.root / ".lab"

    @property
    def nornir_config_file(self) -> Path:
        return self.root / "config.yaml"


_current = RunSettings(root=Path.cwd())


def set_run_settings(settings: RunSettings) -> None:
    global _current
    _current = settings


def run_settings() -> RunSettings:
    return _current
