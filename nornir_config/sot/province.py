"""Load hosts/ into validated communes and devices, reporting every problem at once."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from nornir_config.errors import InputError, Problem
from nornir_config.sot import addressing, names
from nornir_config.sot.schema import (
    Commune,
    CommunesFile,
    Defaults,
    DeviceModel,
    GroupsFile,
    SiteSettings,
)
from nornir_config.sot.yamlfile import YamlDoc, load_yaml

ROLE_TEMPLATES = ("router.j2", "switch.j2")


@dataclass(frozen=True)
class Port:
    """One switch port as the office uses it."""

    name: str
    mode: str  # access | trunk | unused
    vlan: int
    description: str
    zone: str | None = None


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
    ports: tuple[Port, ...] = ()
    peers: Mapping[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.commune.code

    @property
    def ascii_name(self) -> str:
        return names.ascii_name(self.commune.short_name)

    def facts(self) -> dict[str, Any]:
        """JSON-friendly facts for the Nornir inventory and `communelan inventory`."""
        return {
            "code": self.code,
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
        return 'quote it, e.g. "14797"'
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "code":
        return 'use the official 5-digit code in quotes, e.g. "14797"'
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

    _check_province_networks(defaults, d_doc, problems)
    _check_models(defaults, d_doc, templates_dir, problems)

    communes: list[Commune] = []
    for index, raw in enumerate(raw_communes):
        label = f"commune {raw.get('code', f'#{index + 1}')}"
        try:
            communes.append(Commune.model_validate(raw))
        except ValidationError as exc:
            problems.problems.extend(
                _pydantic_problems(exc, c_doc, label, ("communes", index), Commune)
            )
    _check_unique(communes, c_doc, problems)

    sources = _Sources(defaults, groups, d_doc, g_doc, c_doc, problems)
    devices: list[Device] = []
    for index, commune in enumerate(communes):
        loc: tuple[str | int, ...] = ("communes", _position(raw_communes, commune.code, index))
        devices.extend(_expand_commune(commune, loc, sources))
    _check_unique_hostnames(devices, c_doc, problems)
    if problems.problems:
        raise InputError(_merge_shared(problems.problems))
    return ProvinceData(defaults, tuple(communes), tuple(devices), hosts_dir)


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


def _position(raw: list[dict[str, object]], code: str, fallback: int) -> int:
    for index, item in enumerate(raw):
        if item.get("code") == code:
            return index
    return fallback


def _check_province_networks(defaults: Defaults, doc: YamlDoc, problems: _Collector) -> None:
    addr = defaults.addressing
    nets = {
        "addressing.supernet": addr.supernet,
        "addressing.tslcd_p2p_pool": addr.tslcd_p2p_pool,
        "addressing.internet_p2p_pool": addr.internet_p2p_pool,
    }
    for i, net in enumerate(defaults.services.noc_networks):
        nets[f"services.noc_networks[{i}]"] = net
    for a, b in addressing.overlapping(nets):
        problems.add(
            doc,
            a,
            f"{nets[a]} overlaps {b} {nets[b]}",
            "give each pool its own range",
            tuple(a.split("[")[0].split(".")),
        )
    if addr.site_prefix <= addr.supernet.prefixlen:
        problems.add(
            doc,
            "addressing.site_prefix",
            f"/{addr.site_prefix} blocks do not fit in the supernet {addr.supernet}",
            f"use a prefix longer than /{addr.supernet.prefixlen}",
            ("addressing", "site_prefix"),
        )


def _check_models(
    defaults: Defaults, doc: YamlDoc, templates_dir: Path | None, problems: _Collector
) -> None:
    from nornir_config.platforms import known_platforms

    platforms = known_platforms()
    for name, model in defaults.models.items():
        loc = ("models", name, "platform")
        if model.platform not in platforms:
            problems.add(
                doc,
                f"model {name}",
                f"unknown platform '{model.platform}'",
                f"use one of: {', '.join(sorted(platforms))}",
                loc,
            )
            continue
        if templates_dir is not None:
            template = templates_dir / model.platform / f"{model.role}.j2"
            if not template.is_file():
                problems.add(
                    doc,
                    f"model {name}",
                    f"missing template templates/{model.platform}/{model.role}.j2",
                    f"create templates/{model.platform}/{model.role}.j2",
                    loc,
                )


def _check_unique(communes: list[Commune], doc: YamlDoc, problems: _Collector) -> None:
    seen_code: dict[str, int] = {}
    seen_site: dict[int, str] = {}
    next_free = max((c.site for c in communes), default=0) + 1
    for index, commune in enumerate(communes):
        loc = ("communes", index)
        if commune.code in seen_code:
            first = seen_code[commune.code]
            problems.add(
                doc,
                f"commune {commune.code}",
                f"duplicate code (first on line {doc.line_of(('communes', first))})",
                "each commune has its own official code; remove or correct the duplicate",
                (*loc, "code"),
            )
        else:
            seen_code[commune.code] = index
        if commune.site in seen_site:
            problems.add(
                doc,
                f"commune {commune.code}",
                f"site {commune.site} is already used by commune {seen_site[commune.site]}: "
                "their address blocks would overlap",
                f"give it the next free site number ({next_free})",
                (*loc, "site"),
            )
        else:
            seen_site[commune.site] = commune.code


def _check_unique_hostnames(devices: list[Device], doc: YamlDoc, problems: _Collector) -> None:
    seen: dict[str, str] = {}
    for device in devices:
        if not names.is_ios_hostname(device.name):
            problems.add(
                doc,
                f"commune {device.code}",
                f"hostname '{device.name}' is not a valid IOS hostname",
                "use letters, digits and '-' in short_name",
                ("communes",),
            )
        if device.name in seen and seen[device.name] != device.code:
            problems.add(
                doc,
                f"commune {device.code}",
                f"hostname '{device.name}' collides with commune {seen[device.name]}",
                "correct short_name or the code",
                ("communes",),
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


def _merged_settings(
    commune: Commune, loc: tuple[str | int, ...], src: _Sources
) -> tuple[SiteSettings, tuple[str, ...]] | None:
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
    merged = _deep_merge(merged, commune.overrides)
    sources.append((c_doc, (*loc, "overrides"), commune.overrides))
    try:
        return SiteSettings.model_validate(merged), member_of
    except ValidationError as exc:
        for error in exc.errors():
            err_loc = tuple(error["loc"])
            doc, base = d_doc, ("site",)
            for src_doc, src_base, given in reversed(sources):
                if _has_path(given, err_loc):
                    doc, base = src_doc, src_base
                    break
            single = ValidationError.from_exception_data(exc.title, [error])  # type: ignore[list-item]
            problems.problems.extend(
                _pydantic_problems(single, doc, f"commune {commune.code}", base, SiteSettings)
            )
        return None


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


def _expand_commune(commune: Commune, loc: tuple[str | int, ...], src: _Sources) -> list[Device]:
    item = f"commune {commune.code}"
    defaults, problems, c_doc = src.defaults, src.problems, src.c_doc
    merged = _merged_settings(commune, loc, src)
    if merged is None:
        return []
    settings, member_of = merged
    before = len(problems.problems)
    models: dict[str, DeviceModel] = {}
    for role, model_name in (("router", settings.router_model), ("switch", settings.switch_model)):
        model = defaults.models.get(model_name)
        if model is None:
            problems.add(
                c_doc,
                item,
                f"unknown {role} model '{model_name}'",
                f"use one of: {', '.join(sorted(defaults.models))}",
                loc,
            )
        elif model.role != role:
            problems.add(
                c_doc, item, f"model '{model_name}' is a {model.role}", f"pick a {role} model", loc
            )
        else:
            models[role] = model
    vlans: dict[int, str] = {}
    for zone_name, zone in settings.zones.items():
        vlans.setdefault(zone.vlan, zone_name)
        if vlans[zone.vlan] != zone_name:
            problems.add(
                c_doc,
                item,
                f"VLAN {zone.vlan} is used by zones {vlans[zone.vlan]} and {zone_name}",
                "give each zone its own VLAN id",
                loc,
            )
    for extra, what in (
        (settings.parking_vlan, "parking_vlan"),
        (settings.native_vlan, "native_vlan"),
    ):
        if extra in vlans:
            problems.add(
                c_doc,
                item,
                f"{what} {extra} is also zone {vlans[extra]}'s VLAN",
                "use a free VLAN id",
                loc,
            )
    specs = [
        addressing.ZoneSpec(name, z.vlan, z.prefix, z.dhcp, settings.dhcp_reserved)
        for name, z in settings.zones.items()
    ]
    try:
        plan = addressing.plan_site(
            defaults.addressing.supernet,
            defaults.addressing.site_prefix,
            commune.site,
            specs,
            defaults.addressing.tslcd_p2p_pool,
            defaults.addressing.internet_p2p_pool,
        )
    except addressing.PlanError as exc:
        problems.add(
            c_doc,
            item,
            f"address plan exhausted: {exc}",
            "shrink zone prefixes, lower addressing.site_prefix, or use a free site number",
            (*loc, "site"),
        )
        return []
    for zone_name, zone in settings.zones.items():
        if zone.recorder_offset is not None:
            try:
                plan.zones[zone_name].host(zone.recorder_offset)
            except addressing.PlanError as exc:
                problems.add(
                    c_doc, item, f"zone {zone_name} recorder: {exc}", "lower recorder_offset", loc
                )
    if len(problems.problems) > before or len(models) < 2:
        return []
    return _devices_of(commune, settings, member_of, plan, models, c_doc, loc, problems)


def _devices_of(
    commune: Commune,
    settings: SiteSettings,
    member_of: tuple[str, ...],
    plan: addressing.SitePlan,
    models: Mapping[str, DeviceModel],
    c_doc: YamlDoc,
    loc: tuple[str | int, ...],
    problems: _Collector,
) -> list[Device]:
    item = f"commune {commune.code}"
    mgmt = plan.zones["mgmt"]
    switch_count = 1 + settings.access_switches
    if settings.access_switches > len(settings.switch_uplinks) - 1:
        problems.add(
            c_doc,
            item,
            f"{settings.access_switches} access switches but the core switch has only "
            f"{len(settings.switch_uplinks) - 1} free uplinks",
            "lower access_switches or list more switch_uplinks",
            loc,
        )
        return []
    if switch_count + 1 >= mgmt.subnet.num_addresses - 2:
        problems.add(
            c_doc,
            item,
            "management subnet too small for the devices",
            "enlarge zones.mgmt.prefix",
            loc,
        )
        return []
    router_name = names.hostname(commune.short_name, commune.code, "router", 1)
    switch_names = [
        names.hostname(commune.short_name, commune.code, "switch", i)
        for i in range(1, switch_count + 1)
    ]
    router_model = models["router"]
    router_ifaces = expand_interfaces(router_model.interfaces)
    for what, port in settings.router_ports.model_dump().items():
        if port not in router_ifaces:
            problems.add(
                c_doc,
                item,
                f"router_ports.{what} '{port}' is not a port of {settings.router_model}",
                f"use one of: {', '.join(router_ifaces)}",
                loc,
            )
    switch_model = models["switch"]
    switch_ifaces = expand_interfaces(switch_model.interfaces)
    access_ifaces = [i for i in switch_ifaces if i not in settings.switch_uplinks]
    for uplink in settings.switch_uplinks:
        if uplink not in switch_ifaces:
            problems.add(
                c_doc,
                item,
                f"switch uplink '{uplink}' is not a port of {settings.switch_model}",
                "correct switch_uplinks",
                loc,
            )
    zone_of_port: dict[int, str] = {}
    for zone_name, port_list in settings.access_ports.items():
        if zone_name not in settings.zones or zone_name == "mgmt":
            problems.add(
                c_doc,
                item,
                f"access_ports names zone '{zone_name}'",
                f"use one of: {', '.join(z for z in settings.zones if z != 'mgmt')}",
                loc,
            )
            continue
        for number in parse_port_list(port_list):
            if not 1 <= number <= len(access_ifaces):
                problems.add(
                    c_doc,
                    item,
                    f"access port {number} of zone {zone_name} does not exist",
                    f"use 1-{len(access_ifaces)}",
                    loc,
                )
            elif number in zone_of_port:
                problems.add(
                    c_doc,
                    item,
                    f"access port {number} is in zones {zone_of_port[number]} and {zone_name}",
                    "give each port one zone",
                    loc,
                )
            else:
                zone_of_port[number] = zone_name
    if problems.problems and problems.problems[-1].item == item:
        return []

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
            elif iface in uplinks:
                ports.append(Port(iface, "unused", settings.parking_vlan, "UNUSED"))
            else:
                port_zone = zone_of_port.get(access_ifaces.index(iface) + 1)
                if port_zone is None:
                    ports.append(Port(iface, "unused", settings.parking_vlan, "UNUSED"))
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
                ports=tuple(ports),
            )
        )
    return devices
