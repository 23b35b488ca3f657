"""One device session during a push: open, read, reopen after a drop, name the failure."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from netmiko.exceptions import ConfigInvalidException
from nornir.core.task import Task

from nornir_config.connection import (
    TIMEOUTS,
    get_running_config,
    open_netmiko,
    read_until,
    shown_config,
)
from nornir_config.platforms.base import Platform
from nornir_config.push.transfer import (
    Delivered,
    TransferError,
    deliver_file,
    file_text,
    type_texts,
    upload_lines,
)
from nornir_config.push.transfer import save as save_running
from nornir_config.secrets import load_secrets, reveal
from nornir_config.settings import run_settings

NETMIKO = "netmiko"
NAPALM = "napalm"


def read_running(task: Task) -> str:
    """The running config, through the shared `get_running_config` task (a session opened
    for it reads it in the same round trip as its setup: read before asking for the session)."""
    return str(get_running_config(task).result)


def reopen(task: Task, attempts: int = 3, pause: float = 1.0) -> Any:
    """A fresh Netmiko session after a drop: the old one is closed and forgotten first."""
    last: Exception | None = None
    for attempt in range(attempts):
        close(task, NETMIKO)
        try:
            return open_netmiko(task.host, task.nornir.config)
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
    # A Netmiko driver that cannot check echoes reads for 2 s after each line
    # when given an error pattern: send the lines in one go and look for a refusal after.
    verified = getattr(conn, "global_cmd_verify", None) is not False
    output = enter_config(conn, platform)
    output += str(
        conn.send_config_set(
            lines,
            error_pattern=pattern if verified else "",
            read_timeout=TIMEOUTS["timeout"],
            cmd_verify=True,
            # after each echo Netmiko reads up to its base prompt or this: a rename's new
            # prompt holds no base prompt (and Netmiko's default `#` ends no bracketed prompt)
            terminator=platform.commands.config_prompt,
            enter_config_mode=False,
            exit_config_mode=False,
        )
    )
    refused = None if verified else re.search(pattern, output, flags=re.M)
    if refused is not None:
        raise ConfigInvalidException(f"Invalid input detected: {refused.group(0).strip()}")
    for text in texts:
        conn.write_channel(conn.normalize_cmd(text))
        answer = read_until(conn, platform.commands.config_prompt)
        output += answer
        if re.search(pattern, answer, flags=re.M):
            raise ConfigInvalidException(f"Invalid input detected at command: {text}")
    output += exit_config(conn, platform)
    if any(c.startswith(platform.commands.rename) for c in commands):
        conn.set_base_prompt()  # the prompt now shows the new hostname: learn it again
    return output


def enter_config(conn: Any, platform: Platform) -> str:
    """Enter config mode, read up to the config prompt.

    Netmiko's own `config_mode`/`exit_config_mode` first ask `check_config_mode`, which on
    some of its drivers (4.x) drops its read pattern and waits for 2 s of silence, however
    fast the device answers (the device prints its config prompt at once: netmiko issue
    #972's log), twice per entry and twice per exit (netmiko issues #3062, #3552). The
    prompt says enough.
    """
    conn.write_channel(conn.normalize_cmd(platform.commands.enter_config))
    return str(
        conn.read_until_pattern(
            pattern=platform.commands.config_prompt, read_timeout=TIMEOUTS["timeout"]
        )
    )


def exit_config(conn: Any, platform: Platform) -> str:
    """Leave config mode, read up to the exec prompt (`host#`, `<host>`: no `(` or `[`)."""
    conn.write_channel(conn.normalize_cmd(platform.commands.exit_config))
    exec_prompt = rf"^[^\n(\[]*{platform.commands.prompt_end}\s*$"
    return str(
        conn.read_until_pattern(
            pattern=exec_prompt, read_timeout=TIMEOUTS["timeout"], re_flags=re.M
        )
    )


def upload_ahead(commands: list[str], platform: Platform) -> list[str]:
    """The lines that upload a remediation's file, to type in an earlier write than the copy
    that applies it (then `deliver(..., uploaded=)`); none where its lines are typed."""
    settings = platform.file_delivery
    lines = [c for c in _revealed(commands) if "\n" not in c]
    if settings is None or not lines:
        return []
    try:
        return upload_lines(settings, file_text(lines, platform.layout.end))
    except TransferError:
        return []


def deliver(
    conn: Any,
    commands: list[str],
    platform: Platform,
    save: bool = True,
    uploaded: str | None = None,
) -> Delivered:
    """Apply a remediation and read the running config back (saved first when `save`), in a
    few round trips whatever its length: single lines as one file copied into the running
    config (where the platform can), then in the same write as the copy the file's deletion,
    the multi-line commands, the save and the read. `uploaded`: the device's answer to
    `upload_ahead`'s lines, typed in an earlier write (the file is not written again).

    When the file cannot be written (no Tcl, flash full, characters Tcl would change)
    nothing has changed yet, and every line is typed instead.
    """
    commands = _revealed(commands)
    settings = platform.file_delivery
    lines = [c for c in commands if "\n" not in c]
    texts = [c for c in commands if "\n" in c]
    output = ""
    if settings is not None and lines:
        try:
            return deliver_file(conn, platform, lines, texts, save, uploaded)
        except TransferError:
            output = _typed(conn, commands, platform)
    elif settings is not None and texts:
        output = type_texts(conn, settings, texts, platform.commands.error_pattern, first=[])
    elif commands:
        output = _typed(conn, commands, platform)
    return Delivered(output, save_and_read(conn, platform) if save else read_config(conn, platform))


def _revealed(commands: list[str]) -> list[str]:
    """The commands as sent: a secret the intended config names (`<secret:NAME>`) in clear,
    read from the secrets store only here (reports keep the reference)."""
    if not any("<secret:" in c for c in commands):
        return commands
    secrets = load_secrets(root=run_settings().root)
    return [reveal(c, secrets) for c in commands]


def revealed(text: str) -> str:
    """A file for the device (a replace candidate) with its named secrets in clear."""
    return "\n".join(_revealed([text]))


def _typed(conn: Any, commands: list[str], platform: Platform) -> str:
    output = send_config(conn, commands, platform)
    conn.set_base_prompt()  # a hostname change shows in the prompt
    return output


def read_config(conn: Any, platform: Platform) -> str:
    """The running config read on an open session, without saving it."""
    text = conn.send_command(platform.commands.show_config, read_timeout=TIMEOUTS["timeout"])
    return shown_config(str(text), platform.commands)


def save_and_read(conn: Any, platform: Platform, first: Sequence[str] = ()) -> str:
    """Save, then read the running config back, both in one write (the read checks what
    was saved); `first`: exec commands typed before the save in the same write (a refused
    one fails it, nothing saved)."""
    text = save_running(conn, platform.commands, then=platform.commands.show_config, first=first)
    assert text is not None
    return shown_config(text, platform.commands)
