"""One device session during a push: open, read, reopen after a drop, name the failure."""

from __future__ import annotations

import time
from typing import Any

from nornir.core.task import Task

from nornir_config.connection import TIMEOUTS, get_running_config

NETMIKO = "netmiko"
NAPALM = "napalm"


def netmiko_session(task: Task) -> Any:
    """The host's Netmiko connection (opened on first use)."""
    return task.host.get_connection(NETMIKO, task.nornir.config)


def read_running(task: Task) -> str:
    """The running config, through the shared `get_running_config` task."""
    return str(get_running_config(task).result)


def reopen(task: Task, attempts: int = 3, pause: float = 1.0) -> Any:
    """A fresh Netmiko session after a drop: the old one is closed and forgotten first."""
    last: Exception | None = None
    for attempt in range(attempts):
        close(task, NETMIKO)
        try:
            return netmiko_session(task)
        except Exception as exc:  # any connect failure: retry, then give up
            last = exc
            time.sleep(pause * (attempt + 1))
    assert last is not None
    raise last


def close(task: Task, connection: str) -> None:
    """Close a connection if open, ignoring a session that is already gone."""
    if connection in task.host.connections:
        try:
            task.host.close_connection(connection)
        except Exception:  # a dead session cannot be closed cleanly
            task.host.connections.pop(connection, None)


def why(exc: BaseException) -> str:
    """A one-line reason for a failure, without tracebacks (and never a password)."""
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    if "known_hosts" in text or "Host key for server" in text or name == "BadHostKeyException":
        if name == "BadHostKeyException" or "does not match" in text:
            return "host key changed: refused (fix known_hosts only if the change is expected)"
        return "unknown host key: refused (rerun with --accept-new-host-keys to trust it)"
    if "Authentication" in name or "uthentication fail" in text:
        return "authentication failed"
    if isinstance(exc, ConnectionRefusedError) or "refused" in text.lower():
        return "connection refused"
    return f"{name}: {text[:300]}" if text else name


def send_config(conn: Any, commands: list[str], pattern: str) -> str:
    """Send config lines (stopping at the first one the device refuses) and leave config mode."""
    return str(
        conn.send_config_set(
            commands,
            error_pattern=pattern,
            read_timeout=TIMEOUTS["timeout"],
            cmd_verify=True,
        )
    )
