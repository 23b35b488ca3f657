"""The national commune list bundled with the package, and the one national address scheme.

Every province gets its blocks from its code `C` and its place `i` (0-based) in
`PROVINCE_ORDER` (the 34 province codes of Nghị quyết 202/2025/QH15, ascending), so no two
provinces overlap on the shared TSLCD network and one repository can hold several:

| what | block |
| --- | --- |
| province data centre (`services`, `noc_networks` 10.C.1.0/24 and 10.C.2.0/24) | 10.C.0.0/16 |
| commune sites (`addressing.supernet`, one /22 per site) | 10.(100 + 4i).0.0/14 |
| TSLCD point-to-point links | 10.250.(4i).0/22 |
| Internet point-to-point links | 100.64.(4i).0/22 |

Codes run 01-96, so data centres stay below 10.100.0.0. A /14 holds 256 sites; the largest
province (Hồ Chí Minh City) has 168 communes. A province created later takes the next position
(room for three more before 10.250.0.0).
"""

from __future__ import annotations

import csv
import ipaddress
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nornir_config.errors import InputError, Problem
from nornir_config.sot import names

NATIONAL_CSV = Path(__file__).with_name("data") / "vn_communes_2025.csv"

# Positions in the national address scheme: never reorder, only append.
PROVINCE_ORDER: tuple[str, ...] = (
    "01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25",
    "31", "33", "37", "38", "40", "42", "44", "46", "48", "51", "52", "56",
    "66", "68", "75", "79", "80", "82", "86", "91", "92", "96",
)  # fmt: skip

# The list's kinds and the prefixes of the full names they give.
KIND_OF = {"xa": "xa", "phuong": "phuong", "dac_khu": "dac-khu", "dac-khu": "dac-khu"}
PREFIX_OF_KIND = {"xa": "Xã ", "phuong": "Phường ", "dac-khu": "Đặc khu "}
NAME_PREFIXES = tuple(PREFIX_OF_KIND.values())
PROVINCE_PREFIXES = ("Tỉnh ", "Thành phố ")


@dataclass(frozen=True)
class Unit:
    """One commune-level unit of the national list."""

    province_code: str
    province: str
    code: str
    kind: str  # xa | phuong | dac-khu
    name: str

    @property
    def short_name(self) -> str:
        for prefix in NAME_PREFIXES:
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix)
        return self.name


@dataclass(frozen=True)
class ProvinceBlock:
    """A province's share of the national address scheme."""

    supernet: ipaddress.IPv4Network
    site_prefix: int
    tslcd_p2p_pool: ipaddress.IPv4Network
    internet_p2p_pool: ipaddress.IPv4Network
    noc_networks: tuple[ipaddress.IPv4Network, ipaddress.IPv4Network]
    camera_vms: ipaddress.IPv4Address


def province_block(code: str) -> ProvinceBlock:
    """The blocks of province `code` in the national scheme (see the module docstring)."""
    if code not in PROVINCE_ORDER:
        raise InputError.one(
            "--province", code, "is not a province code", "use one of the 34 codes, e.g. 40"
        )
    i, c = PROVINCE_ORDER.index(code), int(code)
    net = ipaddress.IPv4Network
    return ProvinceBlock(
        supernet=net(f"10.{100 + 4 * i}.0.0/14"),
        site_prefix=22,
        tslcd_p2p_pool=net(f"10.250.{4 * i}.0/22"),
        internet_p2p_pool=net(f"100.64.{4 * i}.0/22"),
        noc_networks=(net(f"10.{c}.1.0/24"), net(f"10.{c}.2.0/24")),
        camera_vms=ipaddress.IPv4Address(f"10.{c}.4.20"),
    )


