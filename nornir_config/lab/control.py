"""The background lab's control socket: status, faults and stop, one JSON line each way."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

from nornir_config.lab.server import Lab


async def serve_control(lab: Lab, path: Path, stopped: asyncio.Event) -> asyncio.AbstractServer:
    """Answer `{"op": "status"|"faults"|"clear_faults"|"stop", ...}` on a Unix socket."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = json.loads(await reader.readline())
            reply = await _dispatch(lab, request, stopped)
        except Exception as exc:  # the client gets the error, the lab keeps running
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        writer.write((json.dumps(reply) + "\n").encode())
        await writer.drain()
        writer.close()

    path.unlink(missing_ok=True)
    return await asyncio.start_unix_server(handle, path=str(path))


async def _dispatch(lab: Lab, request: dict[str, Any], stopped: asyncio.Event) -> dict[str, Any]:
    op = request.get("op")
    if op == "status":
        return {"ok": True, **lab.status()}
    if op == "faults":
        names = await lab.set_faults(request.get("device", "*"), **request.get("faults", {}))
        return {"ok": True, "devices": names}
    if op == "clear_faults":
        return {"ok": True, "devices": await lab.clear_faults(request.get("device", "*"))}
    if op == "stop":
        stopped.set()
        return {"ok": True}
    return {"ok": False, "error": f"unknown op {op!r}"}


def control_request(path: Path, request: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
    """Send one request to a running lab (blocking); raises OSError when none answers."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    reply: dict[str, Any] = json.loads(data)
    return reply
