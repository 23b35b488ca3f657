"""One device session during a push: open, read, reopen after a drop, name the failure."""

from __future__ import annotations

import re
import time
from typing import Any

from netmiko.exceptions import ConfigInvalidException
from nornir.core.task import Task

from nornir_config.connection import TIMEOUTS, get_running_config, netmiko_connection
from nornir_config.platforms.base import Platform
from nornir_config.push.transfer import TransferError, deliver_file, type_texts
from nornir_config.push.transfer import save as save_running

NETMIKO = "netmiko"
NAPALM = "napalm"


def netmiko_session(task: Task) -> Any:
    """The host's Netmiko connection (opened on first use)."""
    return netmiko_connection(task)


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


def send_config(conn: Any, commands: list[str], platform: Platform) -> str:
    """Send config lines (stopping at the first one the device refuses) and leave config mode.

    A multi-line command (a banner) goes last, written whole and read up to the next config
    prompt: a device may answer its first line with a question ("Enter TEXT message"),
    not the echo that Netmiko's command check waits for (and Netmiko's own banner bypass misses
    multi-line commands).
    """
    pattern = platform.commands.error_pattern
    lines = [c for c in commands if "\n" not in c]
    texts = [c for c in commands if "\n" in c]
    output = str(
        conn.send_config_set(
            lines,
            error_pattern=pattern,
            read_timeout=TIMEOUTS["timeout"],
            cmd_verify=True,
            exit_config_mode=not texts,
        )
    )
    for text in texts:
        conn.write_channel(conn.normalize_cmd(text))
        answer = str(
            conn.read_until_pattern(
                pattern=platform.commands.config_prompt, read_timeout=TIMEOUTS["timeout"]
            )
        )
        output += answer
        if re.search(pattern, answer, flags=re.M):
            raise ConfigInvalidException(f"Invalid input detected at command: {text}")
    if texts:
        output += str(conn.exit_config_mode())
    if any(c.startswith("hostname ") for c in commands):
        conn.set_base_prompt()  # the prompt now shows the new hostname: learn it again
    return output


def deliver(conn: Any, commands: list[str], platform: Platform) -> str:
    """Apply a remediation in a few round trips: single lines as one file copied into the
    running config (where the platform can), multi-line commands typed after it.

    When the file cannot be written (no Tcl, flash full, characters Tcl would change)
    nothing has changed yet, and every line is typed instead.
    """
    settings = platform.file_delivery
    lines = [c for c in commands if "\n" not in c]
    texts = [c for c in commands if "\n" in c]
    if settings is None:
        return _typed(conn, commands, platform)
    output = ""
    if lines:
        try:
            output = deliver_file(conn, platform, lines)
        except TransferError:
            return _typed(conn, commands, platform)
    if texts:
        output += type_texts(conn, settings, texts, platform.commands.error_pattern)
    return output


def _typed(conn: Any, commands: list[str], platform: Platform) -> str:
    output = send_config(conn, commands, platform)
    conn.set_base_prompt()  # a hostname change shows in the prompt
    return output


def save(conn: Any, platform: Platform) -> None:
    """Save the running config in one round trip, as the driver says."""
    save_running(conn, platform.commands)
