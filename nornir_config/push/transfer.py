"""A remediation in a constant number of round trips, whatever its length.

The lines go to the device as one file, written on the session itself in one write (as
NAPALM's `inline_transfer` does: a second channel for SCP would cost a second login on a
device that serves one per connection). The device applies the file with one copy into its
running config; the copy goes on past a refused line, printing an error under it, and those
lines are named from the output. The copy (its question answered typed ahead), the file's
deletion, the multi-line commands (banners), the save and the re-read go in one write: two
round trips with the upload. A refused line is still named, and the change then rolled back
(saved back as before), as one found by the re-read is. The commands and answers are the
driver's (`file_delivery` and `commands`); a driver without `file_delivery` has its lines typed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from netmiko.exceptions import ConfigInvalidException

from nornir_config.connection import (
    command_output,
    learn_prompt,
    read_through,
    read_until,
    send_lines,
    shown_config,
    write_lines,
)
from nornir_config.platforms.base import Commands, FileDelivery, Platform

CARET = re.compile(r"^\s*\^\s*$")


class TransferError(Exception):
    """The file could not be put on the device; nothing was changed."""


def file_text(commands: list[str], end: str) -> str:
    """The file a remediation becomes: one command per line, indented by section."""
    return "".join(f"{command}\n" for command in commands) + f"{end}\n"


def upload(conn: Any, settings: FileDelivery, text: str) -> None:
    """Write `text` to the delivery file in one go: every line is sent before any answer
    is read, so the transfer costs one round trip."""
    check_upload(settings, send_lines(conn, upload_lines(settings, text)))


def upload_lines(settings: FileDelivery, text: str) -> list[str]:
    """The lines that write `text` to the delivery file; TransferError where Tcl would not
    keep it as it is."""
    if re.search(settings.unquotable, text):
        raise TransferError("the change holds characters Tcl would not keep as they are")
    return [str(part).format(path=settings.path, text=text) for part in settings.write]


def check_upload(settings: FileDelivery, output: str) -> None:
    """TransferError unless the device's answer to `upload_lines` says the file is written."""
    if re.search(settings.write_failed, output):
        raise TransferError(f"file not written: {_failure(output)}")


def apply_answer(conn: Any, settings: FileDelivery, pattern: str, size: int) -> str:
    """Read the device's answer to the copy of the uploaded file into the running config
    (typed already); raise naming every refused line.

    The prompt after the copy is the device's new one (a hostname change takes effect
    during the copy): then the session learns its new base prompt.
    """
    end = rf"(?:{settings.done}|{settings.failed})[^\n]*\n[^\n]*[>#]"
    output = read_until(conn, end, re.M)
    prompt = output.rstrip().splitlines()[-1].strip()
    if not prompt.startswith(conn.base_prompt):
        learn_prompt(conn, prompt)  # the hostname changed
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


def _delete(settings: FileDelivery) -> str:
    return settings.delete.format(path=settings.path)


def remove_file(conn: Any, settings: FileDelivery) -> None:
    """Delete the delivery file (it holds the change, secrets included)."""
    send_lines(conn, [_delete(settings)])


def remove_delivery_file(conn: Any, platform: Platform) -> None:
    """Delete a delivery file an earlier session could not (dropped mid-change, killed run);
    nothing to do where the platform has no file delivery or there is no file."""
    if platform.file_delivery is not None:
        remove_file(conn, platform.file_delivery)


class Delivered(NamedTuple):
    output: str  # the device's answers to the change
    running: str  # the running config read back after it


