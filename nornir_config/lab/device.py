"""One emulated device's state, shared by all its sessions for the lifetime of the lab."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

from hier_config import HConfig

from nornir_config.lab import hconfig
from nornir_config.lab.day0 import day0_config
from nornir_config.lab.flash import Flash
from nornir_config.lab.spec import DeviceFaults, LabDeviceSpec


def ios_time(stamp: float) -> str:
    """`09:33:11 UTC Thu Nov 26 2026`, as IOS prints times."""
    t = time.gmtime(stamp)
    return time.strftime("%H:%M:%S UTC %a %b ", t) + f"{t.tm_mday} {t.tm_year}"


@dataclass
class PendingRevert:
    """A commit that reverts unless confirmed (`revert timer`, `configure confirm`)."""

    snapshot: HConfig
    configured_at: float
    minutes: int
    user: str
    handle: asyncio.TimerHandle | None


class LabDevice:
    """Running and startup config, flash and faults of one device; no I/O here."""

    def __init__(self, spec: LabDeviceSpec, platform: str = "cisco_ios") -> None:
        self.spec = spec
        self.platform = platform
        self.faults = DeviceFaults()
        self.flash = Flash()
        self.booted = time.time()
        self.running: HConfig = hconfig.parse(day0_config(spec), platform)
        self._ensure_interfaces()
        self.startup: str = self.body()
        self.changed_at = self.booted
        self.changed_by = "console"
        self.saved_at: float | None = None
        self.pending: PendingRevert | None = None
        self.clock_offset = 0.0  # the lab clock: tests move it forward (advance_clock)
        self._clock_pending: PendingRevert | None = None
        self._clock_base = 0.0  # clock_offset when the pending commit was first seen
        self.sessions = 0
        digest = hashlib.sha1(spec.name.encode()).hexdigest().upper()
        self.serial = ("FDO" if spec.role == "router" else "JAE") + digest[:8]

    # -- config ----------------------------------------------------------------------------

    @property
    def hostname(self) -> str:
        for child in self.running.children:
            if child.text.startswith("hostname "):
                return child.text.split(None, 1)[1]
        return "Router" if self.spec.role == "router" else "Switch"

    def has(self, line: str) -> bool:
        return self.running.get_child(equals=line) is not None

    def top_level(self, startswith: str) -> list[str]:
        return [c.text for c in self.running.children if c.text.startswith(startswith)]

    def apply_lines(self, lines: list[str], user: str) -> None:
        """Apply one command in its section context (parent lines first)."""
        self.apply(hconfig.lines_config(lines, self.platform), user)

    def apply(self, change: HConfig, user: str) -> None:
        self.running = hconfig.apply(self.running, change, self.platform)
        self._ensure_interfaces()
        self.touch(user)

    def remove_top_level(self, startswith: str, user: str) -> None:
        """Delete top-level lines by prefix (`no banner motd` drops the whole banner)."""
        kept = hconfig.parse("", self.platform)
        for child in self.running.children:
            if not child.text.startswith(startswith):
                kept.add_deep_copy_of(child)
        self.replace(kept, user)

    def replace(self, config: HConfig, user: str) -> None:
        self.running = config
        self._ensure_interfaces()
        self.touch(user)

    def touch(self, user: str) -> None:
        self.changed_at = time.time()
        self.changed_by = user

    def _ensure_interfaces(self) -> None:
        """Physical ports cannot be removed: a config without them shows them bare."""
        present = {c.text for c in self.running.children}
        for name in self.spec.interfaces:
            if f"interface {name}" not in present:
                self.running.add_child(f"interface {name}")

    def body(self) -> str:
        return hconfig.render(self.running, self.platform)

    def show_running(self) -> str:
        body = self.body()
        header = [
            "Building configuration...",
            "",
            f"Current configuration : {len(body)} bytes",
            "!",
            f"! Last configuration change at {ios_time(self.changed_at)} by {self.changed_by}",
        ]
        if self.saved_at is not None:
            header.append(
                f"! NVRAM config last updated at {ios_time(self.saved_at)} by {self.changed_by}"
            )
        return "\n".join([*header, "!", body])

    def save(self) -> None:
        self.startup = self.body()
        self.saved_at = time.time()

    # -- rollback timer --------------------------------------------------------------------

    def start_revert_timer(self, snapshot: HConfig, minutes: int, user: str) -> None:
        self.cancel_revert_timer()
        handle: asyncio.TimerHandle | None = None
        try:
            loop = asyncio.get_running_loop()
            handle = loop.call_later(minutes * 60, self.revert_now)
        except RuntimeError:
            handle = None
        self.pending = PendingRevert(snapshot, time.time(), minutes, user, handle)

    def cancel_revert_timer(self) -> None:
        if self.pending and self.pending.handle:
            self.pending.handle.cancel()
        self.pending = None

    def revert_now(self) -> None:
        if self.pending is not None:
            snapshot, user = self.pending.snapshot, self.pending.user
            self.cancel_revert_timer()
            self.replace(snapshot, user)

    def advance_clock(self, seconds: float) -> None:
        """Move this device's clock forward: a revert timer that expires reverts now, as it
        would after waiting (no test waits minutes)."""
        pending = self.pending
        if pending is not None and self._clock_pending is not pending:
            self._clock_pending, self._clock_base = pending, self.clock_offset
        self.clock_offset += seconds
        if pending is not None:
            waited = time.time() - pending.configured_at + self.clock_offset - self._clock_base
            if waited >= pending.minutes * 60:
                self.revert_now()
