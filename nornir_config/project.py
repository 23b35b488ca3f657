"""What most commands start from: the run settings, the filtered inventory and the secrets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nornir.core import Nornir

from nornir_config.filters import apply_filters
from nornir_config.inventory import build_nornir, province_of, register_connection_plugins
from nornir_config.secrets import Secrets, load_secrets
from nornir_config.settings import RunSettings, run_settings
from nornir_config.sot.province import ProvinceData


@dataclass
class Project:
    settings: RunSettings
    nr: Nornir
    province: ProvinceData

    def secrets(self) -> Secrets:
        return load_secrets(root=self.settings.root)


def open_project(
    filters: Iterable[str] = (), num_workers: int | None = None, connections: bool = True
) -> Project:
    """The project of this run; `connections=False` skips loading NAPALM and Netmiko."""
    settings = run_settings()
    if connections:
        register_connection_plugins()
    nr = build_nornir(settings, num_workers=num_workers)
    province = province_of(nr)
    return Project(settings, apply_filters(nr, filters), province)
