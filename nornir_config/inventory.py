"""The Nornir inventory plugin that expands the communes of hosts/ into devices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nornir import InitNornir
from nornir.core import Nornir
from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
)

from nornir_config.platforms import platform_data
from nornir_config.settings import RunSettings
from nornir_config.sot.province import ProvinceData, load_province

# ProvinceData of the last load, by hosts folder: the render task needs the typed devices,
# which Nornir's inventory keeps only as plain data.
_loaded: dict[Path, ProvinceData] = {}


class CommuneInventory:
    """Nornir inventory plugin: one host per device of every commune office."""

    def __init__(self, hosts_dir: str = "hosts", templates_dir: str | None = "templates") -> None:
        self.hosts_dir = Path(hosts_dir).resolve()
        self.templates_dir = Path(templates_dir).resolve() if templates_dir else None

    def load(self) -> Inventory:
        province = load_province(self.hosts_dir, self.templates_dir)
        _loaded[self.hosts_dir] = province
        groups = Groups()
        for device in province.devices:
            for name in device.groups:
                groups.setdefault(name, Group(name=name))
        hosts = Hosts()
        for device in province.devices:
            dialect = platform_data(device.platform)
            hosts[device.name] = Host(
                name=device.name,
                hostname=str(device.mgmt_ip),
                platform=dialect["netmiko_device_type"],
                groups=[groups[g] for g in device.groups],
                data=device.facts(),
                connection_options={
                    "napalm": ConnectionOptions(platform=dialect["napalm_driver"]),
                    "netmiko": ConnectionOptions(platform=dialect["netmiko_device_type"]),
                },
            )
        return Inventory(hosts=hosts, groups=groups, defaults=Defaults())


def province_of(nr: Nornir) -> ProvinceData:
    """The typed source of truth behind a Nornir object built by `build_nornir`."""
    options = nr.config.inventory.options
    return _loaded[Path(options["hosts_dir"]).resolve()]


def build_nornir(settings: RunSettings, num_workers: int | None = None) -> Nornir:
    """Nornir from the project's config.yaml, with paths anchored at the project root."""
    options: dict[str, Any] = {
        "hosts_dir": str(settings.hosts_dir),
        "templates_dir": str(settings.templates_dir),
    }
    config_file = settings.nornir_config_file
    runner: dict[str, Any] = {}
    if num_workers is not None:
        runner = {"plugin": "threaded", "options": {"num_workers": num_workers}}
    if config_file.is_file():
        return InitNornir(
            config_file=str(config_file),
            inventory={"plugin": "CommuneInventory", "options": options},
            **({"runner": runner} if runner else {}),
        )
    return InitNornir(
        inventory={"plugin": "CommuneInventory", "options": options},
        runner=runner or {"plugin": "threaded", "options": {"num_workers": 20}},
        logging={"enabled": False},
    )
