"""The secrets sweep for any vendor's office: every file a run wrote under build/ (except
build/intended/, 0600 by design), the backup repository's whole git history and any other
text given, searched for the test secrets in clear and for the secret tokens the devices hold
(Huawei `$1a$`/`%^%#` ciphers, Comware `$c$3$` ciphers and `$h$6$` hashes)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from tests.conftest import TEST_SECRETS

DEVICE_TOKENS = re.compile(r"\$1a\$\S+|%\^%#\S+?%\^%#|\$c\$3\$\S+|\$h\$6\$\S+")


def device_tokens(texts: Iterable[str]) -> set[str]:
    """The secret tokens in device or intended configs (what no output may repeat)."""
    return {m.group(0) for text in texts for m in DEVICE_TOKENS.finditer(text)}


def leaks(build: Path, tokens: set[str], extra: Mapping[str, str] | None = None) -> list[str]:
    """Where a test secret or a device token shows up; [] when nowhere."""
    texts = dict(extra or {})
    for path in build.rglob("*"):
        parts = path.relative_to(build).parts
        if path.is_file() and parts[:1] != ("intended",) and ".git" not in parts:
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    if (build / "backups" / ".git").is_dir():
        texts["backup history"] = subprocess.run(
            ["git", "-C", str(build / "backups"), "log", "-p", "--all"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    needles = {*TEST_SECRETS.values(), *tokens}
    return [
        f"{where}: {needle[:6]}..."
        for where, text in texts.items()
        for needle in needles
        if needle in text
    ]
