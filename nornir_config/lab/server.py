"""The lab: every emulated device behind its own asyncssh listener, all in one event loop."""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

from nornir_config.lab import reach
from nornir_config.lab.files import Endpoint, LabCredentials
from nornir_config.lab.link import WanLink
from nornir_config.lab.sftp import FlashSFTPServer
from nornir_config.lab.spec import DeviceFaults, LabDeviceSpec
from nornir_config.lab.twin import cable
from nornir_config.platforms import driver
from nornir_config.platforms.base import LabDevice, LabSession, Reply

log = logging.getLogger(__name__)

DEFAULT_NETWORK = "127.100.0.0"


def device_address(index: int, network: str = DEFAULT_NETWORK) -> str:
    """The index-th device's loopback address (127.100.0.1, ...; never .0 or .255)."""
    base = int(ipaddress.IPv4Address(network))
    return str(ipaddress.IPv4Address(base + (index // 250) * 256 + index % 250 + 1))


def load_or_create_key(keys_dir: Path | None, name: str) -> asyncssh.SSHKey:
    """A device's persistent host key (ed25519), created on first use."""
    if keys_dir is None:
        return asyncssh.generate_private_key("ssh-ed25519")
    path = keys_dir / name
    if path.exists():
        return asyncssh.read_private_key(str(path))
    keys_dir.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519")
    key.write_private_key(str(path))
    path.chmod(0o600)
    return key


class _Auth(asyncssh.SSHServer):
    """Logins as the device's own config decides (see `logins`), for clients presented as
    coming from the lab's client address."""

    def __init__(self, lab: Lab, device: LabDevice) -> None:
        self.lab = lab
        self.device = device
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        noc = self.lab.noc_of(self.device)
        source = noc or conn.get_extra_info("peername", ("",))[0]
        conn.set_extra_info(lab_source=source)
        refused = reach.refusal(self.device, source, noc)
        if refused is not None:
            # Unreachable, no ssh on the vty lines or an access-class that refuses the NOC:
            # the client never sees a banner (reset before it), let alone a login.
            self.device.log_login("", source, refused)
            conn.abort()

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        if self.device.faults.reject_credentials:
            return False
        source = self.conn.get_extra_info("lab_source") if self.conn else None
        decision = self.device.try_login(username, password, source)
        if decision.ok and self.conn is not None:
            self.conn.set_extra_info(lab_privilege=decision.privilege)
        return decision.ok


class _ConsoleAuth(asyncssh.SSHServer):
    """The console server: user = device name, password = the lab's console password; a
    console session always gets in (recovery), whatever the device's login config says."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username in self.lab.devices and password == self.lab.credentials.password


@dataclass
class _Listener:
    device: LabDevice
    host: str
    port: int
    key: asyncssh.SSHKey
    server: Any = None


# Boot progress (step, done, total), reported every PROGRESS_EVERY devices.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 500


class Lab:
    """Emulated devices in this process's event loop. Use from inside the loop (`await`)."""

    def __init__(
        self,
        specs: list[LabDeviceSpec],
        credentials: LabCredentials,
        *,
        keys_dir: Path | None = None,
        network: str = DEFAULT_NETWORK,
        base_port: int = 0,
        login_privilege: int = 15,
        client_address: str | None = None,
        seed_operator: bool = True,
        progress: Progress | None = None,
    ) -> None:
        self.credentials = credentials
        self.progress = progress
        self.login_privilege = login_privilege
        self.client_address = client_address
        self.devices: dict[str, LabDevice] = {}
        self._listeners: dict[str, _Listener] = {}
        operator = credentials if seed_operator else None
        self._console_host = device_address(0, network)
        self._console_port = base_port + len(specs) if base_port else 0
        self._console_key = load_or_create_key(keys_dir, "console")
        self._console_server: Any = None
        for index, spec in enumerate(specs):
            device = driver(spec.driver).lab.device(spec, operator)
            self.devices[spec.name] = device
            port = base_port + index if base_port else 0
            key = load_or_create_key(keys_dir, spec.name)
            self._listeners[spec.name] = _Listener(
                device, device_address(index, network), port, key
            )
            if progress is not None and (index + 1) % PROGRESS_EVERY == 0:
                progress("devices", index + 1, len(specs))
        self.twin = cable(self.devices)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        listeners = list(self._listeners.values())
        for first in range(0, len(listeners), PROGRESS_EVERY):
            await asyncio.gather(
                *(self._listen(lst) for lst in listeners[first : first + PROGRESS_EVERY])
            )
            if self.progress is not None:
                self.progress(
                    "listening", min(first + PROGRESS_EVERY, len(listeners)), len(listeners)
                )
        self._console_server = await asyncssh.create_server(
            lambda: _ConsoleAuth(self),
            self._console_host,
            self._console_port,
            server_host_keys=[self._console_key],
            process_factory=self._console_session,
            line_editor=False,
            keepalive_interval=0,
        )
        if self._console_port == 0:
            self._console_port = self._console_server.sockets[0].getsockname()[1]

    @property
    def console(self) -> Endpoint:
        """The console server: log in as the device's name with the lab password."""
        return Endpoint(self._console_host, self._console_port)

    async def _console_session(self, proc: asyncssh.SSHServerProcess[str]) -> None:
        device = self.devices[proc.get_extra_info("username")]
        device.sessions += 1
        try:
            await _Terminal(_session(device, "console", 15), proc).run()
        except (asyncssh.Error, OSError, BrokenPipeError, ConnectionError):
            pass
        finally:
            device.sessions -= 1

    async def stop(self) -> None:
        if self._console_server is not None:
            self._console_server.close()
            self._console_server = None
        for listener in self._listeners.values():
            if listener.server is not None:
                listener.server.close()
                listener.server = None

    async def _listen(self, listener: _Listener) -> None:
        device = listener.device

        async def process(proc: asyncssh.SSHServerProcess[str]) -> None:
            await self._session(device, proc)

        listener.server = await asyncssh.create_server(
            lambda: _Auth(self, device),
            listener.host,
            listener.port,
            server_host_keys=[listener.key],
            process_factory=process,
            sftp_factory=lambda chan: FlashSFTPServer(chan, device),
            allow_scp=True,
            line_editor=False,
            keepalive_interval=0,
            login_timeout=60,
            tunnel=WanLink(lambda: device.faults.rtt),  # the faults' rtt, 0 = none
        )
        if listener.port == 0:
            listener.port = listener.server.sockets[0].getsockname()[1]

    # -- addresses -------------------------------------------------------------------------

    @property
    def endpoints(self) -> dict[str, Endpoint]:
        return {
            name: Endpoint(lst.host, lst.port, driver(lst.device.spec.driver).netmiko_device_type)
            for name, lst in self._listeners.items()
        }

    def known_hosts_lines(self) -> list[str]:
        lines = []
        for lst in self._listeners.values():
            public = lst.key.export_public_key("openssh").decode().strip()
            public = " ".join(public.split()[:2])
            lines.append(f"[{lst.host}]:{lst.port} {public}")
        public = self._console_key.export_public_key("openssh").decode().strip()
        public = " ".join(public.split()[:2])
        lines.append(f"[{self._console_host}]:{self._console_port} {public}")
        return lines

    # -- faults ----------------------------------------------------------------------------

    def match(self, pattern: str) -> list[str]:
        """Device names matching a name or a glob (`*` for all)."""
        if pattern in self.devices:
            return [pattern]
        return [name for name in self.devices if fnmatch.fnmatchcase(name, pattern)]

    async def set_faults(self, pattern: str, **faults: Any) -> list[str]:
        """Set faults on the matching devices (other fault fields unchanged)."""
        names = self.match(pattern)
        if not names:
            raise KeyError(f"no lab device matches {pattern!r}")
        for name in names:
            device = self.devices[name]
            device.faults.update(**faults)
            device.flash.full = device.faults.flash_full
            await self._apply_refusal(name)
        return names

    async def clear_faults(self, pattern: str = "*") -> list[str]:
        names = self.match(pattern)
        for name in names:
            device = self.devices[name]
            device.faults = DeviceFaults()
            device.flash.full = False
            await self._apply_refusal(name)
        return names

    async def _apply_refusal(self, name: str) -> None:
        listener = self._listeners[name]
        refuse = listener.device.faults.refuse_connections
        if refuse and listener.server is not None:
            listener.server.close()
            await listener.server.wait_closed()
            listener.server = None
        elif not refuse and listener.server is None:
            await self._listen(listener)

    def noc_of(self, device: LabDevice) -> str | None:
        """Where `device`'s clients come from: the lab's client address when one is set, else
        the device's own NOC (each province of a repository admits only its own)."""
        return self.client_address or device.spec.noc

    def status(self) -> dict[str, Any]:
        return {
            "devices": len(self.devices),
            "sessions": sum(d.sessions for d in self.devices.values()),
            "faults": {n: d.faults.active() for n, d in self.devices.items() if d.faults.active()},
            # the last refused login per device: a lockout shows up in `lab status --json`
            "logins_refused": {n: d.login_log[-1] for n, d in self.devices.items() if d.login_log},
        }

    # -- sessions --------------------------------------------------------------------------

    async def _session(self, device: LabDevice, proc: asyncssh.SSHServerProcess[str]) -> None:
        device.sessions += 1
        noc = self.noc_of(device)
        try:
            privilege = min(proc.get_extra_info("lab_privilege", 1), self.login_privilege)
            cli = _session(device, proc.get_extra_info("username") or "", privilege)
            if proc.command:
                await self._exec(cli, proc)
            elif proc.subsystem:
                proc.exit(1)
            else:
                await _Terminal(cli, proc, lambda: reach.path_refusal(device, noc)).run()
        except (asyncssh.Error, OSError, BrokenPipeError, ConnectionError):
            pass
        finally:
            device.sessions -= 1
            reach.path_refusal(device, noc)  # a config that made it reachable places it

    async def _exec(self, cli: LabSession, proc: asyncssh.SSHServerProcess[str]) -> None:
        """`ssh host "show version"`: run each line in privileged exec, print, close."""
        for line in str(proc.command).split(";"):
            if cli.device.faults.latency:
                await asyncio.sleep(cli.device.faults.latency)
            reply = cli.feed(line.strip())
            proc.stdout.write(reply.output.replace("\n", "\r\n"))
            if reply.close:
                break
        proc.exit(0)


def _session(device: LabDevice, user: str, privilege: int) -> LabSession:
    """One session's command line, from the device's own dialect."""
    return driver(device.spec.driver).lab.session(device, user, privilege)


MORE = " --More-- "
STALL_POLL = 0.2  # seconds between looks at a stalled session's path
ERASE_MORE = "\b" * len(MORE) + " " * len(MORE) + "\b" * len(MORE)


class _Terminal:
    """A PTY shell as a network device runs one: echo, Enter in any form, backspace, Ctrl-U
    (erase line), Ctrl-W (erase word), Ctrl-Z/C, `?` help, Tab completion, and `--More--`
    paging of long output until `terminal length 0` (Space: next page, Enter: next line, q:
    stop).

    `cut_off()` says why the client's packets no longer reach the device (None: they do):
    while it does, the session stalls both ways, as TCP holds a session whose path is gone.
    """

    def __init__(
        self,
        cli: LabSession,
        proc: asyncssh.SSHServerProcess[str],
        cut_off: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.cli = cli
        self.proc = proc
        self.cut_off = cut_off
        self.out: list[str] = []
        self.buf: list[str] = []
        self.paged: list[str] = []  # lines still to show behind a --More--
        self.then_prompt = True

    async def _stall(self) -> None:
        while self.cut_off() is not None and not self.proc.is_closing():
            await asyncio.sleep(STALL_POLL)

    def _flush(self) -> None:
        if self.out:
            self.proc.stdout.write("".join(self.out))
            self.out.clear()

    async def run(self) -> None:
        self.out.append(self.cli.device.motd() + "\r\n" + self.cli.prompt)
        self._flush()
        last_cr = 0.0  # when a chunk ended in CR: an LF right after it is the same Enter
        loop = asyncio.get_running_loop()
        while True:
            try:
                data = await self.proc.stdin.read(65536)
            except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            if not data:
                break
            await self._stall()
            if data[0] == "\n" and loop.time() - last_cr < 0.2:
                data = data[1:]
            data = data.replace("\r\n", "\r")
            last_cr = loop.time() if data.endswith("\r") else 0.0
            for ch in data:
                if ch == "\0":
                    continue
                if self.paged:
                    self._more_key(ch)
                    continue
                if ch == "?" and self.cli.echo and self.cli.pending is None:
                    line = "".join(self.buf)
                    self.out.append("?\r\n" + self.cli.help(line).replace("\n", "\r\n"))
                    self.out.append("\r\n" + self.cli.prompt + line)
                    continue
                if ch == "\t" and self.cli.echo:
                    line = "".join(self.buf)
                    completed = self.cli.complete(line)
                    if completed is not None:
                        self.buf = list(completed)
                        self.out.append(completed[len(line) :])
                    continue
                if ch == "\x15":  # Ctrl-U: erase the line
                    if self.cli.echo:
                        self.out.append("\b \b" * len(self.buf))
                    self.buf.clear()
                    continue
                if ch == "\x17":  # Ctrl-W: erase the word before the cursor
                    keep = "".join(self.buf).rstrip()
                    keep = keep[: keep.rfind(" ") + 1] if " " in keep else ""
                    if self.cli.echo:
                        self.out.append("\b \b" * (len(self.buf) - len(keep)))
                    self.buf = list(keep)
                    continue
                if ch in "\r\n":
                    if not await self._enter():
                        return
                elif ch in "\x7f\x08":
                    if self.buf:
                        self.buf.pop()
                        if self.cli.echo:
                            self.out.append("\b \b")
                elif ch in "\x1a\x03":
                    in_config = bool(self.cli.stack)
                    self.buf.clear()
                    self.cli.pending = None
                    self.cli.echo = True
                    self.cli.ctrl_z()
                    self.out.append(("^Z" if in_config and ch == "\x1a" else "^C") + "\r\n")
                    self.out.append(self.cli.prompt)
                else:
                    self.buf.append(ch)
                    if self.cli.echo:
                        self.out.append(ch)
            self._flush()
        self.proc.exit(0)

    async def _enter(self) -> bool:
        """Run the line typed so far; False when the session is over."""
        line = "".join(self.buf)
        self.buf.clear()
        self.out.append("\r\n")
        self._flush()
        latency = self.cli.device.faults.latency
        if latency:
            await asyncio.sleep(latency)
        reply: Reply = self.cli.feed(line)
        await self._stall()
        if reply.abort:
            self.proc.channel.get_connection().abort()
            return False
        lines = reply.output.split("\n")
        page = self.cli.length - 1
        if self.cli.length and len(lines) > page + 1 and not reply.close:
            self.out.append("\r\n".join(lines[:page]) + "\r\n" + MORE)
            self.paged = lines[page:]
            self.then_prompt = reply.prompt
            return True
        self.out.append(reply.output.replace("\n", "\r\n"))
        if reply.close:
            self._flush()
            self.proc.exit(0)
            return False
        if reply.prompt:
            self.out.append(self.cli.prompt)
        return True

    def _more_key(self, ch: str) -> None:
        """A key at `--More--`: Space a page, Enter a line, anything else ends the output."""
        self.out.append(ERASE_MORE)
        if ch == " ":
            count = self.cli.length - 1
        elif ch in "\r\n":
            count = 1
        else:
            self.paged = []
            if self.then_prompt:
                self.out.append(self.cli.prompt)
            return
        shown, self.paged = self.paged[:count], self.paged[count:]
        if len(self.paged) <= 1 and not "".join(self.paged):
            shown += self.paged
            self.paged = []
            self.out.append("\r\n".join(shown))
            if self.then_prompt:
                self.out.append(self.cli.prompt)
            return
        self.out.append("\r\n".join(shown) + "\r\n" + MORE)
