"""The intended configs a push works from: build/intended/<host>.cfg, rendered when missing
or older than anything in hosts/ or templates/."""

from __future__ import annotations

from pathlib import Path

from nornir_config.project import Project
from nornir_config.render import run_render


def _newest(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.rglob("*") if p.is_file()), default=0.0)


def intended_configs(project: Project, hosts: list[str], out_dir: Path) -> dict[str, str]:
    """Host -> intended config text; renders the selected hosts first when any is stale."""
    sources = max(_newest(project.settings.hosts_dir), _newest(project.settings.templates_dir))
    stale = [
        h
        for h in hosts
        if not (out_dir / f"{h}.cfg").is_file() or (out_dir / f"{h}.cfg").stat().st_mtime < sources
    ]
    if stale:
        names = set(hosts)
        nr = project.nr.filter(filter_func=lambda h: h.name in names)
        run_render(nr, project.province, project.secrets(), project.settings.templates_dir, out_dir)
    return {h: (out_dir / f"{h}.cfg").read_text(encoding="utf-8") for h in hosts}
