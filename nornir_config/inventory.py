"""The Nornir inventory plugin that expands the communes of hosts/ into devices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
    ParentGroups,
)
from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir.core.state import GlobalState
from nornir.init_nornir import load_inventory, load_runner

from nornir_config.collector import collector_paused, keep_for_the_run
from nornir_config.platforms import HOST_KEY, driver
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
        with collector_paused():
            inventory = self._load()
        keep_for_the_run()
        return inventory

    def _load(self) -> Inventory:
        province = load_province(self.hosts_dir, self.templates_dir)
        _loaded[self.hosts_dir] = province
        groups = Groups()
        for device in province.devices:
            for name in device.groups:
                groups.setdefault(name, Group(name=name))
        hosts = Hosts()
        # One Defaults for every host, as Nornir's own inventories do (Host makes one each
        # otherwise: 10,000 of them for the whole country).
        defaults = Defaults()
        for device in province.devices:
            vendor = driver(device.platform)
            hosts[device.name] = Host(
                name=device.name,
                hostname=str(device.mgmt_ip),
                platform=vendor.netmiko_device_type,
                groups=ParentGroups(groups[g] for g in device.groups),
                data={**device.facts(), HOST_KEY: vendor.name},
                connection_options={
                    "napalm": ConnectionOptions(platform=vendor.napalm_driver),
                    "netmiko": ConnectionOptions(platform=vendor.netmiko_device_type),
                },
                defaults=defaults,
            )
        return Inventory(hosts=hosts, groups=groups, defaults=defaults)


def province_of(nr: Nornir) -> ProvinceData:
    """The typed source of truth behind a Nornir object built by `build_nornir`."""
    options = nr.config.inventory.options
    return _loaded[Path(options["hosts_dir"]).resolve()]


def build_nornir(settings: RunSettings, num_workers: int | None = None) -> Nornir:
    """Nornir from the project's config.yaml, with paths anchored at the project root.

    This is InitNornir without its eager `ConnectionPluginRegister.auto_register()`, which
    imports NAPALM and Netmiko (~0.4 s) even for commands that open no connection; the commands
    that connect register the connection plugins themselves (`connection plugins` below).
    """
    options: dict[str, Any] = {
        "hosts_dir": str(settings.hosts_dir),
        "templates_dir": str(settings.templates_dir),
    }
    overrides: dict[str, Any] = {"inventory": {"plugin": "CommuneInventory", "options": options}}
    if num_workers is not None:
        overrides["runner"] = {"plugin": "threaded", "options": {"num_workers": num_workers}}
    config_file = settings.nornir_config_file
    if config_file.is_file():
        config = Config.from_file(str(config_file), **overrides)
    else:
        overrides.setdefault("runner", {"plugin": "threaded", "options": {"num_workers": 20}})
        config = Config.from_dict(logging={"enabled": False}, **overrides)
    config.logging.configure()
    return Nornir(
        inventory=load_inventory(config),
        runner=load_runner(config),
        config=config,
        data=GlobalState(dry_run=False),
    )


def register_connection_plugins() -> None:
    """Make netmiko/napalm connections available (call before running tasks that connect)."""
    ConnectionPluginRegister.auto_register()
