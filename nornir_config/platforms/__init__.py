"""Vendor drivers: one folder per platform, each exposing a typed `Platform` as `DRIVER`.

Drivers are found through the entry point group `communelan.platforms` (name = driver name =
folder name); the core looks them up here by name and never imports a vendor folder.
"""

from __future__ import annotations

import importlib
import threading
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from nornir_config.platforms.base import Platform

GROUP = "communelan.platforms"
PLATFORMS_DIR = Path(__file__).parent
HOST_KEY = "driver"  # Host.data key naming the host's driver

_registered: dict[str, Platform] = {}
_lock = threading.Lock()


class UnknownPlatform(LookupError):
    """No driver of that name is installed."""


def register(platform: Platform) -> None:
    """Add a driver at run time (a plugin not installed as a distribution, or a test's)."""
    with _lock:
        _registered[platform.name] = platform


def unregister(name: str) -> None:
    with _lock:
        _registered.pop(name, None)


@cache
def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def _folders() -> frozenset[str]:
    """Driver folders shipped in this package (found even before the entry points are
    installed, e.g. in an editable install that predates a new folder)."""
    return frozenset(p.parent.name for p in PLATFORMS_DIR.glob("*/__init__.py"))


def known_platforms() -> frozenset[str]:
    """Names of every installed, shipped or registered driver."""
    return frozenset(_entry_points()) | _folders() | frozenset(_registered)


def driver(name: str) -> Platform:
    """The driver called `name` (loaded once)."""
    found = _registered.get(name)
    if found is not None:
        return found
    point = _entry_points().get(name)
    if point is not None:
        loaded = point.load()
    elif name in _folders():
        loaded = importlib.import_module(f"{__name__}.{name}").DRIVER
    else:
        known = ", ".join(sorted(known_platforms())) or "none"
        raise UnknownPlatform(f"unknown platform driver '{name}' (installed: {known})")
    if not isinstance(loaded, Platform) or loaded.name != name:
        raise TypeError(f"entry point {GROUP}:{name} must be a Platform named '{name}'")
    with _lock:
        return _registered.setdefault(name, loaded)


def drivers() -> tuple[Platform, ...]:
    """Every installed, shipped or registered driver, by name."""
    return tuple(driver(name) for name in sorted(known_platforms()))


def driver_for(host: Any) -> Platform:
    """The driver of a Nornir host (its `data["driver"]`)."""
    return driver(str(host.data[HOST_KEY]))


def platform_data(platform: str, name: str = "platform") -> dict[str, Any]:
    """The YAML document `name` of a driver's folder (`Platform.data`, read once per run)."""
    return driver(platform).data(name)
