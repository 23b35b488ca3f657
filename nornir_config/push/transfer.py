"""A remediation in a constant number of round trips, whatever its length.

The lines go to the device as one file, by SCP over the session's own SSH connection (a new
channel, no new login), and the device applies them with one `copy <file> running-config`, as
NAPALM's IOS merge does. The copy goes on past a refused line, printing it with `% Invalid
input`; those lines are named from the output. The commands and answers are the platform's
(`file_delivery` in platforms/<platform>/push.yaml).
"""

from __future__ import annotations

import io
import re
from typing import Any

from netmiko.exceptions import ConfigInvalidException
from scp import SCPClient

from nornir_config.connection import TIMEOUTS
from nornir_config.platforms import platform_data

CARET = re.compile(r"^\s*\^\s*$")


class TransferError(Exception):
    """The file could not be put on the device; nothing was changed."""


def delivery(platform: str) -> dict[str, str] | None:
    """The platform's file delivery settings; None when it has none (lines are typed)."""
    data = platform_data(platform, "push").get("file_delivery")
    return dict(data) if data else None


def file_text(commands: list[str]) -> str:
    """The file a remediation becomes: one command per line, indented by section."""
    return "".join(f"{command}\n" for command in commands) + "end\n"


def upload(conn: Any, path: str, text: str) -> None:
    """Put `text` at `path` (e.g. `flash:x.cfg`) over SCP on the session's transport."""
    data = text.encode("utf-8")
    try:
        with SCPClient(conn.remote_conn.get_transport(), socket_timeout=TIMEOUTS["timeout"]) as scp:
            scp.putfo(io.BytesIO(data), path, size=len(data))
    except Exception as exc:  # SCP disabled, flash full, channel refused: nothing applied
        raise TransferError(f"{type(exc).__name__}: {exc}") from exc


def apply_file(conn: Any, settings: dict[str, str], pattern: str) -> str:
    """Copy the uploaded file into the running config; raise naming every refused line.

    The prompt after the copy is the device's new one (a hostname change takes effect
    during the copy), so the session's base prompt is set from it.
    """
    path = settings["path"]
    end = rf"(?:{settings['done']}|{settings['failed']})[^\n]*\n[^\n]*[>#]"
    output = str(
        conn.send_command(
            settings["apply"].format(path=path),
            expect_string=rf"{settings['question']}|{end}",
            strip_prompt=False,
            read_timeout=TIMEOUTS["timeout"],
        )
    )
    if re.search(settings["question"], output):
        conn.write_channel(conn.RETURN)
        output += str(
            conn.read_until_pattern(pattern=end, read_timeout=TIMEOUTS["timeout"], re_flags=re.M)
        )
    last = output.rstrip().splitlines()[-1].strip()
    conn.base_prompt = last[:-1]
    if not re.search(settings["done"], output):
        raise ConfigInvalidException(f"copy into the running config failed: {_failure(output)}")
    refused = refused_lines(output, pattern)
    if refused:
        more = f" and {len(refused) - 1} more" if len(refused) > 1 else ""
        raise ConfigInvalidException(f"device refused: {refused[0]!r}{more} ({refused})")
    return output


def refused_lines(output: str, pattern: str) -> list[str]:
    """The commands the device printed with an error under them (caret lines skipped)."""
    lines = output.splitlines()
    refused: list[str] = []
    for index, line in enumerate(lines):
        if not re.search(pattern, line):
            continue
        before = [ln for ln in lines[:index] if ln.strip() and not CARET.match(ln)]
        culprit = before[-1].strip() if before else "(unnamed line)"
        if re.search(pattern, culprit):
            culprit = "(unnamed line)"
        refused.append(culprit)
    return refused


def remove_file(conn: Any, settings: dict[str, str]) -> None:
    """Delete the uploaded file (it holds the change, secrets included)."""
    conn.send_command(
        settings["delete"].format(path=settings["path"]), read_timeout=TIMEOUTS["timeout"]
    )


def _failure(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return lines[-2] if len(lines) > 1 else (lines[0] if lines else "no answer")
