"""Nothing in the package, templates, playbooks or demo names a province: names, domain, banner,
time zone and labels come from hosts/. The bundled national list (sot/data/) and the national
scheme's table of all 34 codes are the only places a province code may appear."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

from tests.conftest import REPO

# Matched on the text with its diacritics dropped (NFD, marks removed, đ as d), so that
# "Thanh Hóa", "Thanh Hoá" (old accent placement), "THANH HÓA", "thanh-hoa" and "thanh_hoa" all hit.
FORBIDDEN = re.compile(r"thanh[\s_.-]*hoa|\b38\b|\b166\b", re.IGNORECASE)
SCANNED = ("nornir_config", "templates", "playbooks", "examples")
ALLOWED = ("nornir_config/sot/data",)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _text_of(root: Path, path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path == root / "nornir_config/sot/national.py":
        start = text.index("PROVINCE_ORDER: tuple[str, ...] = (")
        text = text[:start] + text[text.index(")  # fmt: skip", start) :]
    return text


def province_named(root: Path) -> list[str]:
    """Every line of the scanned folders under `root` that names a province."""
    hits = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*")):
            if not path.is_file() or path.suffix in (".pyc",) or "__pycache__" in path.parts:
                continue
            if any(path.is_relative_to(root / a) for a in ALLOWED):
                continue
            for number, line in enumerate(_text_of(root, path).splitlines(), start=1):
                if FORBIDDEN.search(_plain(line)):
                    hits.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return hits


def test_no_province_named_in_package_templates_or_demo() -> None:
    assert province_named(REPO) == []


def test_the_check_catches_a_province() -> None:
    for spelled in ("Tỉnh Thanh Hóa", "THANH HOÁ", "thanh-hoa", "thanhhoa.gov.vn", "THANH_HOA"):
        assert FORBIDDEN.search(_plain(f"province: {{vi: {spelled}}}")), spelled
    assert FORBIDDEN.search(_plain(unicodedata.normalize("NFD", "Thanh Hóa")))
    assert FORBIDDEN.search("ntp server 10.38.2.123") and FORBIDDEN.search("the 166 communes")
    assert not FORBIDDEN.search(_plain("10.138.2.123 1660 380 Thành Vinh Hòa Bình"))


def test_the_scan_fails_on_a_province_in_a_template_or_the_package(tmp_path: Path) -> None:
    """The scan itself, on a copy: a province in a partial, in a report's messages or in a
    playbook is found; the national list may name every province."""
    for folder in SCANNED:
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.pyc"))
    assert province_named(tmp_path) == []
    edits = {
        "templates/cisco_ios/partials/banner.j2": "! Thanh Hoá\n",
        "nornir_config/reports/messages.yaml": "title: {vi: Tỉnh THANH HÓA}\n",
        "playbooks/audit.yaml": "# 166 communes\n",
    }
    for name, line in edits.items():
        path = tmp_path / name
        path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")
    assert {hit.split(":")[0] for hit in province_named(tmp_path)} == set(edits)
