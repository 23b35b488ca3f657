"""The shape of hosts/: pydantic models that refuse unknown keys, so a typo is an error."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from nornir_config.platforms import drivers

PORT_RANGE = re.compile(r"^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$")

Code = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Ipv4 = ipaddress.IPv4Address
Net4 = ipaddress.IPv4Network


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _vlan_id(value: int) -> int:
    if not 1 <= value <= 4094:
        raise ValueError(f"VLAN id {value} is outside 1-4094")
    reserving = [d for d in drivers() if value in d.naming.reserved_vlans]
    if reserving:
        on = "; ".join(f"{d.os_label} ({d.naming.reserved_vlans_text})" for d in reserving)
        raise ValueError(f"VLAN id {value} is reserved on {on}")
    return value


VlanId = Annotated[int, Field(strict=True)]


class Zone(Strict):
    vlan: VlanId
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    prefix: Annotated[int, Field(ge=16, le=29)]
    dhcp: bool = True
    tslcd: bool = False
    internet: bool = False
    arp_inspection: bool = False
    recorder_offset: Annotated[int, Field(ge=2)] | None = None

    _check_vlan = field_validator("vlan")(_vlan_id)


class RouterPorts(Strict):
    tslcd: str
    internet: str
    lan: str


class Wan(Strict):
    tslcd_bandwidth_kbps: Annotated[int, Field(ge=64, le=10_000_000)]
    video_priority_percent: Annotated[int, Field(ge=1, le=90)]
    tslcd_networks: list[Net4]


class Timezone(Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,6}$")]
    offset_hours: Annotated[int, Field(ge=-12, le=14)]
    iana: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")] = (
        "Asia/Ho_Chi_Minh"  # the zone reports show times in
    )


class Snmp(Strict):
    group: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    user: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


class SiteSettings(Strict):
    """Everything about one office that a group or a commune may override."""

    router_model: str
    switch_model: str
    access_switches: Annotated[int, Field(ge=0, le=8)]
    router_ports: RouterPorts
    switch_uplinks: Annotated[list[str], Field(min_length=1)]
    zones: dict[Literal["mgmt", "staff", "onestop", "video", "camera", "wifi"], Zone]
    parking_vlan: VlanId
    native_vlan: VlanId
    dhcp_reserved: Annotated[int, Field(ge=1, le=200)]
    access_ports: dict[str, str]
    wan: Wan
    timezone: Timezone
    banner: Annotated[str, StringConstraints(min_length=1)]
    local_users: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]],
        Field(min_length=1),
    ]
    snmp: Snmp
    # Regexes of running-config lines a push keeps (on top of the platform's protected lines).
    preserve: list[str] = Field(default_factory=list)

    _check_vlans = field_validator("parking_vlan", "native_vlan")(_vlan_id)

    @field_validator("preserve")
    @classmethod
    def _preserve_regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"preserve pattern {pattern!r} is not a regex ({exc})") from exc
        return value

    @field_validator("access_ports")
    @classmethod
    def _port_ranges(cls, value: dict[str, str]) -> dict[str, str]:
        for zone, ports in value.items():
            if not PORT_RANGE.match(str(ports)):
                raise ValueError(
                    f"ports {ports!r} of zone {zone!r} are not like '1-8' or '1,3,5-7'"
                )
        return value

    @field_validator("banner")
    @classmethod
    def _banner_text(cls, value: str) -> str:
        if not value.isascii():
            raise ValueError(_banner_rule())
        for d in drivers():
            if any(c in value for c in d.naming.banner_forbidden):
                raise ValueError(_banner_rule())
        return value


def _banner_rule() -> str:
    delimiters = [
        f"'{d.naming.banner_forbidden}' (the {d.os_label} delimiter)"
        for d in drivers()
        if d.naming.banner_forbidden
    ]
    return "the banner must be plain ASCII" + (
        " without " + ", ".join(delimiters) if delimiters else ""
    )


class Province(Strict):
    name: Name
    code: Annotated[str, StringConstraints(pattern=r"^\d{2}$")]
    domain: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")]


class Addressing(Strict):
    supernet: Net4
    site_prefix: Annotated[int, Field(ge=16, le=28)]
    tslcd_p2p_pool: Net4
    internet_p2p_pool: Net4


class Services(Strict):
    dns: Annotated[list[Ipv4], Field(min_length=1)]
    public_dns: Annotated[list[Ipv4], Field(min_length=1)]
    ntp: Annotated[list[Ipv4], Field(min_length=1)]
    syslog: Annotated[list[Ipv4], Field(min_length=1)]
    snmp_managers: Annotated[list[Ipv4], Field(min_length=1)]
    tacacs: list[Ipv4]
    camera_vms: Ipv4
    noc_networks: Annotated[list[Net4], Field(min_length=1)]

    @property
    def noc_host(self) -> str:
        """Where the NOC's clients come from: the first host of its first network."""
        return str(next(iter(self.noc_networks[0].hosts())))


