"""Vendor dialects: one folder per platform holding declarative data, none in the core."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PLATFORMS_DIR = Path(__file__).parent


def known_platforms() -> frozenset[str]:
    """Platforms that ship a `platform.yaml`."""
    return frozenset(p.parent.name for p in PLATFORMS_DIR.glob("*/platform.yaml"))


@cache
def platform_data(platform: str, name: str = "platform") -> dict[str, Any]:
    """The YAML document `name` of a platform's folder (cached: it never changes in a run)."""
    path = PLATFORMS_DIR / platform / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a mapping")
    return data
