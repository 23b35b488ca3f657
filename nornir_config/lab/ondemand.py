"""A device's SSH server made on its first connection, not at boot.

asyncssh builds a listener's connection options (host keys, algorithms, config files) when the
listener is created: about 0.4 ms of one core per device, more than a national lab's boot
(10,650 devices) may spend on everything. The lab listens on plain TCP instead and asks asyncssh
for the SSH server of a device when a client first connects to it: through asyncssh's own
`tunnel=` interface (an object with `create_server(factory, host, port)`), which hands over the
factory of SSH server connections with that device's options. From then on every connection
gets the same SSH server asyncssh would have given it on a listener of its own.

What a client sends before the server exists waits, in order, and is delivered to it then: the
SSH server speaks first (its version line), so a client sees no difference.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

# A factory of SSH server connections (asyncio protocols), one per TCP connection.
SshFactory = Callable[[], asyncio.Protocol]


class Handover:
    """The `tunnel=` of `asyncssh.create_server`: keeps the SSH connection factory asyncssh
    passes and listens on nothing (the device's TCP listener exists already)."""

    def __init__(self) -> None:
        self.factory: SshFactory | None = None

    async def create_server(
        self, factory: Callable[[str, int], asyncio.Protocol], host: str, port: int
    ) -> _NoListener:
        self.factory = lambda: factory(host, port)
        return _NoListener()


class _NoListener:
    """What asyncssh's acceptor wraps: closing it closes nothing (the TCP listener is the lab's)."""

    sockets: tuple[Any, ...] = ()

    def close(self) -> None:
        pass

    async def wait_closed(self) -> None:
        pass

    def is_serving(self) -> bool:
        return False


class OnDemand:
    """One device's SSH server factory, made by `make` on the first connection and shared by
    every later one (concurrent first connections wait for the same one)."""

    def __init__(self, make: Callable[[], Awaitable[SshFactory]]) -> None:
        self._make = make
        self._ready: asyncio.Future[SshFactory] | None = None

    async def factory(self) -> SshFactory:
        if self._ready is None:
            self._ready = asyncio.ensure_future(self._make())
        try:
            return await asyncio.shield(self._ready)
        except Exception:
            self._ready = None  # the next connection tries again
            raise

    def protocol(self) -> asyncio.Protocol:
        """The protocol of one TCP connection (for `loop.create_server`)."""
        return _Pending(self)


class _Pending(asyncio.Protocol):
    """A TCP connection whose SSH server is being made: every event waits, in order, and goes
    to that server once it is there."""

    def __init__(self, source: OnDemand) -> None:
        self.source = source
        self.inner: asyncio.Protocol | None = None
        self.waiting: list[Callable[[asyncio.Protocol], object]] = []
        self.attaching: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.waiting.append(lambda p: p.connection_made(transport))
        self.attaching = asyncio.ensure_future(self._attach(transport))

    async def _attach(self, transport: asyncio.BaseTransport) -> None:
        try:
            factory = await self.source.factory()
        except Exception:
            transport.close()  # a device that cannot serve SSH hangs up, as a dead sshd would
            return
        inner = factory()
        for event in self.waiting:
            event(inner)
        self.waiting.clear()
        self.inner = inner

    def _event(self, event: Callable[[asyncio.Protocol], object]) -> None:
        if self.inner is not None:
            event(self.inner)
        else:
            self.waiting.append(event)

    def data_received(self, data: bytes) -> None:
        self._event(lambda p: p.data_received(data))

    def eof_received(self) -> bool:
        self._event(lambda p: p.eof_received())
        return True  # the SSH connection closes the transport when it has read everything

    def connection_lost(self, exc: Exception | None) -> None:
        self._event(lambda p: p.connection_lost(exc))

    def pause_writing(self) -> None:
        self._event(lambda p: p.pause_writing())

    def resume_writing(self) -> None:
        self._event(lambda p: p.resume_writing())
