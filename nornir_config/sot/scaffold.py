"""Write hosts/ for one or more provinces from the national list (`communelan init`), and merge
a later list into it without renumbering anyone (`communelan init --add-from`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nornir_config.errors import InputError, Problem
from nornir_config.sot.national import (
    Unit,
    domain_of,
    hosts_name,
    province_block,
    read_units,
)
from nornir_config.sot.yamlfile import load_yaml

DATA = Path(__file__).with_name("data")
_PLAIN = re.compile(r"^[^\W\d][\w .'()-]*$")


def _scalar(text: str) -> str:
    """A YAML scalar for a name: plain when safe, else a JSON (double-quoted) string."""
    return (
        text
        if _PLAIN.match(text) and not text.endswith(" ")
        else json.dumps(text, ensure_ascii=False)
    )


def _services(code: str, indent: str) -> str:
    block = province_block(code)
    noc_a, noc_b = block.noc_networks
    a, b = noc_a.network_address, noc_b.network_address
    pairs = {
        "dns": 53,
        "ntp": 123,
        "syslog": 51,
        "snmp_managers": 161,
        "tacacs": 49,
    }
    lines = [f"{indent}services:"]
    for key, host in pairs.items():
        lines.append(f"{indent}  {key}: [{a + host}, {b + host}]")
        if key == "dns":
            lines.append(
                f"{indent}  # Resolvers for zones that reach only the Internet (guest Wi-Fi)."
            )
            lines.append(f"{indent}  public_dns: [203.162.4.191, 203.162.4.190]")
    lines.append(f"{indent}  camera_vms: {block.camera_vms}")
    lines.append(f"{indent}  noc_networks: [{noc_a}, {noc_b}]")
    return "\n".join(lines)


def _addressing(code: str, indent: str) -> str:
    block = province_block(code)
    return "\n".join(
        [
            f"{indent}addressing:",
            f"{indent}  # National scheme (sot/national.py): site N gets block N of /site_prefix.",
            f"{indent}  supernet: {block.supernet}",
            f"{indent}  site_prefix: {block.site_prefix}",
            f"{indent}  # A /30 per commune: .1 is the far end (VNPT CE / ISP), .2 ours.",
            f"{indent}  tslcd_p2p_pool: {block.tslcd_p2p_pool}",
            f"{indent}  internet_p2p_pool: {block.internet_p2p_pool}",
        ]
    )


def _province_section(codes: Sequence[str], names_by_code: dict[str, str]) -> str:
    if len(codes) == 1:
        code = codes[0]
        return "\n".join(
            [
                "province:",
                f"  name: {_scalar(names_by_code[code])}",
                f'  code: "{code}"',
                f"  domain: {domain_of(names_by_code[code])}",
                "",
                _addressing(code, ""),
                "",
                "# Central services in the province data centre, reached over TSLCD.",
                _services(code, ""),
            ]
        )
    lines = ["# Several provinces: each commune names its own with `province:`.", "provinces:"]
    for code in codes:
        lines += [
            f'  "{code}":',
            f"    name: {_scalar(names_by_code[code])}",
            f"    domain: {domain_of(names_by_code[code])}",
            _addressing(code, "    "),
            _services(code, "    "),
        ]
    return "\n".join(lines)


def _commune_entry(unit: Unit, site: int, several: bool) -> str:
    lines = [f'  - code: "{unit.code}"']
    if several:
        lines.append(f'    province: "{unit.province_code}"')
    lines += [
        f"    site: {site}",
        f"    kind: {unit.kind}",
        f"    name: {_scalar(unit.name)}",
        f"    short_name: {_scalar(unit.short_name)}",
    ]
    return "\n".join(lines) + "\n"


def _communes_text(units: Sequence[Unit], codes: Sequence[str], several: bool) -> str:
    head = [
        "# Commune offices (two-level government, from 1 July 2025), written by `communelan init`",
        "# from Công văn 1027/CTK-CSCL, Phụ lục I (nornir_config/sot/data/vn_communes_2025.csv).",
        "# Identity is the official 5-digit code. `site` is the stable address-plan slot: never",
        "# reuse or renumber it; `communelan init --add-from FILE.csv` gives new ones the next.",
        "# Per-commune overrides go under `overrides:` (same keys as `site:` in defaults.yaml).",
        "communes:",
    ]
    body: list[str] = []
    for code in codes:
        own = [u for u in units if u.province_code == code]
        body.extend(_commune_entry(u, site, several) for site, u in enumerate(own, start=1))
    return "\n".join(head) + "\n" + "".join(body)


def init_hosts(hosts_dir: Path, units: Sequence[Unit], codes: Sequence[str], force: bool) -> int:
    """Write hosts/ for provinces `codes`; returns the number of communes written."""
    if hosts_dir.exists() and any(hosts_dir.iterdir()) and not force:
        raise InputError.one(
            str(hosts_dir), "folder", "already exists", "pass --force to overwrite it"
        )
    names_by_code = {u.province_code: hosts_name(u.province) for u in units}
    several = len(codes) > 1
    defaults = (
        "# Defaults for every commune office LAN, written by `communelan init`. Every key under\n"
        "# `site:` can be overridden per group (groups.yaml) and per commune (communes.yaml).\n"
        + _province_section(codes, names_by_code)
        + "\n\n"
        + (DATA / "site_defaults.yaml").read_text(encoding="utf-8").partition("\n")[2]
    )
    files = {
        "defaults.yaml": defaults,
        "groups.yaml": (DATA / "groups.yaml").read_text(encoding="utf-8"),
        "communes.yaml": _communes_text(units, codes, several),
        "waivers.yaml": (DATA / "waivers.yaml").read_text(encoding="utf-8"),
    }
    _replace_folder(hosts_dir, files)
    return sum(1 for u in units if u.province_code in codes)


def _replace_folder(folder: Path, files: dict[str, str]) -> None:
    """Write every file into a fresh sibling folder, then swap it in: never half-written."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    for name, text in files.items():
        (staging / name).write_text(text, encoding="utf-8")
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
        folder.rename(old)
    staging.rename(folder)
    if old is not None:
        shutil.rmtree(old)


