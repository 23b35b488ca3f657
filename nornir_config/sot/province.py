"""Load hosts/ into validated communes and devices, reporting every problem at once."""

from __future__ import annotations

import difflib
import functools
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from nornir_config import platforms
from nornir_config.errors import InputError, Problem
from nornir_config.platforms.base import Platform
from nornir_config.sot import addressing, names
from nornir_config.sot.national import PROVINCE_ORDER
from nornir_config.sot.schema import (
    Addressing,
    Commune,
    CommunesFile,
    Defaults,
    DeviceModel,
    GroupsFile,
    Services,
    SiteSettings,
)
from nornir_config.sot.yamlfile import YamlDoc, load_yaml

ROLE_TEMPLATES = ("router.j2", "switch.j2")


class Port(NamedTuple):
    """One switch port as the office uses it (a tuple: 200,000 of them nationally)."""

    name: str
    mode: str  # access | trunk | unused
    vlan: int
    description: str
    zone: str | None = None


@dataclass(frozen=True)
class ProvinceInfo:
    """One province of hosts/: its identity, address block and central services."""

    code: str
    name: str
    domain: str
    addressing: Addressing
    services: Services
    loc: tuple[str | int, ...] = ()  # where its entry sits in defaults.yaml


@dataclass(frozen=True)
class Device:
    """A device of a commune office, with everything derived from the source of truth."""

    name: str
    role: str
    index: int
    model: str
    platform: str
    interfaces: tuple[str, ...]
    mgmt_ip: ipaddress.IPv4Address
    commune: Commune
    groups: tuple[str, ...]
    settings: SiteSettings
    plan: addressing.SitePlan
    province: ProvinceInfo
    ports: tuple[Port, ...] = ()
    peers: Mapping[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.commune.code

    @property
    def driver(self) -> Platform:
        """The platform driver of its model."""
        return platforms.driver(self.platform)

    @property
    def ascii_name(self) -> str:
        return names.ascii_name(self.commune.short_name)

    def facts(self) -> dict[str, Any]:
        """JSON-friendly facts for the Nornir inventory and `communelan inventory`."""
        return {
            "code": self.code,
            "province": self.province.code,
            "province_name": self.province.name,
            "commune": self.commune.name,
            "commune_ascii": names.ascii_name(self.commune.name),
            "kind": self.commune.kind,
            "site": self.commune.site,
            "groups": list(self.groups),
            "role": self.role,
            "model": self.model,
            "mgmt_ip": str(self.mgmt_ip),
            "block": str(self.plan.block),
        }


@dataclass(frozen=True)
class ProvinceData:
    """The validated source of truth."""

    defaults: Defaults
    communes: tuple[Commune, ...]
    devices: tuple[Device, ...]
    hosts_dir: Path
    provinces: Mapping[str, ProvinceInfo] = field(default_factory=dict)

    def device(self, name: str) -> Device:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Device]:
        return {device.name: device for device in self.devices}


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _loc_text(loc: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in loc)


def _fix_for(error: Mapping[str, Any], model: type[BaseModel] | None) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = _known_keys(model, loc[:-1]) if model else []
        close = difflib.get_close_matches(key, known, n=1)
        return f"did you mean '{close[0]}'?" if close else "remove it or correct the spelling"
    if kind == "missing":
        return f"add '{loc[-1]}'"
    if kind == "string_type" and isinstance(error.get("input"), int):
        # YAML read it as a number; an unquoted code with leading zeros lost them (or was
        # read as octal), so only a 5-digit number is given back as it was.
        value = error["input"]
        if loc and loc[-1] == "code" and not 10000 <= value <= 99999:
            return "quote the official code with its leading zeros"
        return f'quote it: "{value}"'
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "code":
        return "use the commune's official 5-digit code, in quotes"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "domain":
        return "use a lower-case domain name (letters, digits, dots, hyphens), e.g. tinh.gov.vn"
    if kind == "literal_error":
        return "use one of the values listed"
    return "correct the value"


