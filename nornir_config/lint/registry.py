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
    # A province kind: `digest(rule, view)` keeps what it needs of one device (small, picklable)
    # during the device pass; `over_digests(rule, digests)` then checks the province. `run`
    # does both over a list of views.
    digest: Callable[[Rule, DeviceView], Any] | None = None
    over_digests: Callable[..., Iterable[Any]] | None = None


KINDS: dict[str, Kind] = {}


def _no_params(params: dict[str, Any]) -> None:
    return None


def register(
    name: str,
    scope: str = "device",
    prepare: Callable[[dict[str, Any]], None] = _no_params,
    digest: Callable[[Rule, DeviceView], Any] | None = None,
) -> Callable[[Callable[..., Iterable[Any]]], Callable[..., Iterable[Any]]]:
    """Decorator: add a check kind to the registry under `name` (with `digest`, the function
    runs over the digests of the devices)."""

    if scope == "province" and digest is None:
        raise ValueError(f"province kind {name!r} needs digest=: lint keeps no parsed config")

    def wrap(func: Callable[..., Iterable[Any]]) -> Callable[..., Iterable[Any]]:
        if digest is None:
            KINDS[name] = Kind(name, scope, prepare, func)
            return func

        def run(rule: Rule, views: list[DeviceView]) -> Iterable[Any]:
            return func(rule, [digest(rule, view) for view in views])

        KINDS[name] = Kind(name, scope, prepare, run, digest, func)
        return func

    return wrap
