"""One emulated device's state, shared by all its sessions for the lifetime of the lab."""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from dataclasses import dataclass
from functools import cache, lru_cache

from hier_config import HConfig
from netutils.password import encrypt_cisco_type7, encrypt_cisco_type9

from nornir_config.lab.device import BaseDevice
from nornir_config.lab.files import LabCredentials
from nornir_config.lab.ports import ConfigState
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.twin import unplace
from nornir_config.platforms.base import Login
from nornir_config.platforms.cisco_ios.lab import hconfig, logins
from nornir_config.platforms.cisco_ios.lab.day0 import day0_config
from nornir_config.platforms.cisco_ios.lab.state import build_state, software_line


@cache
def _type9(secret: str) -> str:
    """One scrypt run per secret for the whole lab (it costs ~50 ms)."""
    return str(encrypt_cisco_type9(secret))


def operator_line_password(credentials: LabCredentials) -> str:
    """The type 7 form of the operator's password, for sanitised vty/console passwords."""
    return _type7(credentials.password)


@cache
def _type7(password: str) -> str:
    """One type 7 form per password for the whole lab (netutils' costs ~0.1 ms: a national
    lab would spend a second on it; one salt for every device is a form IOS can print)."""
    return str(encrypt_cisco_type7(password))


def operator_lines(credentials: LabCredentials) -> list[str]:
    """The lab operator as a device keeps it: a privilege-15 user and the enable secret,
    both as type 9 hashes of the lab credentials (added to every day-0 config)."""
    return [
        f"username {credentials.username} privilege 15 secret 9 {_type9(credentials.password)}",
        f"enable secret 9 {_type9(credentials.secret)}",
    ]


def _booted(
    day0: HConfig,
    platform: str,
    model: str,
    printed: bool,
    operator: list[str],
    line_password: str | None,
) -> HConfig:
    """A running config from a day-0 tree, with the operator's lines added."""
    running = hconfig.apply(hconfig.empty(), day0, platform, as_printed=printed, model=model)
    extra = list(operator)
    if line_password:  # a backup's `password 7 <removed>`: the lab's own, so it logs in
        for block in running.children:
            if block.text.startswith("line ") and any(
                c.text.startswith("password ") and "<removed>" in c.text for c in block.children
            ):
                extra += [block.text, f" password 7 {line_password}"]
    if extra:
        running = hconfig.apply(running, hconfig.parse("\n".join(extra)), platform, model=model)
    return running


@lru_cache(maxsize=256)
def _factory(
    platform: str,
    model: str,
    role: str,
    interfaces: tuple[str, ...],
    operator: tuple[str, ...],
    line_password: str | None,
) -> HConfig:
    spec = LabDeviceSpec("Factory", "Factory", model, role, interfaces)
    day0 = hconfig.parse(day0_config(spec), platform)
    return _booted(day0, platform, model, False, list(operator), line_password)


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