class DeviceModel(Strict):
    role: Literal["router", "switch"]
    platform: str
    interfaces: Annotated[list[str], Field(min_length=1)]
    # Ports of a router's built-in switch (ISR 8xx): Layer 2 only, routed through Vlan SVIs.
    switch_ports: list[str] = []
    # LAN ports are routed until `switchport` (Catalyst 6500): the config says it on each one.
    routed_ports: bool = False


class ChangeControl(Strict):
    """How reviewed plans are applied: approvals needed, and how long a plan stays valid."""

    approvals: Annotated[int, Field(ge=0)] = 0
    plan_ttl_hours: Annotated[float, Field(gt=0)] | None = None


class WatchEmail(Strict):
    """SMTP delivery of watch notifications (a password, if any, is the secret smtp_password)."""

    to: Annotated[list[str], Field(min_length=1)]
    sender: str = "communelan@localhost"
    smtp_host: str = "localhost"
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25
    starttls: bool = False
    username: str | None = None


class WatchSettings(Strict):
    """Where `communelan watch` sends its notifications, and the link they carry."""

    webhook: str | None = None
    email: WatchEmail | None = None
    report_url: str | None = None
    unreachable_after: Annotated[int, Field(ge=1)] = 1


ProvinceCode = Annotated[str, StringConstraints(pattern=r"^\d{2}$")]
KINDS = ("xa", "phuong", "dac-khu")
Kind = Literal["xa", "phuong", "dac-khu"]


class ProvinceEntry(Strict):
    """One province of a repository that holds several (`provinces:` in defaults.yaml)."""

    name: Name
    domain: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")]
    addressing: Addressing
    services: Services


class Defaults(Strict):
    """Either one province (`province`, `addressing`, `services`) or several (`provinces`)."""

    province: Province | None = None
    addressing: Addressing | None = None
    services: Services | None = None
    provinces: dict[ProvinceCode, ProvinceEntry] = Field(default_factory=dict)
    models: dict[str, DeviceModel]
    site: dict[str, object]  # validated as SiteSettings after overrides are merged
    change_control: ChangeControl = Field(default_factory=ChangeControl)
    watch: WatchSettings = Field(default_factory=WatchSettings)

    @model_validator(mode="after")
    def _one_form(self) -> Defaults:
        single = [self.province, self.addressing, self.services]
        if self.provinces and any(v is not None for v in single):
            raise ValueError("give either province/addressing/services or provinces:, not both")
        if not self.provinces and any(v is None for v in single):
            missing = [
                k
                for k, v in zip(("province", "addressing", "services"), single, strict=True)
                if v is None
            ]
            raise ValueError(
                f"missing {', '.join(missing)} (or list the provinces: under provinces:)"
            )
        return self


class Group(Strict):
    description: str = ""
    overrides: dict[str, object] = Field(default_factory=dict)


class GroupsFile(Strict):
    groups: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")], Group]


class Commune(Strict):
    code: Code
    site: Annotated[int, Field(ge=0)]
    kind: Kind
    province: ProvinceCode | None = None
    name: Name
    short_name: Name
    groups: list[str] = Field(default_factory=list)
    overrides: dict[str, object] = Field(default_factory=dict)


class CommunesFile(Strict):
    communes: list[dict[str, object]]
