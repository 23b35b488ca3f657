"""A device's `flash:` file system, in memory: what `dir`, `copy`, SCP and SFTP read and write."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

FLASH_TOTAL = 3_207_167_000
FLASH_USED_BY_IMAGE = 354_217_984
FILE_SYSTEMS = ("flash:", "bootflash:")


CONFIG_FILES = ("running-config", "startup-config")


def config_file_name(word: str) -> str:
    """`run`, `start`, `startup-conf` -> the config file they abbreviate (as `copy` takes them);
    anything else (`flash:x`, `nvram:startup-config`) unchanged."""
    lowered = word.lower()
    hits = [name for name in CONFIG_FILES if len(lowered) >= 3 and name.startswith(lowered)]
    return hits[0] if len(hits) == 1 else word


class FlashFullError(Exception):
    """No space left on flash: (the `flash_full` fault, or a real overflow)."""


@dataclass
class FlashFile:
    data: bytes
    mtime: float
    index: int


@dataclass
class Flash:
    files: dict[str, FlashFile] = field(default_factory=dict)
    full: bool = False
    _next_index: int = 16

    @staticmethod
    def name_of(path: str) -> str | None:
        """`flash:/x`, `flash:x`, `bootflash:x`, `/x` -> `x`; None for other file systems."""
        m = re.fullmatch(r"(?:(flash:|bootflash:))?/?(.*)", path)
        if not m or (m.group(1) is None and ":" in path):
            return None
        return m.group(2)

    def used(self) -> int:
        return FLASH_USED_BY_IMAGE + sum(len(f.data) for f in self.files.values())

    def free(self) -> int:
        return 0 if self.full else FLASH_TOTAL - self.used()

    def read(self, name: str) -> bytes | None:
        file = self.files.get(name)
        return None if file is None else file.data

    def write(self, name: str, data: bytes) -> None:
        old = self.files.get(name)
        grow = len(data) - (len(old.data) if old else 0)
        if self.full or grow > self.free():
            raise FlashFullError(name)
        index = old.index if old else self._next_index
        if old is None:
            self._next_index += 1
        self.files[name] = FlashFile(data, time.time(), index)

    def delete(self, name: str) -> bool:
        return self.files.pop(name, None) is not None

    def rename(self, old: str, new: str) -> None:
        self.files[new] = self.files.pop(old)