class LabDevice(BaseDevice[list[str]]):
    """Running and startup config, flash and faults of one device; no I/O here."""

    def __init__(
        self,
        spec: LabDeviceSpec,
        platform: str | None = None,
        operator: list[str] | None = None,
        line_password: str | None = None,
    ) -> None:
        super().__init__(spec, operator or [])
        self.platform = platform or spec.driver  # whose lab data (grammar, printing) it reads
        self.line_password = line_password  # type 7 token for sanitised line passwords
        # Booted from the day-0 config on first use: a national lab (10,000 devices) listens
        # in seconds, and each device pays its ~2 ms of parsing when a client first reaches it.
        self._running: HConfig | None = None
        self._startup: HConfig | str = ""
        self.login_failures: deque[float] = deque(maxlen=100)
        self.quiet_until = 0.0
        self.changed_by = "console"
        self.saved_at: float | None = None
        self.pending: PendingRevert | None = None
        self.clock_offset = 0.0  # the lab clock: tests move it forward (advance_clock)
        self._clock_pending: PendingRevert | None = None
        self._clock_base = 0.0  # clock_offset when the pending commit was first seen
        self.serial = ("FDO" if spec.role == "router" else "JAE") + self.digest[:8]

    def boot(self, day0: HConfig) -> None:
        """Start from a day-0 tree, with the lab operator added (its user and enable secret)."""
        unplace(self)  # a box (re)installed with this config: on the staging bench again
        printed = self.spec.day0 is not None  # a real device's config: stored as printed
        spec = self.spec
        self._start(
            _booted(day0, self.platform, spec.model, printed, self.operator, self.line_password)
        )

    def _boot_factory(self) -> None:
        """The factory config of the device's model, built once per model and role for the
        whole lab (blocks are never changed in place, so devices share them) and renamed."""
        spec = self.spec
        base = _factory(
            self.platform,
            spec.model,
            spec.role,
            spec.interfaces,
            tuple(self.operator),
            self.line_password,
        )
        rename = hconfig.parse(f"hostname {spec.hostname}", self.platform)
        self._start(hconfig.apply(base, rename, self.platform, model=spec.model))

    def _start(self, running: HConfig) -> None:
        self.running = running
        self._ensure_interfaces()
        self._startup = self.running  # printed when first read: booting stays cheap

    @property
    def running(self) -> HConfig:
        if self._running is None and self.spec.day0 is None:
            self._boot_factory()
        if self._running is None:
            self.boot(hconfig.parse(day0_config(self.spec), self.platform))
            assert self._running is not None
        return self._running

    @running.setter
    def running(self, config: HConfig) -> None:
        self._running = config

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
        self.running = hconfig.apply(self.running, change, self.platform, model=self.spec.model)
        self._ensure_interfaces()
        self.touch(user)

    def remove_top_level(self, startswith: str, user: str) -> None:
        """Delete top-level lines by prefix (`no banner motd` drops the whole banner)."""
        kept = hconfig.empty()
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
        return hconfig.render(self.running, self.platform, self.spec.interfaces)

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

    @property
    def startup(self) -> str:
        """`show startup-config`'s body (the config saved last, or the one booted)."""
        self.running  # noqa: B018 - booted first: booting sets the startup config
        if not isinstance(self._startup, str):
            self._startup = hconfig.render(self._startup, self.platform, self.spec.interfaces)
        return self._startup

    @startup.setter
    def startup(self, text: str) -> None:
        self.running  # noqa: B018 - booted first, so that booting cannot overwrite it
        self._startup = text

    def save(self) -> None:
        self.startup = self.body()
        self.saved_at = time.time()

    # -- what the lab core asks (nornir_config.platforms.base.LabDevice) ----------------

    def motd(self) -> str:
        for child in self.running.children:
            if child.text.startswith("banner motd "):
                lines = child.text.split("\n")[1:-1]
                return "\r\n" + "\r\n".join(lines) + "\r\n"
        return ""

    def admits(self, source: str | None) -> bool:
        """IOS closes an SSH connection its vty lines do not take (`transport input`) or
        their access-class refuses, before any login."""
        running = self.running
        return logins.transport_allows(running, "ssh") and logins.access_class_permits(
            running, source
        )

    def state_key(self) -> object:
        return (id(self.running), self.changed_at)

    def config_state(self) -> ConfigState:
        return build_state(self)

    def discovery(self) -> frozenset[str]:
        """CDP runs unless `no cdp run`; LLDP only with `lldp run` (IOS-XE defaults)."""
        return frozenset(
            name
            for name, on in (("cdp", not self.has("no cdp run")), ("lldp", self.has("lldp run")))
            if on
        )

    @property
    def software(self) -> str:
        return software_line(self.spec.role)

    # -- logins --------------------------------------------------------------------------

    def try_login(self, username: str, password: str, source: str | None) -> Login:
        """A remote login as this device's config decides, with `login block-for` quiet mode."""
        now = time.time()
        if now < self.quiet_until:
            decision = Login(False, reason="login quiet mode (login block-for)")
        else:
            decision = logins.login(self.running, username, password, source)
        if not decision.ok:
            self.log_login(username, source, decision.reason)
            self.login_failures.append(now)
            self._maybe_block(now)
        return decision

    def _maybe_block(self, now: float) -> None:
        for line in self.top_level("login block-for "):
            m = re.match(r"login block-for (\d+) attempts (\d+) within (\d+)", line)
            if not m:
                continue
            seconds, attempts, within = (int(g) for g in m.groups())
            recent = [t for t in self.login_failures if now - t <= within]
            if len(recent) >= attempts:
                self.quiet_until = now + seconds
                self.login_failures.clear()

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
