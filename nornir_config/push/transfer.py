"""A remediation in a constant number of round trips, whatever its length.

The lines go to the device as one file, written on the session itself in one write (as
NAPALM's `inline_transfer` does: a second channel for SCP would cost a second login on a
device that serves one per connection). The device applies the file with one copy into its
running config; the copy goes on past a refused line, printing an error under it, and those
lines are named from the output. The commands and answers are the driver's (`file_delivery`
and `commands`); a driver without `file_delivery` has its lines typed.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from netmiko.exceptions import ConfigInvalidException

from nornir_config.connection import TIMEOUTS
from nornir_config.platforms.base import Commands, FileDelivery, Platform

CARET = re.compile(r"^\s*\^\s*$")


class TransferError(Exception):
    """The file could not be put on the device; nothing was changed."""


def file_text(commands: list[str], end: str) -> str:
    """The file a remediation becomes: one command per line, indented by section."""
    return "".join(f"{command}\n" for command in commands) + f"{end}\n"


def exec_prompt(conn: Any) -> str:
    """The regex of the session's exec prompt at the end of the output read so far."""
    return rf"{re.escape(conn.base_prompt)}[^\s()#>]*[>#]\s*$"


def upload(conn: Any, settings: FileDelivery, text: str) -> None:
    """Write `text` to the delivery file in one go: every line is sent before any answer
    is read, so the transfer costs one round trip."""
    if re.search(settings.unquotable, text):
        raise TransferError("the change holds characters Tcl would not keep as they are")
    lines = [str(part).format(path=settings.path, text=text) for part in settings.write]
    conn.write_channel(conn.RETURN.join(lines) + conn.RETURN)
    output = str(
        conn.read_until_pattern(pattern=exec_prompt(conn), read_timeout=TIMEOUTS["timeout"])
    )
    if re.search(settings.write_failed, output):
        raise TransferError(f"file not written: {_failure(output)}")


def apply_file(conn: Any, settings: FileDelivery, pattern: str, size: int) -> str:
    """Copy the uploaded file into the running config; raise naming every refused line.

    The prompt after the copy is the device's new one (a hostname change takes effect
    during the copy): then the session learns its new base prompt.
    """
    end = rf"(?:{settings.done}|{settings.failed})[^\n]*\n[^\n]*[>#]"
    output = str(
        conn.send_command(
            settings.apply.format(path=settings.path),
            expect_string=rf"{settings.question}|{end}",
            strip_prompt=False,
            read_timeout=TIMEOUTS["timeout"],
        )
    )
    if re.search(settings.question, output):
        conn.write_channel(conn.RETURN)
        output += str(
            conn.read_until_pattern(pattern=end, read_timeout=TIMEOUTS["timeout"], re_flags=re.M)
        )
    if not output.rstrip().splitlines()[-1].strip().startswith(conn.base_prompt):
        conn.set_base_prompt()  # the hostname changed
    done = re.search(settings.copied, output)
    if not done:
        raise ConfigInvalidException(f"copy into the running config failed: {_failure(output)}")
    refused = refused_lines(output, pattern)
    if refused:
        more = f" and {len(refused) - 1} more" if len(refused) > 1 else ""
        raise ConfigInvalidException(f"invalid input at {refused[0]!r}{more}: {refused}")
    if int(done.group(1)) < size:
        raise ConfigInvalidException(f"only {done.group(1)} of {size} bytes reached the device")
    return output


def refused_lines(output: str, pattern: str) -> list[str]:
    """The commands the device printed with an error under them (caret lines skipped)."""
    lines = output.splitlines()
    refused: list[str] = []
    for index, line in enumerate(lines):
        if not re.search(pattern, line):
            continue
        before = [ln for ln in lines[:index] if ln.strip() and not CARET.match(ln)]
        culprit = before[-1].strip() if before else ""
        refused.append(culprit if culprit and not re.search(pattern, culprit) else "(unnamed)")
    return refused


def remove_file(conn: Any, settings: FileDelivery) -> None:
    """Delete the delivery file (it holds the change, secrets included)."""
    conn.send_command(
        settings.delete.format(path=settings.path),
        read_timeout=TIMEOUTS["timeout"],
        auto_find_prompt=False,
    )


def deliver_file(conn: Any, platform: Platform, lines: list[str]) -> str:
    """Upload, apply and delete; TransferError (nothing changed) if the upload fails."""
    settings = platform.file_delivery
    assert settings is not None
    pattern = platform.commands.error_pattern
    text = file_text(lines, platform.layout.end)
    upload(conn, settings, text)
    try:
        output = apply_file(conn, settings, pattern, len(text.encode()))
    except Exception:
        with contextlib.suppress(Exception):  # the session may be gone: the error says why
            remove_file(conn, settings)
        raise
    remove_file(conn, settings)
    return output


def type_texts(conn: Any, settings: FileDelivery, texts: list[str], pattern: str) -> str:
    """Type multi-line commands (banners) in config mode, all in one write, then read the
    answers up to the exec prompt; raise naming the first one refused."""
    body = conn.RETURN.join(texts)
    lines = [str(part).format(text=body) for part in settings.type]
    conn.write_channel(conn.normalize_cmd(conn.RETURN.join(lines)))
    output = str(
        conn.read_until_pattern(pattern=exec_prompt(conn), read_timeout=TIMEOUTS["timeout"])
    )
    refused = refused_lines(output, pattern)
    if refused:
        raise ConfigInvalidException(f"invalid input at {refused[0]!r}: {refused}")
    return output


def save(conn: Any, commands: Commands) -> None:
    """Save the running config in one round trip (Netmiko's own save first checks the mode);
    a save that asks for confirmation gets the driver's answer."""
    done = rf"{commands.saved}[\s\S]*{exec_prompt(conn)}"
    expect = f"{commands.save_confirm}|{done}" if commands.save_confirm else done
    output = str(
        conn.send_command(commands.save, expect_string=expect, read_timeout=TIMEOUTS["timeout"])
    )
    if commands.save_confirm and re.search(commands.save_confirm, output):
        conn.write_channel(commands.save_answer + conn.RETURN)
        output += str(conn.read_until_pattern(pattern=done, read_timeout=TIMEOUTS["timeout"]))
    if not re.search(commands.saved, output):
        raise ConfigInvalidException(f"saving failed: {_failure(output)}")


def _failure(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return lines[-2] if len(lines) > 1 else (lines[0] if lines else "no answer")
