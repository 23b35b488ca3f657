"""A WAN link in front of a lab device: every chunk waits rtt/2 in each direction.

The delay is a propagation delay, not a per-command one: bytes written back-to-back leave
back-to-back and arrive rtt/2 later in the same order, so pipelined input costs one round trip
and not one per line (the device's own `latency` fault models a slow CPU instead). It sits
under the SSH protocol, so the handshake, authentication and channel opens pay it too.

asyncssh accepts, as `tunnel=`, any object with `create_server(factory, host, port)`; `WanLink`
is one that listens on plain TCP and puts a `_Delayed` pipe between socket and SSH connection.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

Rtt = Callable[[], float]


class _Queue:
    """Calls run in order, each `delay()` seconds after it was queued (FIFO, one timer)."""

    def __init__(self, delay: Rtt) -> None:
        self.delay = delay
        self.items: deque[tuple[float, Callable[[], Any]]] = deque()
        self.timer: asyncio.TimerHandle | None = None

    def put(self, call: Callable[[], Any]) -> None:
        wait = self.delay()
        if wait <= 0 and not self.items:
            call()
            return
        loop = asyncio.get_running_loop()
        self.items.append((loop.time() + max(wait, 0.0), call))
        if self.timer is None:
            self.timer = loop.call_at(self.items[0][0], self._run)

    def _run(self) -> None:
        self.timer = None
        loop = asyncio.get_running_loop()
        while self.items and self.items[0][0] <= loop.time():
            _, call = self.items.popleft()
            call()
        if self.items:
            self.timer = loop.call_at(self.items[0][0], self._run)


class _DelayedTransport:
    """The socket's transport as the SSH connection sees it: writes leave rtt/2 later."""

    def __init__(self, transport: asyncio.Transport, queue: _Queue) -> None:
        self._transport = transport
        self._queue = queue

    def write(self, data: bytes) -> None:
        self._queue.put(lambda: self._write(bytes(data)))

    def _write(self, data: bytes) -> None:
        if not self._transport.is_closing():
            self._transport.write(data)

    def writelines(self, chunks: Any) -> None:
        self.write(b"".join(chunks))

    def write_eof(self) -> None:
        self._queue.put(self._write_eof)

    def _write_eof(self) -> None:
        if not self._transport.is_closing():
            self._transport.write_eof()

    def close(self) -> None:
        self._queue.put(self._transport.close)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _Delayed(asyncio.Protocol):
    """Between the TCP socket and the SSH connection: data, EOF and loss arrive rtt/2 late."""

    def __init__(self, inner: asyncio.Protocol, rtt: Rtt) -> None:
        self.inner = inner
        self.inbound = _Queue(lambda: rtt() / 2)
        self.outbound = _Queue(lambda: rtt() / 2)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        delayed: Any = _DelayedTransport(transport, self.outbound)
        self.inner.connection_made(delayed)

    def data_received(self, data: bytes) -> None:
        self.inbound.put(lambda: self.inner.data_received(data))

    def eof_received(self) -> bool:
        self.inbound.put(self.inner.eof_received)
        return True  # the SSH connection closes the transport when it has read everything

    def connection_lost(self, exc: Exception | None) -> None:
        self.inbound.put(lambda: self.inner.connection_lost(exc))

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class WanLink:
    """The `tunnel=` of a device's asyncssh listener: plain TCP with the device's rtt."""

    def __init__(self, rtt: Rtt) -> None:
        self.rtt = rtt

    async def create_server(
        self, factory: Callable[[str, int], asyncio.Protocol], host: str, port: int
    ) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_server(
            lambda: _Delayed(factory("", 0), self.rtt), host, port, reuse_address=True
        )
