"""SFTP (and SCP, which asyncssh serves through SFTP) onto a device's in-memory `flash:`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncssh

from nornir_config.lab.flash import FILE_SYSTEMS, FlashFullError
from nornir_config.platforms.base import LabDevice


class _Handle:
    def __init__(self, name: str, data: bytes, writable: bool) -> None:
        self.name = name
        self.data = bytearray(data)
        self.writable = writable
        self.dirty = False


def _handle(obj: object) -> _Handle:
    assert isinstance(obj, _Handle)
    return obj


class FlashSFTPServer(asyncssh.SFTPServer):
    """Paths `flash:/x`, `/x` and `x` all name flash file `x`; there are no sub-directories."""

    def __init__(self, chan: Any, device: LabDevice) -> None:
        super().__init__(chan)
        self.device = device

    def _name(self, path: bytes) -> str:
        text = path.decode("utf-8", "replace")
        if text.lstrip("/").startswith(FILE_SYSTEMS):  # `cd flash:` arrives as `/flash:`
            text = text.lstrip("/")
        name = self.device.flash.name_of(text)
        if name is None:
            raise asyncssh.SFTPNoSuchFile(f"{text}: no such file system")
        return name.strip("/") if name not in (".", "") else ""

    def _attrs(self, name: str) -> asyncssh.SFTPAttrs:
        if not name:
            return asyncssh.SFTPAttrs(
                type=asyncssh.FILEXFER_TYPE_DIRECTORY,
                permissions=0o040755,
                size=0,
                mtime=int(time.time()),
            )
        file = self.device.flash.files.get(name)
        if file is None:
            raise asyncssh.SFTPNoSuchFile(f"flash:/{name}: no such file")
        return asyncssh.SFTPAttrs(
            type=asyncssh.FILEXFER_TYPE_REGULAR,
            permissions=0o100644,
            size=len(file.data),
            mtime=int(file.mtime),
            atime=int(file.mtime),
        )

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> _Handle:
        name = self._name(path)
        writable = bool(pflags & asyncssh.FXF_WRITE)
        existing = self.device.flash.read(name)
        if not writable and existing is None:
            raise asyncssh.SFTPNoSuchFile(f"flash:/{name}: no such file")
        if writable and self.device.flash.full:
            raise asyncssh.SFTPFailure("No space left on device")
        start = b"" if writable and (pflags & asyncssh.FXF_TRUNC or existing is None) else existing
        handle = _Handle(name, start or b"", writable)
        handle.dirty = writable
        return handle

    def read(self, obj: object, offset: int, size: int) -> bytes:
        file_obj = _handle(obj)
        return bytes(file_obj.data[offset : offset + size])

    def write(self, obj: object, offset: int, data: bytes) -> int:
        file_obj = _handle(obj)
        if self.device.flash.free() < offset + len(data) - len(file_obj.data):
            raise asyncssh.SFTPFailure("No space left on device")
        if offset > len(file_obj.data):
            file_obj.data.extend(b"\0" * (offset - len(file_obj.data)))
        file_obj.data[offset : offset + len(data)] = data
        file_obj.dirty = True
        return len(data)

    def close(self, obj: object) -> None:
        file_obj = _handle(obj)
        if file_obj.writable and file_obj.dirty:
            try:
                self.device.flash.write(file_obj.name, bytes(file_obj.data))
            except FlashFullError as exc:
                raise asyncssh.SFTPFailure("No space left on device") from exc

    def stat(self, path: bytes) -> asyncssh.SFTPAttrs:
        return self._attrs(self._name(path))

    def lstat(self, path: bytes) -> asyncssh.SFTPAttrs:
        return self._attrs(self._name(path))

    def fstat(self, obj: object) -> asyncssh.SFTPAttrs:
        return asyncssh.SFTPAttrs(
            type=asyncssh.FILEXFER_TYPE_REGULAR, permissions=0o100644, size=len(_handle(obj).data)
        )

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._attrs(self._name(path))

    def fsetstat(self, obj: object, attrs: asyncssh.SFTPAttrs) -> None:
        return None

    async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
        if self._name(path):
            raise asyncssh.SFTPNoSuchFile("not a directory")
        for name in (".", ".."):
            yield asyncssh.SFTPName(name.encode(), attrs=self._attrs(""))
        for name in list(self.device.flash.files):
            yield asyncssh.SFTPName(name.encode(), attrs=self._attrs(name))

    def remove(self, path: bytes) -> None:
        if not self.device.flash.delete(self._name(path)):
            raise asyncssh.SFTPNoSuchFile("no such file")

    def rename(self, oldpath: bytes, newpath: bytes) -> None:
        old, new = self._name(oldpath), self._name(newpath)
        if old not in self.device.flash.files:
            raise asyncssh.SFTPNoSuchFile("no such file")
        self.device.flash.rename(old, new)

    posix_rename = rename

    def realpath(self, path: bytes) -> bytes:
        name = self._name(path) if path not in (b"", b".") else ""
        return b"/" + name.encode()

    def exit(self) -> None:
        """End the session with exit status 0: OpenSSH 9's `scp` (SFTP mode) fails without it."""
        with contextlib.suppress(OSError, asyncssh.Error):
            self.channel.exit(0)

    def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        raise asyncssh.SFTPOpUnsupported("flash: has no directories in the lab")
