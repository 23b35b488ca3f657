"""Nothing in the package, templates or demo names a province: names, domain, banner, time zone
and labels come from hosts/. The bundled national list (sot/data/) and the national scheme's
table of all 34 codes are the only places a province code may appear."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO

FORBIDDEN = re.compile(r"thanh ?h[oó]a|\b38\b|\b166\b", re.IGNORECASE)
SCANNED = ("nornir_config", "templates")
ALLOWED = (REPO / "nornir_config/sot/data",)


def _text_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path == REPO / "nornir_config/sot/national.py":
        start = text.index("PROVINCE_ORDER: tuple[str, ...] = (")
        text = text[:start] + text[text.index(")  # fmt: skip", start) :]
    return text


def test_no_province_named_in_package_templates_or_demo() -> None:
    hits = []
    for folder in SCANNED:
        for path in sorted((REPO / folder).rglob("*")):
            if not path.is_file() or path.suffix in (".pyc",) or "__pycache__" in path.parts:
                continue
            if any(path.is_relative_to(a) for a in ALLOWED):
                continue
            for number, line in enumerate(_text_of(path).splitlines(), start=1):
                if FORBIDDEN.search(line):
                    hits.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert hits == []


def test_the_check_catches_a_province() -> None:
    assert FORBIDDEN.search("province: {vi: Tỉnh Thanh Hóa}")
    assert FORBIDDEN.search("ntp server 10.38.2.123") and FORBIDDEN.search("the 166 communes")
    assert not FORBIDDEN.search("10.138.2.123 1660 380")
