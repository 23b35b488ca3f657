"""What a compliance run found: per device, per feature; plain data the reports render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# unverified: nothing differs, but a secret the device keeps in its own cipher could not be
# shown to be the intended one (no push fingerprinted it): never counted as compliant.
Status = Literal["compliant", "non_compliant", "unverified", "unknown"]
FeatureStatus = Literal["compliant", "non_compliant", "unverified"]
Source = Literal["live", "backup", "text"]

UNOWNED = "unowned"
# Lines a push keeps on purpose (platform protected lines, hosts/ `preserve:`): never extra.
PROTECTED = "protected"
UNVERIFIED_EXIT = 5


@dataclass
class FeatureResult:
    """One feature of one device: running versus intended, and the commands that fix it."""

    name: str
    compliant: bool
    ordered: bool
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    remediation: list[str] = field(default_factory=list)
    intended: list[str] = field(default_factory=list)
    actual: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unverified: bool = False  # nothing differs but a device cipher no one could verify

    @property
    def status(self) -> FeatureStatus:
        if self.unverified:
            return "unverified"
        return "compliant" if self.compliant else "non_compliant"


@dataclass
class DeviceResult:
    """One device; `unknown` when its running config could not be read (never compliant)."""

    host: str
    status: Status
    source: Source
    role: str = ""
    platform: str = ""
    commune_code: str = ""
    commune: str = ""
    kind: str = ""
    province_code: str = ""
    province: str = ""  # its name, as hosts/ spells it
    error: str = ""
    features: list[FeatureResult] = field(default_factory=list)
    reason: str = ""  # why an unknown device was not read: a connection.REASON_CLASSES key

    @property
    def remediation(self) -> list[str]:
        """Commands for the whole device, feature by feature in template order."""
        return [line for f in self.features for line in f.remediation]

    def failed_features(self) -> list[str]:
        """Features not compliant: differing, or unverified."""
        return [f.name for f in self.features if not f.compliant]

    def verdict(self) -> Status:
        """A read device's status from its features: any differing feature makes it
        non-compliant, else any unverified one unverified."""
        statuses = {f.status for f in self.features}
        if "non_compliant" in statuses:
            return "non_compliant"
        return "unverified" if "unverified" in statuses else "compliant"


@dataclass
class RunSummary:
    """Counts of one run, as kept in history.jsonl."""

    time: str
    source: Source
    devices: int
    compliant: int
    non_compliant: int
    unknown: int
    features_checked: int
    features_failed: int
    seconds: float
    unverified: int = 0  # devices whose only doubt is a device cipher (see Status)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ComplianceReport:
    """The whole run: every device, plus the summary and the history it joins."""

    summary: RunSummary
    devices: list[DeviceResult]
    history: list[dict[str, Any]] = field(default_factory=list)
    province: str = ""  # the province's name, from hosts/
    timezone: str = "Asia/Ho_Chi_Minh"  # IANA name the reports show times in (hosts/ site)
    lint_open: dict[str, set[str]] = field(default_factory=dict)  # host -> open lint rule ids
    # host -> what happened to it, oldest first (backups, pushes with plan ids, compliance)
    timeline: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def provinces(self) -> list[tuple[str, str]]:
        """(code, name) of every province with a device here, by code; the reports group by
        province only when there are several."""
        return sorted({(d.province_code, d.province) for d in self.devices})

    @property
    def exit_code(self) -> int:
        """0 when every reachable device is compliant; 1 when one differs from its intended
        config; 5 when none differs but some are unverified."""
        if self.summary.non_compliant:
            return 1
        return UNVERIFIED_EXIT if self.summary.unverified else 0


def device_to_dict(device: DeviceResult) -> dict[str, Any]:
    data = asdict(device)
    data["remediation"] = device.remediation
    for feature, out in zip(device.features, data["features"], strict=True):
        out["status"] = feature.status
    return data