def read_units(path: Path, shown: str | None = None) -> list[Unit]:
    """Units of a CSV shaped like the national list (province_code,province,code,kind,name).
    Every bad row is reported at once, with its line; nothing is returned half-read."""
    display = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.one(
            display, "file", f"cannot be read ({exc})", "give a UTF-8 CSV"
        ) from None
    units: list[Unit] = []
    reader = csv.DictReader(text.splitlines())
    wanted = ("province_code", "province", "code", "kind", "name")
    missing = [c for c in wanted if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError.one(
            display, "header", f"missing column(s) {', '.join(missing)}", f"use: {','.join(wanted)}"
        )
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        unit, why = _unit_of(row)
        if unit is None:
            problems.append(Problem(display, f"row {line}", why, "correct the row", line))
        elif unit.code in first_row:
            problems.append(
                Problem(
                    display,
                    f"row {line}",
                    f"commune {unit.code} is already on row {first_row[unit.code]}",
                    "keep one row per commune code",
                    line,
                )
            )
        else:
            first_row[unit.code] = line
            units.append(unit)
    if problems:
        raise InputError(problems)
    return units


def _unit_of(row: dict[str, str | None]) -> tuple[Unit | None, str]:
    """One CSV row as a unit, or None and what is wrong with it."""
    value = {k: unicodedata.normalize("NFC", (row.get(k) or "").strip()) for k in row if k}
    code, kind, name = value.get("code", ""), value.get("kind", ""), value.get("name", "")
    province = value.get("province_code", "").zfill(2)
    if not (len(code) == 5 and code.isdigit()):
        return None, f"code {code!r} is not a 5-digit commune code"
    if kind not in KIND_OF:
        return None, f"commune {code}: kind {kind!r} is not xa, phuong or dac_khu"
    if province not in PROVINCE_ORDER:
        return None, (
            f"commune {code}: province_code {value.get('province_code', '')!r} is not one of "
            "the 34 province codes (e.g. 40)"
        )
    if not name:
        return None, f"commune {code}: no name"
    said = next((k for k, prefix in PREFIX_OF_KIND.items() if name.startswith(prefix)), None)
    if said is not None and said != KIND_OF[kind]:
        return None, f"commune {code}: name {name!r} is not of kind {kind!r}"
    return Unit(province, value.get("province", ""), code, KIND_OF[kind], name), ""


def national_units() -> list[Unit]:
    return read_units(NATIONAL_CSV)


def short_province(name: str) -> str:
    """'Tỉnh Nghệ An' -> 'Nghệ An'."""
    for prefix in PROVINCE_PREFIXES:
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def hosts_name(province: str) -> str:
    """The name `init` writes to hosts/: 'Tỉnh Nghệ An' -> 'Nghệ An' (reports say "Tỉnh ..."),
    while a centrally-run city keeps its title: 'Thành phố Hà Nội'."""
    return province.removeprefix("Tỉnh ")


def domain_of(province: str) -> str:
    """'Tỉnh Nghệ An' -> 'nghean.gov.vn' (a default to correct in defaults.yaml)."""
    return names.slug(short_province(province)).replace("-", "") + ".gov.vn"


def select_provinces(units: Sequence[Unit], wanted: Iterable[str]) -> list[str]:
    """Province codes for `--province` values: codes, names with or without diacritics, `all`."""
    by_code: dict[str, str] = {}
    for unit in units:
        by_code.setdefault(unit.province_code, unit.province)
    by_slug = {names.slug(short_province(n)): c for c, n in by_code.items()}
    by_slug.update({names.slug(n): c for c, n in by_code.items()})
    chosen: list[str] = []
    for value in (v.strip() for text in wanted for v in text.split(",")):
        if not value:
            continue
        if value.lower() == "all":
            chosen.extend(sorted(by_code))
            continue
        code = value.zfill(2) if value.isdigit() else by_slug.get(names.slug(value))
        if code not in by_code:
            raise InputError.one(
                "--province",
                value,
                "is not a province of the national list",
                "give a code (e.g. 40), a name (e.g. 'Nghệ An' or 'nghe an') or all",
            )
        chosen.append(code)
    if not chosen:
        raise InputError.one(
            "--province",
            "(empty)",
            "names no province",
            "give e.g. --province 40 or --province all",
        )
    return sorted(dict.fromkeys(chosen), key=PROVINCE_ORDER.index)
