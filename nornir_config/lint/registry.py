"""The check-kind plugins: each rule names one kind; the kind is a function over a device view.

A kind is `scope` ("device": called per device, "province": once over every device, "project":
once over the sources) plus `prepare(params)` which validates the rule's parameters when the
pack is loaded, so a wrong pack is bad input before anything is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nornir_config.lint.model import Rule
from nornir_config.lint.parsed import Node, Parsed
from nornir_config.platforms import driver
from nornir_config.platforms.base import Platform


@dataclass(frozen=True)
class Hit:
    """A rule broken on one device: the rendered line (None: something missing) and why."""

    message: str
    line: int | None = None


@dataclass
class DeviceView:
    """What device-scope kinds see: the device facts, its template context and parsed config."""

    name: str
    role: str
    platform: str
    context: Mapping[str, Any]
    parsed: Parsed
    dialect: Mapping[str, Any]
    _interfaces: list[tuple[str, str, Node]] | None = field(default=None, repr=False)
    # Facts several rules derive from the same config (kinds key it by their own name); not
    # copied by dataclasses.replace, so a view with another config starts empty.
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def driver(self) -> Platform:
        """The platform driver named by `platform`."""
        return driver(self.platform)

    def interfaces(self) -> list[tuple[str, str, Node]]:
        """(name, class, node) of every interface, classified once by the platform's rules."""
        if self._interfaces is None:
            from nornir_config.lint.interfaces import classify

            self._interfaces = classify(self)
        return self._interfaces


DeviceCheck = Callable[[Rule, DeviceView], Iterable[Hit]]
ProvinceCheck = Callable[[Rule, list[DeviceView]], Iterable[tuple[str, Hit]]]


@dataclass(frozen=True)
class Kind:
    name: str
    scope: str
    prepare: Callable[[dict[str, Any]], None]
    run: Callable[..., Iterable[Any]]


KINDS: dict[str, Kind] = {}


def _no_params(params: dict[str, Any]) -> None:
    return None


def register(
    name: str, scope: str = "device", prepare: Callable[[dict[str, Any]], None] = _no_params
) -> Callable[[Callable[..., Iterable[Any]]], Callable[..., Iterable[Any]]]:
    """Decorator: add a check kind to the registry under `name`."""

    def wrap(func: Callable[..., Iterable[Any]]) -> Callable[..., Iterable[Any]]:
        KINDS[name] = Kind(name, scope, prepare, func)
        return func

    return wrap