@dataclass(frozen=True)
class Merged:
    """What `init --add-from` changed in hosts/communes.yaml."""

    added: list[str]
    updated: list[str]
    kept: list[str]  # codes of hosts/ the list does not name (left as they are)
    renamed: list[str]  # codes whose new name would derive another short name (kept as it was)


def add_from(hosts_dir: Path, csv_path: Path) -> Merged:
    """Merge a later list into hosts/communes.yaml: new codes take the next free site of their
    province; renamed or re-kinded units are updated in place; nobody is renumbered. A rename
    keeps the short name, and so the hostnames, backups and history of the commune's devices:
    renaming devices is the engineer's own change to short_name, not a side effect of a list."""
    path = hosts_dir / "communes.yaml"
    units = read_units(csv_path)
    if not path.is_file():
        codes = ",".join(dict.fromkeys(u.province_code for u in units)) or "40"
        raise InputError.one(
            "hosts/communes.yaml",
            "file",
            "not found: there is no hosts/ to merge into",
            f"write it first with `communelan init --province {codes}`, then merge again",
        )
    doc = load_yaml(path, "hosts/communes.yaml")
    defaults = load_yaml(hosts_dir / "defaults.yaml", "hosts/defaults.yaml").data or {}
    several = bool(defaults.get("provinces"))
    known_provinces = (
        set(defaults["provinces"]) if several else {str(defaults.get("province", {}).get("code"))}
    )
    entries: list[dict[str, object]] = list((doc.data or {}).get("communes") or [])
    by_code = {str(e.get("code")): (i, e) for i, e in enumerate(entries)}
    next_site: dict[str, int] = {}
    single = next(iter(known_provinces))
    for entry in entries:
        province = str(entry.get("province") or single)
        site = entry.get("site")
        if isinstance(site, int):
            next_site[province] = max(next_site.get(province, 1), site + 1)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    strangers = [u for u in units if u.province_code not in known_provinces]
    if strangers:
        held = ",".join(sorted(known_provinces))
        raise InputError(
            Problem(
                str(csv_path),
                f"commune {u.code}",
                f"province {u.province_code} is not in hosts/ (it holds {held})",
                "drop the row, or rewrite hosts/ for both with `communelan init --province "
                f"{held},{u.province_code} --force` (edits made to hosts/ are lost) and merge "
                "again",
            )
            for u in strangers
        )
    added: list[str] = []
    updated: list[str] = []
    renamed: list[str] = []
    appended: list[str] = []
    for unit in units:
        if unit.code not in by_code:
            site = next_site.get(unit.province_code, 1)
            next_site[unit.province_code] = site + 1
            appended.append(_commune_entry(unit, site, several))
            added.append(unit.code)
            continue
        index, entry = by_code[unit.code]
        wanted = {"name": unit.name, "kind": unit.kind}
        if (
            entry.get("short_name") not in (None, unit.short_name)
            and entry.get("name") != unit.name
        ):
            renamed.append(unit.code)
        changed = False
        for key, value in wanted.items():
            line = doc.lines.get(("communes", index, key))
            if entry.get(key) == value or line is None:
                continue
            head = re.match(rf"^(\s*-?\s*{key}:\s*)", lines[line - 1])
            if head is None:
                continue
            lines[line - 1] = head.group(1) + _scalar(value) + "\n"
            changed = True
        if changed:
            updated.append(unit.code)
    named = {u.code for u in units}
    kept = [code for code in by_code if code not in named]
    text = "".join(lines)
    if appended and not text.endswith("\n"):
        text += "\n"
    text += "".join(appended)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return Merged(added, updated, kept, renamed)