def deliver_file(
    conn: Any,
    platform: Platform,
    lines: list[str],
    texts: list[str],
    save: bool,
    uploaded: str | None = None,
) -> Delivered:
    """Upload, then in one write: apply, delete the file, type `texts` (multi-line commands),
    save when `save`, and read the running config back; TransferError (nothing changed) if
    the upload fails. A refused line, a refused text or a failed save raises, naming it.
    `uploaded`: the device's answer to the upload's lines typed in an earlier write.

    The file is deleted on every path (a failed or half-written upload included); when the
    session is gone the rollback's fresh session, or `communelan recover`, deletes it."""
    settings = platform.file_delivery
    assert settings is not None
    commands = platform.commands
    pattern = commands.error_pattern
    text = file_text(lines, platform.layout.end)
    try:
        if uploaded is None:
            upload(conn, settings, text)
        else:
            check_upload(settings, uploaded)
    except Exception:
        with contextlib.suppress(Exception):  # the session may be gone: the error says why
            remove_file(conn, settings)
        raise
    typed = typed_lines(conn, settings, texts)
    read = [*(save_lines(commands) if save else []), commands.show_config]
    # the copy's question answered ahead with its default (Enter), then the rest: the device
    # reads typed-ahead lines in order, each after the one before is done
    apply = settings.apply.format(path=settings.path)
    write_lines(conn, [apply, "", _delete(settings), *typed, *read])
    try:
        output = apply_answer(conn, settings, pattern, len(text.encode()))
    except Exception:
        with contextlib.suppress(Exception):  # the rest ran as well: read it all before going on
            read_through(conn, read[-1])
        raise
    rest = read_through(conn, read[-1])
    after = rest.index(read[0], rest.index(typed[-1]) + len(typed[-1])) if typed else 0
    if typed:
        _raise_if_refused(rest[rest.index(typed[0]) : after], pattern)
    if save:
        running = saved_answer(conn, commands, rest[after:], then=commands.show_config)
        assert running is not None
    else:
        running = command_output(conn, commands.show_config, rest[after:])
    return Delivered(output + rest, shown_config(running, commands))


def typed_lines(conn: Any, settings: FileDelivery, texts: list[str]) -> list[str]:
    """The lines that type multi-line commands (banners) in config mode (none without)."""
    body = conn.RETURN.join(texts)
    return [str(part).format(text=body) for part in settings.type] if texts else []


def _raise_if_refused(answers: str, pattern: str) -> None:
    refused = refused_lines(answers, pattern)
    if refused:
        raise ConfigInvalidException(f"invalid input at {refused[0]!r}: {refused}")


def type_texts(
    conn: Any, settings: FileDelivery, texts: list[str], pattern: str, first: list[str]
) -> str:
    """Type `first` (exec commands, unchecked) and multi-line commands (banners) in config
    mode, all in one write, then read the answers up to the exec prompt; raise naming the
    first text refused."""
    typed = typed_lines(conn, settings, texts)
    output = send_lines(conn, [*first, *typed])
    _raise_if_refused(output[output.index(typed[0]) :] if typed else "", pattern)
    return output


def save_lines(commands: Commands, then: str = "", first: Sequence[str] = ()) -> list[str]:
    """The lines of a save (the driver's answer to its question typed ahead), `first` before
    it and `then` after it."""
    answer = [commands.save_answer] if commands.save_confirm else []
    return [*first, commands.save, *answer, *([then] if then else [])]


def save(conn: Any, commands: Commands, then: str = "", first: Sequence[str] = ()) -> str | None:
    """Save the running config in one round trip (Netmiko's own save first checks the mode;
    a save that asks for confirmation gets the driver's answer, typed ahead), and with
    `then` send that command in the same write: its output (None without it). `first`:
    exec commands typed before the save in the same write; one the device refuses fails
    the save (the device does not undo the save itself: it comes after, so nothing that
    was refused is saved unchecked)."""
    output = send_lines(conn, save_lines(commands, then, first))
    return saved_answer(conn, commands, output, then, first)


def saved_answer(
    conn: Any, commands: Commands, output: str, then: str = "", first: Sequence[str] = ()
) -> str | None:
    """Check the device's answer to `save_lines`; `then`'s output (None without it)."""
    start = output.index(commands.save, output.index(first[-1]) + len(first[-1]) if first else 0)
    if first and re.search(commands.error_pattern, output[:start], flags=re.M):
        raise ConfigInvalidException(f"refused {first[0]!r}: {_failure(output[:start])}")
    output = output[start:]
    saved = output[: output.index(then, len(commands.save))] if then else output
    if not re.search(commands.saved, saved):
        raise ConfigInvalidException(f"saving failed: {_failure(saved)}")
    return command_output(conn, then, output[len(saved) :]) if then else None


def _failure(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return lines[-2] if len(lines) > 1 else (lines[0] if lines else "no answer")
