"""What every emulated device holds, whatever its dialect: the part of a `LabDevice` the lab
core reads (spec, faults, flash, sessions, boot errors, refused logins) and its config state,
derived once per config change. A dialect's device subclasses `BaseDevice` and says how its
own config reads as ports (`config_state`)."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import deque
from typing import Generic, TypeVar

from nornir_config.lab.flash import Flash
from nornir_config.lab.ports import ConfigState
from nornir_config.lab.spec import DeviceFaults, LabDeviceSpec

log = logging.getLogger(__name__)

Operator = TypeVar("Operator")


class BaseDevice(Generic[Operator]):
    """State shared by all sessions of one device; no I/O here. `operator` is how the dialect
    keeps the lab operator's login (None: the device has none)."""

    def __init__(self, spec: LabDeviceSpec, operator: Operator) -> None:
        self.spec = spec
        self.operator = operator
        self.faults = DeviceFaults()
        self.flash = Flash()
        self.sessions = 0
        self.boot_errors: list[str] = []
        self.login_log: deque[str] = deque(maxlen=50)
        self.booted = time.time()
        self.changed_at = self.booted
        self._state: tuple[object, ConfigState] | None = None

    @property
    def digest(self) -> str:
        """A stable hex digest of the device's name (serial numbers, MACs)."""
        return hashlib.sha1(self.spec.name.encode()).hexdigest().upper()

    def log_login(self, user: str, source: str | None, reason: str) -> None:
        entry = f"login refused: user {user or '-'} from {source or '-'}: {reason}"
        self.login_log.append(entry)
        log.info("%s: %s", self.spec.name, entry)

    def start(self) -> None:
        """Boot: the spec's day-0 config, checked by the dialect's grammar (refused lines in
        `boot_errors`), or the dialect's factory config; then the lab operator's login; then
        saved as the startup config. (A dialect may boot its own way, e.g. on first use.)"""
        day0 = self.spec.day0 if self.spec.day0 is not None else self.factory_config()
        self.boot_errors = self.load_day0(day0)
        if self.operator is not None:
            self.add_operator()
        self.save_startup()

    def factory_config(self) -> str:
        raise NotImplementedError

    def load_day0(self, text: str) -> list[str]:
        """Make `text` the running config; the lines the grammar refused."""
        raise NotImplementedError

    def add_operator(self) -> None:
        raise NotImplementedError

    def save_startup(self) -> None:
        raise NotImplementedError

    def state(self) -> ConfigState:
        """Ports, VLANs and routes its config sets up, computed again only after a change."""
        key = self.state_key()
        if self._state is None or self._state[0] != key:
            self._state = (key, self.config_state())
        return self._state[1]

    def state_key(self) -> object:
        """What changes whenever the config does."""
        return self.changed_at

    def config_state(self) -> ConfigState:
        raise NotImplementedError


def stable_mac(seed: str, oui: int, offset: int = 0) -> str:
    """A MAC in the vendor's OUI from a device name (and a port index), written as the twin
    writes MACs (`00e0.fc12.3456`)."""
    digest = int(hashlib.sha1(seed.encode()).hexdigest()[:6], 16) & 0xFFFF00
    text = f"{((oui << 24) | digest) + offset:012x}"
    return f"{text[0:4]}.{text[4:8]}.{text[8:12]}"


def port_kind(name: str, svi: str, loopback: str, physical: str) -> str:
    """An interface's `PortState.kind` from its name: a `.` makes a subinterface; then the
    dialect's name prefixes of SVIs and loopbacks and its regex of physical ports."""
    if "." in name:
        return "subinterface"
    if name.startswith(svi):
        return "svi"
    if name.startswith(loopback):
        return "loopback"
    if re.match(physical, name):
        return "physical"
    return "other"