def _known_keys(model: type[BaseModel] | None, loc: Iterable[str | int]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", {})
        info = fields.get(part)
        if info is None:
            return []
        annotation = info.annotation
        current = annotation if isinstance(annotation, type) else None
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _pydantic_problems(
    exc: ValidationError,
    doc: YamlDoc,
    item: str,
    base_loc: tuple[str | int, ...],
    model: type[BaseModel] | None,
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        where = _loc_text(loc) or "file"
        message = str(error["msg"])
        if error["type"] == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
        elif error["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        problems.append(
            Problem(
                doc.display,
                f"{item} {where}".strip(),
                message,
                _fix_for(error, model),
                doc.line_of((*base_loc, *loc)),
            )
        )
    return problems


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def expand_interfaces(specs: Iterable[str]) -> tuple[str, ...]:
    """`GigabitEthernet1/0/1-24` -> GigabitEthernet1/0/1 ... GigabitEthernet1/0/24."""
    return _expand(tuple(specs))


@functools.cache
def _expand(specs: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for spec in specs:
        match = re.fullmatch(r"(.*?)(\d+)-(\d+)", spec)
        if match:
            prefix, first, last = match.group(1), int(match.group(2)), int(match.group(3))
            out.extend(f"{prefix}{n}" for n in range(first, last + 1))
        else:
            out.append(spec)
    return tuple(out)


def parse_port_list(text: str) -> list[int]:
    ports: list[int] = []
    for part in str(text).split(","):
        lo, _, hi = part.strip().partition("-")
        ports.extend(range(int(lo), int(hi or lo) + 1))
    return ports


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self, doc: YamlDoc, item: str, message: str, fix: str, loc: tuple[str | int, ...]
    ) -> None:
        self.problems.append(Problem(doc.display, item, message, fix, doc.line_of(loc)))


def load_province(hosts_dir: Path, templates_dir: Path | None = None) -> ProvinceData:
    """Read and validate hosts/; raise InputError listing every problem."""
    root = hosts_dir.parent
    problems = _Collector()
    docs: dict[str, YamlDoc] = {}
    load_errors: list[Problem] = []
    for stem in ("defaults", "groups", "communes"):
        path = hosts_dir / f"{stem}.yaml"
        try:
            docs[stem] = load_yaml(path, _display(path, root))
        except InputError as exc:
            load_errors.extend(exc.problems)
    if load_errors:
        raise InputError(load_errors)

    d_doc, g_doc, c_doc = docs["defaults"], docs["groups"], docs["communes"]
    try:
        defaults = Defaults.model_validate(d_doc.data)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(exc, d_doc, "defaults", (), Defaults)) from None
    try:
        groups = GroupsFile.model_validate(g_doc.data).groups
    except ValidationError as exc:
        raise InputError(_pydantic_problems(exc, g_doc, "groups", (), GroupsFile)) from None
    try:
        raw_communes = CommunesFile.model_validate(c_doc.data).communes
    except ValidationError as exc:
        raise InputError(_pydantic_problems(exc, c_doc, "communes", (), CommunesFile)) from None

    provinces = provinces_of(defaults)
    _check_province_networks(provinces, d_doc, problems)
    _check_models(defaults, d_doc, templates_dir, problems)

    communes: list[Commune] = []
    positions: dict[str, int] = {}  # code -> its (first) entry in communes.yaml
    rows: list[int] = []  # the entry of each validated commune
    for index, raw in enumerate(raw_communes):
        label = f"commune {raw.get('code', f'#{index + 1}')}"
        try:
            commune = Commune.model_validate(raw)
        except ValidationError as exc:
            problems.problems.extend(
                _pydantic_problems(exc, c_doc, label, ("communes", index), Commune)
            )
            continue
        communes.append(commune)
        rows.append(index)
        positions.setdefault(commune.code, index)
    _check_unique(communes, rows, provinces, c_doc, problems)

    sites: dict[str, int] = {}
    counts: dict[str, int] = {}
    single = next(iter(provinces)) if len(provinces) == 1 else ""
    for commune in communes:
        code = commune.province or single
        sites[code] = max(sites.get(code, 0), commune.site + 1)
        counts[code] = counts.get(code, 0) + 1
    sources = _Sources(
        defaults, groups, d_doc, g_doc, c_doc, problems, provinces, {}, sites, counts
    )
    devices: list[Device] = []
    for commune in communes:
        province = _province_for(commune, positions[commune.code], sources)
        if province is None:
            continue
        loc: tuple[str | int, ...] = ("communes", positions[commune.code])
        devices.extend(_expand_commune(commune, province, loc, sources))
    _check_unique_hostnames(devices, positions, c_doc, problems)
    _check_empty_groups(communes, sources)
    if problems.problems:
        raise InputError(_merge_shared(problems.problems))
    return ProvinceData(defaults, tuple(communes), tuple(devices), hosts_dir, provinces)


def provinces_of(defaults: Defaults) -> dict[str, ProvinceInfo]:
    """The provinces of hosts/, by code, whichever of the two forms defaults.yaml uses."""
    if defaults.provinces:
        return {
            code: ProvinceInfo(
                code,
                entry.name,
                entry.domain,
                entry.addressing,
                entry.services,
                ("provinces", code),
            )
            for code, entry in defaults.provinces.items()
        }
    one, addr, services = defaults.province, defaults.addressing, defaults.services
    assert one is not None and addr is not None and services is not None  # schema checks it
    return {one.code: ProvinceInfo(one.code, one.name, one.domain, addr, services)}


def _province_for(commune: Commune, index: int, src: _Sources) -> ProvinceInfo | None:
    provinces = src.provinces
    if commune.province is None:
        if len(provinces) == 1:
            return next(iter(provinces.values()))
        src.problems.add(
            src.c_doc,
            f"commune {commune.code}",
            "no province given, and hosts/ holds several",
            f"add province: with one of {', '.join(sorted(provinces))}",
            ("communes", index),
        )
        return None
    if commune.province not in provinces:
        held = ", ".join(sorted(provinces))
        fix = f"use one of {held}"
        if commune.province in PROVINCE_ORDER:  # init writes one hosts/ for all of them
            every = ",".join(sorted({*provinces, commune.province}, key=PROVINCE_ORDER.index))
            fix += (
                f", or write hosts/ for all with `communelan init --province {every} --force` "
                "(it rewrites hosts/: edits made to it are lost)"
            )
        src.problems.add(
            src.c_doc,
            f"commune {commune.code}",
            f"province {commune.province} is not defined in hosts/defaults.yaml",
            fix,
            ("communes", index, "province"),
        )
        return None
    return provinces[commune.province]


def _merge_shared(problems: list[Problem]) -> list[Problem]:
    """A defaults or group entry that breaks many communes is one problem, not one per commune."""
    merged: dict[tuple[str, int | None, str, str, str], list[Problem]] = {}
    for problem in problems:
        field_name = problem.item.partition(" ")[2].partition(" ")[2]
        key = (problem.file, problem.line, field_name, problem.message, problem.fix)
        merged.setdefault(key, []).append(problem)
    out: list[Problem] = []
    for (file, line, field_name, message, fix), group in merged.items():
        if len(group) == 1 or file.endswith("communes.yaml"):
            out.extend(group)
            continue
        codes = [p.item.split(" ")[1] for p in group]
        shown = ", ".join(codes[:3]) + (", ..." if len(codes) > 3 else "")
        item = f"{len(codes)} communes ({shown}) {field_name}".rstrip()
        out.append(Problem(file, item, message, fix, line))
    return out


def _check_province_networks(
    provinces: Mapping[str, ProvinceInfo], doc: YamlDoc, problems: _Collector
) -> None:
    nets: dict[str, ipaddress.IPv4Network] = {}
    locs: dict[str, tuple[str | int, ...]] = {}
    several = len(provinces) > 1
    for code, info in provinces.items():
        addr = info.addressing
        prefix = f"provinces.{code}." if several else ""
        own = {
            "addressing.supernet": addr.supernet,
            "addressing.tslcd_p2p_pool": addr.tslcd_p2p_pool,
            "addressing.internet_p2p_pool": addr.internet_p2p_pool,
        }
        for i, net in enumerate(info.services.noc_networks):
            own[f"services.noc_networks[{i}]"] = net
        for key, net in own.items():
            nets[prefix + key] = net
            locs[prefix + key] = (*info.loc, *key.split("[")[0].split("."))
        if addr.site_prefix <= addr.supernet.prefixlen:
            problems.add(
                doc,
                f"{prefix}addressing.site_prefix",
                f"/{addr.site_prefix} blocks do not fit in the supernet {addr.supernet}",
                f"use a prefix longer than /{addr.supernet.prefixlen}",
                (*info.loc, "addressing", "site_prefix"),
            )
    for a, b in addressing.overlapping(nets):
        problems.add(
            doc,
            a,
            f"{nets[a]} overlaps {b} {nets[b]}",
            "give each pool its own range (see `communelan init`: one block per province)",
            locs[a],
        )


def _check_models(
    defaults: Defaults, doc: YamlDoc, templates_dir: Path | None, problems: _Collector
) -> None:
    known = platforms.known_platforms()
    for name, model in defaults.models.items():
        loc = ("models", name, "platform")
        if model.platform not in known:
            problems.add(
                doc,
                f"model {name}",
                f"unknown platform '{model.platform}'",
                f"use one of: {', '.join(sorted(known))}",
                loc,
            )
            continue
        if templates_dir is not None:
            folder = platforms.driver(model.platform).templates
            template = templates_dir / folder / f"{model.role}.j2"
            if not template.is_file():
                problems.add(
                    doc,
                    f"model {name}",
                    f"missing template templates/{folder}/{model.role}.j2",
                    f"create templates/{folder}/{model.role}.j2",
                    loc,
                )


def _check_unique(
    communes: list[Commune],
    rows: list[int],
    provinces: Mapping[str, ProvinceInfo],
    doc: YamlDoc,
    problems: _Collector,
) -> None:
    single = next(iter(provinces)) if len(provinces) == 1 else None
    seen_code: dict[str, int] = {}
    seen_site: dict[tuple[str | None, int], str] = {}
    next_free: dict[str | None, int] = {}
    for commune in communes:
        key = commune.province or single
        next_free[key] = max(next_free.get(key, 1), commune.site + 1)
    for commune, index in zip(communes, rows, strict=True):
        loc = ("communes", index)
        if commune.code in seen_code:
            first = seen_code[commune.code]
            problems.add(
                doc,
                f"commune {commune.code}",
                f"duplicate code (first on line {doc.line_of(('communes', first))})",
                "each commune has its own official code; remove or correct the duplicate",
                ("communes", index, "code"),
            )
            continue
        seen_code[commune.code] = index
        province = commune.province or single
        if (province, commune.site) in seen_site:
            problems.add(
                doc,
                f"commune {commune.code}",
                f"site {commune.site} is already used by commune "
                f"{seen_site[(province, commune.site)]}: their address blocks would overlap",
                f"give it the next free site number ({next_free[province]})",
                (*loc, "site"),
            )
        else:
            seen_site[(province, commune.site)] = commune.code


def _check_unique_hostnames(
    devices: list[Device], positions: Mapping[str, int], doc: YamlDoc, problems: _Collector
) -> None:
    seen: dict[str, str] = {}
    reported: set[str] = set()
    for device in devices:
        loc = ("communes", positions[device.code], "short_name")
        if device.platform not in platforms.known_platforms():
            continue  # reported with its model
        naming = device.driver.naming
        if not naming.hostname.match(device.name):
            if device.code in reported:
                continue
            reported.add(device.code)
            longest = naming.hostname_max - (
                len(device.name) - len(names.slug(device.commune.short_name))
            )
            fix = (
                f"shorten short_name to at most {longest} letters (the hostname adds the code "
                "and role)"
                if len(device.name) > naming.hostname_max
                else "use letters, digits and spaces in short_name"
            )
            problems.add(
                doc,
                f"commune {device.code} short_name",
                f"hostname '{device.name}' is not a valid {naming.hostname_rule}"
                + (
                    f" ({len(device.name)} > {naming.hostname_max} characters)"
                    if len(device.name) > naming.hostname_max
                    else ""
                ),
                fix,
                loc,
            )
            continue
        if device.name in seen and seen[device.name] != device.code:
            problems.add(
                doc,
                f"commune {device.code}",
                f"hostname '{device.name}' collides with commune {seen[device.name]}",
                "correct short_name or the code",
                loc,
            )
        seen[device.name] = device.code


@dataclass(frozen=True)
class _Sources:
    """The validated files a commune's settings are merged from, and where problems go."""

    defaults: Defaults
    groups: Mapping[str, Any]
    d_doc: YamlDoc
    g_doc: YamlDoc
    c_doc: YamlDoc
    problems: _Collector
    provinces: Mapping[str, ProvinceInfo]
    cache: dict[tuple[str, tuple[str, ...]], SiteSettings]
    sites: Mapping[str, int]  # highest site number + 1, by province
    counts: Mapping[str, int]  # communes, by province
    layouts: dict[int, tuple[SiteSettings, _Layout]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Origin:
    """Which file and key gave a commune's merged settings each value."""

    layers: tuple[tuple[YamlDoc, tuple[str | int, ...], Mapping[str, Any]], ...]
    d_doc: YamlDoc

    def at(self, path: tuple[str | int, ...]) -> tuple[YamlDoc, tuple[str | int, ...]]:
        for doc, base, given in reversed(self.layers):
            if _has_path(given, path):
                return doc, (*base, *path)
        return self.d_doc, ("site", *path)


def _merged_settings(
    commune: Commune, province: ProvinceInfo, loc: tuple[str | int, ...], src: _Sources
) -> tuple[SiteSettings, tuple[str, ...], _Origin] | None:
    defaults, groups, problems = src.defaults, src.groups, src.problems
    d_doc, g_doc, c_doc = src.d_doc, src.g_doc, src.c_doc
    member_of = (commune.kind, *[g for g in commune.groups if g != commune.kind])
    merged: dict[str, Any] = dict(defaults.site)
    sources: list[tuple[YamlDoc, tuple[str | int, ...], Mapping[str, Any]]] = []
    for group in member_of:
        if group not in groups:
            close = difflib.get_close_matches(group, list(groups), n=1)
            fix = f"did you mean '{close[0]}'?" if close else "define it in hosts/groups.yaml"
            problems.add(
                c_doc, f"commune {commune.code}", f"unknown group '{group}'", fix, (*loc, "groups")
            )
            return None
        overrides = groups[group].overrides
        merged = _deep_merge(merged, overrides)
        sources.append((g_doc, ("groups", group, "overrides"), overrides))
    if commune.overrides:
        merged = _deep_merge(merged, commune.overrides)
        sources.append((c_doc, (*loc, "overrides"), commune.overrides))
    origin = _Origin(tuple(sources), d_doc)
    key = (province.code, member_of)
    cached = None if commune.overrides else src.cache.get(key)
    if cached is not None:
        return cached, member_of, origin
    try:
        settings = SiteSettings.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            doc, base = origin.at(tuple(error["loc"]))
            base = base[: len(base) - len(error["loc"])]
            single = ValidationError.from_exception_data(exc.title, [error])  # type: ignore[list-item]
            problems.problems.extend(
                _pydantic_problems(single, doc, f"commune {commune.code}", base, SiteSettings)
            )
        return None
    if "{province}" in settings.banner:
        banner = settings.banner.replace("{province}", names.ascii_name(province.name))
        settings = settings.model_copy(update={"banner": banner})
    if not commune.overrides:
        src.cache[key] = settings
    return settings, member_of, origin


def _check_empty_groups(communes: Sequence[Commune], src: _Sources) -> None:
    """A group no commune is in yet (đặc khu in a province without one) is still checked, so
    that a mistake in it is found now, at its own line, not the day a commune joins it."""
    used = {g for c in communes for g in (c.kind, *c.groups)}
    for name, group in src.groups.items():
        if name in used or not group.overrides:
            continue
        try:
            SiteSettings.model_validate(_deep_merge(dict(src.defaults.site), group.overrides))
        except ValidationError as exc:
            base = ("groups", name, "overrides")
            for error in exc.errors():
                if not _has_path(group.overrides, tuple(error["loc"])):
                    continue  # a defaults value: reported with the communes that use it
                single = ValidationError.from_exception_data(exc.title, [error])  # type: ignore[list-item]
                src.problems.problems.extend(
                    _pydantic_problems(single, src.g_doc, f"group {name}", base, SiteSettings)
                )


def _has_path(data: Mapping[str, Any], loc: tuple[str | int, ...]) -> bool:
    current: Any = data
    for part in loc:
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
        else:
            return False
    return True


def _expand_commune(
    commune: Commune, province: ProvinceInfo, loc: tuple[str | int, ...], src: _Sources
) -> list[Device]:
    item = f"commune {commune.code}"
    defaults, problems = src.defaults, src.problems
    merged = _merged_settings(commune, province, loc, src)
    if merged is None:
        return []
    settings, member_of, origin = merged

    def report(path: tuple[str | int, ...], message: str, fix: str) -> None:
        doc, at = origin.at(path)
        problems.add(doc, item, message, fix, at)

    before = len(problems.problems)
    models: dict[str, DeviceModel] = {}
    for role, model_name in (("router", settings.router_model), ("switch", settings.switch_model)):
        model = defaults.models.get(model_name)
        path = (f"{role}_model",)
        if model is None:
            report(
                path,
                f"unknown {role} model '{model_name}'",
                f"use one of: {', '.join(sorted(defaults.models))}",
            )
        elif model.role != role:
            report(path, f"model '{model_name}' is a {model.role}", f"pick a {role} model")
        else:
            models[role] = model
    vlans: dict[int, str] = {}
    for zone_name, zone in settings.zones.items():
        vlans.setdefault(zone.vlan, zone_name)
        if vlans[zone.vlan] != zone_name:
            report(
                ("zones", zone_name, "vlan"),
                f"VLAN {zone.vlan} is used by zones {vlans[zone.vlan]} and {zone_name}",
                "give each zone its own VLAN id",
            )
    for extra, what in (
        (settings.parking_vlan, "parking_vlan"),
        (settings.native_vlan, "native_vlan"),
    ):
        if extra in vlans:
            report(
                (what,), f"{what} {extra} is also zone {vlans[extra]}'s VLAN", "use a free VLAN id"
            )
    specs = [
        addressing.ZoneSpec(name, z.vlan, z.prefix, z.dhcp, settings.dhcp_reserved)
        for name, z in settings.zones.items()
    ]
    addr = province.addressing
    try:
        plan = addressing.plan_site(
            addr.supernet,
            addr.site_prefix,
            commune.site,
            specs,
            addr.tslcd_p2p_pool,
            addr.internet_p2p_pool,
        )
    except addressing.SiteBeyondPool as exc:
        # One hint for every commune of the province: a pool that holds its highest site.
        highest, count = src.sites[province.code] - 1, src.counts[province.code]
        pool = getattr(addr, exc.pool)
        held = addressing.sites_held(pool, exc.pool, addr.site_prefix)
        if count <= held:  # free site numbers exist: the commune's site is the mistake
            fix = addressing.fix_for_site(pool, addr.site_prefix, highest, exc.pool)
            problems.add(src.c_doc, item, f"address plan exhausted: {exc}", fix, (*loc, "site"))
        else:  # more communes than the pool holds: the pool is the mistake, reported once
            problems.add(
                src.d_doc,
                f"{item} addressing.{exc.pool}",
                f"address plan exhausted: {pool} holds {held} sites, the province has "
                f"{count} communes (highest site {highest})",
                addressing.fix_for_pool(addr.site_prefix, highest, exc.pool),
                (*province.loc, "addressing", exc.pool),
            )
        return []
    except addressing.PlanError as exc:
        report(
            ("zones",),
            f"address plan exhausted: {exc}",
            addressing.fix_for_zones(
                addr.supernet, addr.site_prefix, specs, src.sites[province.code]
            ),
        )
        return []
    for zone_name, zone in settings.zones.items():
        if zone.recorder_offset is not None:
            try:
                plan.zones[zone_name].host(zone.recorder_offset)
            except addressing.PlanError as exc:
                report(
                    ("zones", zone_name, "recorder_offset"),
                    f"zone {zone_name} recorder: {exc}",
                    "lower recorder_offset",
                )
    if len(problems.problems) > before or len(models) < 2:
        return []
    return _devices_of(commune, settings, member_of, plan, models, province, report, src)


@dataclass(frozen=True)
class _Layout:
    """The ports of an office as its settings lay them out: the same for every commune that
    shares the settings, so computed once per settings (3,321 communes, a handful of them)."""

    router_ifaces: tuple[str, ...]
    switch_ifaces: tuple[str, ...]
    uplinks: set[str]
    access_number: dict[str, int]
    zone_of_port: dict[int, str]


def _layout(
    settings: SiteSettings,
    models: Mapping[str, DeviceModel],
    report: Callable[[tuple[str | int, ...], str, str], None],
    problems: _Collector,
) -> _Layout | None:
    before = len(problems.problems)
    router_model = models["router"]
    router_ifaces = expand_interfaces(router_model.interfaces)
    for what, port in settings.router_ports.model_dump().items():
        if port not in router_ifaces:
            report(
                ("router_ports", what),
                f"router_ports.{what} '{port}' is not a port of {settings.router_model}",
                f"use one of: {', '.join(router_ifaces)}",
            )
    switch_model = models["switch"]
    switch_ifaces = expand_interfaces(switch_model.interfaces)
    access_ifaces = [i for i in switch_ifaces if i not in set(settings.switch_uplinks)]
    for uplink in settings.switch_uplinks:
        if uplink not in switch_ifaces:
            report(
                ("switch_uplinks",),
                f"switch uplink '{uplink}' is not a port of {settings.switch_model}",
                "correct switch_uplinks",
            )
    zone_of_port: dict[int, str] = {}
    for zone_name, port_list in settings.access_ports.items():
        if zone_name not in settings.zones or zone_name == "mgmt":
            report(
                ("access_ports", zone_name),
                f"access_ports names zone '{zone_name}'",
                f"use one of: {', '.join(z for z in settings.zones if z != 'mgmt')}",
            )
            continue
        for number in parse_port_list(port_list):
            if not 1 <= number <= len(access_ifaces):
                report(
                    ("access_ports", zone_name),
                    f"access port {number} of zone {zone_name} does not exist",
                    f"use 1-{len(access_ifaces)}",
                )
            elif number in zone_of_port:
                report(
                    ("access_ports", zone_name),
                    f"access port {number} is in zones {zone_of_port[number]} and {zone_name}",
                    "give each port one zone",
                )
            else:
                zone_of_port[number] = zone_name
    if len(problems.problems) > before:
        return None
    return _Layout(
        router_ifaces,
        switch_ifaces,
        set(settings.switch_uplinks),
        {iface: n for n, iface in enumerate(access_ifaces, start=1)},
        zone_of_port,
    )


@functools.cache
def _unused_port(iface: str, vlan: int) -> Port:
    """Parked ports are alike in every office: one object each (10,000 switches nationally)."""
    return Port(iface, "unused", vlan, "UNUSED")


def _devices_of(
    commune: Commune,
    settings: SiteSettings,
    member_of: tuple[str, ...],
    plan: addressing.SitePlan,
    models: Mapping[str, DeviceModel],
    province: ProvinceInfo,
    report: Callable[[tuple[str | int, ...], str, str], None],
    src: _Sources,
) -> list[Device]:
    mgmt = plan.zones["mgmt"]
    switch_count = 1 + settings.access_switches
    if settings.access_switches > len(settings.switch_uplinks) - 1:
        report(
            ("access_switches",),
            f"{settings.access_switches} access switches but the core switch has only "
            f"{len(settings.switch_uplinks) - 1} free uplinks",
            "lower access_switches or list more switch_uplinks",
        )
        return []
    if switch_count + 1 >= mgmt.subnet.num_addresses - 2:
        report(
            ("zones", "mgmt", "prefix"),
            "management subnet too small for the devices",
            "enlarge zones.mgmt.prefix",
        )
        return []
    router_name = names.hostname(commune.short_name, commune.code, "router", 1)
    switch_names = [
        names.hostname(commune.short_name, commune.code, "switch", i)
        for i in range(1, switch_count + 1)
    ]
    known = src.layouts.get(id(settings))
    if known is not None and known[0] is settings:
        layout = known[1]
    else:
        found = _layout(settings, models, report, src.problems)
        if found is None:
            return []
        layout = found
        src.layouts[id(settings)] = (settings, layout)  # the settings kept alive: id stays theirs
    router_model, switch_model = models["router"], models["switch"]
    router_ifaces, switch_ifaces = layout.router_ifaces, layout.switch_ifaces
    uplink_set, access_number = layout.uplinks, layout.access_number
    zone_of_port = layout.zone_of_port

    ascii_short = names.ascii_name(commune.short_name)
    devices = [
        Device(
            name=router_name,
            role="router",
            index=1,
            model=settings.router_model,
            platform=router_model.platform,
            interfaces=router_ifaces,
            mgmt_ip=mgmt.gateway,
            commune=commune,
            groups=member_of,
            settings=settings,
            plan=plan,
            province=province,
            peers={settings.router_ports.lan: f"{switch_names[0]} {settings.switch_uplinks[0]}"},
        )
    ]
    for number, sw_name in enumerate(switch_names, start=1):
        ports: list[Port] = []
        uplinks = settings.switch_uplinks
        used: dict[str, str] = {}
        if number == 1:
            used[uplinks[0]] = f"UPLINK {router_name} {settings.router_ports.lan}"
            for k in range(2, switch_count + 1):
                used[uplinks[k - 1]] = f"DOWNLINK {switch_names[k - 1]} {uplinks[0]}"
        else:
            used[uplinks[0]] = f"UPLINK {switch_names[0]} {uplinks[number - 1]}"
        for iface in switch_ifaces:
            if iface in used:
                ports.append(Port(iface, "trunk", settings.native_vlan, used[iface]))
            elif iface in uplink_set:
                ports.append(_unused_port(iface, settings.parking_vlan))
            else:
                port_zone = zone_of_port.get(access_number[iface])
                if port_zone is None:
                    ports.append(_unused_port(iface, settings.parking_vlan))
                else:
                    zone = settings.zones[port_zone]  # type: ignore[index]
                    ports.append(
                        Port(iface, "access", zone.vlan, f"{zone.name} {ascii_short}", port_zone)
                    )
        devices.append(
            Device(
                name=sw_name,
                role="switch",
                index=number,
                model=settings.switch_model,
                platform=switch_model.platform,
                interfaces=switch_ifaces,
                mgmt_ip=mgmt.host(1 + number),
                commune=commune,
                groups=member_of,
                settings=settings,
                plan=plan,
                province=province,
                ports=tuple(ports),
            )
        )
    return devices
