"""Province-level counts the reports show: by commune, by feature, by kind, by role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nornir_config.compliance.model import DeviceResult


@dataclass
class Tally:
    key: str
    label: str
    total: int = 0
    compliant: int = 0
    non_compliant: int = 0
    unknown: int = 0
    unverified: int = 0  # read, nothing differs, a device cipher not verified: not compliant

    @property
    def checked(self) -> int:
        return self.compliant + self.non_compliant + self.unverified

    @property
    def rate(self) -> float:
        """Share of compliant among the checked (known) items, in percent."""
        known = self.checked
        return round(100.0 * self.compliant / known, 1) if known else 0.0

    def add(self, status: str) -> None:
        self.total += 1
        if status == "compliant":
            self.compliant += 1
        elif status == "non_compliant":
            self.non_compliant += 1
        elif status == "unverified":
            self.unverified += 1
        else:
            self.unknown += 1


def _by(devices: list[DeviceResult], key: Callable[[DeviceResult], tuple[str, str]]) -> list[Tally]:
    tallies: dict[str, Tally] = {}
    for device in devices:
        k, label = key(device)
        tallies.setdefault(k, Tally(k, label)).add(device.status)
    return [tallies[k] for k in sorted(tallies)]


def by_commune(devices: list[DeviceResult]) -> list[Tally]:
    return _by(devices, lambda d: (d.commune_code, d.commune))


def by_province(devices: list[DeviceResult]) -> list[Tally]:
    return _by(devices, lambda d: (d.province_code, d.province))


def by_kind(devices: list[DeviceResult]) -> list[Tally]:
    return _by(devices, lambda d: (d.kind, d.kind))


def by_role(devices: list[DeviceResult]) -> list[Tally]:
    return _by(devices, lambda d: (d.role, d.role))


def by_feature(devices: list[DeviceResult]) -> list[Tally]:
    """Per feature over the devices that were read (an unreachable one has no features)."""
    tallies: dict[str, Tally] = {}
    order: list[str] = []
    for device in devices:
        for feature in device.features:
            if feature.name not in tallies:
                tallies[feature.name] = Tally(feature.name, feature.name)
                order.append(feature.name)
            tallies[feature.name].add(feature.status)
    return [tallies[name] for name in order]
