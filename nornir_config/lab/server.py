"""The lab: every emulated device behind its own asyncssh listener, all in one event loop."""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

from nornir_config.lab.cli import Cli, Reply
from nornir_config.lab.device import LabDevice
from nornir_config.lab.files import Endpoint, LabCredentials
from nornir_config.lab.link import WanLink
from nornir_config.lab.sftp import FlashSFTPServer
from nornir_config.lab.spec import DeviceFaults, LabDeviceSpec
from nornir_config.lab.twin import cable

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
    def __init__(self, lab: Lab, device: LabDevice) -> None:
        self.lab = lab
        self.device = device

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        if self.device.faults.reject_credentials:
            return False
        creds = self.lab.credentials
        return username == creds.username and password == creds.password


@dataclass
class _Listener:
    device: LabDevice
    host: str
    port: int
    key: asyncssh.SSHKey
    server: Any = None


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
    ) -> None:
        self.credentials = credentials
        self.login_privilege = login_privilege
        self.devices: dict[str, LabDevice] = {}
        self._listeners: dict[str, _Listener] = {}
        for index, spec in enumerate(specs):
            device = LabDevice(spec)
            self.devices[spec.name] = device
            port = base_port + index if base_port else 0
            key = load_or_create_key(keys_dir, spec.name)
            self._listeners[spec.name] = _Listener(
                device, device_address(index, network), port, key
            )
        self.twin = cable(self.devices)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.gather(*(self._listen(lst) for lst in self._listeners.values()))

    async def stop(self) -> None:
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
        return {name: Endpoint(lst.host, lst.port) for name, lst in self._listeners.items()}

    def known_hosts_lines(self) -> list[str]:
        lines = []
        for lst in self._listeners.values():
            public = lst.key.export_public_key("openssh").decode().strip()
            public = " ".join(public.split()[:2])
            lines.append(f"[{lst.host}]:{lst.port} {public}")
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

    def status(self) -> dict[str, Any]:
        return {
            "devices": len(self.devices),
            "sessions": sum(d.sessions for d in self.devices.values()),
            "faults": {n: d.faults.active() for n, d in self.devices.items() if d.faults.active()},
        }

    # -- sessions --------------------------------------------------------------------------

    async def _session(self, device: LabDevice, proc: asyncssh.SSHServerProcess[str]) -> None:
        device.sessions += 1
        try:
            cli = Cli(device, proc.get_extra_info("username") or "", self.login_privilege)
            cli.device_secret = self.credentials.secret
            if proc.command:
                await self._exec(cli, proc)
            elif proc.subsystem:
                proc.exit(1)
            else:
                await _Terminal(cli, proc).run()
        except (asyncssh.Error, OSError, BrokenPipeError, ConnectionError):
            pass
        finally:
            device.sessions -= 1

    async def _exec(self, cli: Cli, proc: asyncssh.SSHServerProcess[str]) -> None:
        """`ssh host "show version"`: run each line in privileged exec, print, close."""
        for line in str(proc.command).split(";"):
            if cli.device.faults.latency:
                await asyncio.sleep(cli.device.faults.latency)
            reply = cli.feed(line.strip())
            proc.stdout.write(reply.output.replace("\n", "\r\n"))
            if reply.close:
                break
        proc.exit(0)


class _Terminal:
    """A PTY shell: echo, Enter in any form, backspace, Ctrl-Z; output with \\r\\n line ends."""

    def __init__(self, cli: Cli, proc: asyncssh.SSHServerProcess[str]) -> None:
        self.cli = cli
        self.proc = proc
        self.out: list[str] = []
        self.buf: list[str] = []

    def _flush(self) -> None:
        if self.out:
            self.proc.stdout.write("".join(self.out))
            self.out.clear()

    def _motd(self) -> str:
        for child in self.cli.device.running.children:
            if child.text.startswith("banner motd "):
                lines = child.text.split("\n")[1:-1]
                return "\r\n" + "\r\n".join(lines) + "\r\n"
        return ""

    async def run(self) -> None:
        self.out.append(self._motd() + "\r\n" + self.cli.prompt)
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
            if data[0] == "\n" and loop.time() - last_cr < 0.2:
                data = data[1:]
            data = data.replace("\r\n", "\r")
            last_cr = loop.time() if data.endswith("\r") else 0.0
            for ch in data:
                if ch == "\0":
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
        if reply.abort:
            self.proc.channel.get_connection().abort()
            return False
        self.out.append(reply.output.replace("\n", "\r\n"))
        if reply.close:
            self._flush()
            self.proc.exit(0)
            return False
        if reply.prompt:
            self.out.append(self.cli.prompt)
        return True
