"""What the lab needs to know about one device, and the faults it can be told to show."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROUTER_INTERFACES = tuple(f"GigabitEthernet0/0/{n}" for n in range(4))
SWITCH_INTERFACES = tuple(f"GigabitEthernet1/0/{n}" for n in range(1, 25)) + tuple(
    f"GigabitEthernet1/1/{n}" for n in range(1, 5)
)


@cache
def _bundled_models() -> dict[str, dict[str, Any]]:
    path = Path(__file__).resolve().parent.parent / "sot" / "data" / "site_defaults.yaml"
    models = yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    return {str(name): dict(model) for name, model in models.items()}


def model_driver(model: str, role: str) -> str:
    """The driver of a bundled model, else of the first bundled model of that role."""
    models = _bundled_models()
    if model in models:
        return str(models[model]["platform"])
    return next(str(m["platform"]) for m in models.values() if m["role"] == role)


@dataclass(frozen=True)
class LabDeviceSpec:
    """One emulated device: `name` is the inventory name, `hostname` its day-0 hostname."""

    name: str
    hostname: str
    model: str = "ISR4331"
    role: str = "router"
    interfaces: tuple[str, ...] = ()
    day0: str | None = None
    # Cables from this device: (local port, peer device name, peer port); either end may say.
    links: tuple[tuple[str, str, str], ...] = ()
    # The platform driver that emulates it; "" = the driver of its model in the bundled
    # site defaults (the models `communelan init` writes).
    driver: str = ""
    # The management address the NOC knows the device by (None: any address it has).
    address: str | None = None
    # Where its own NOC presents clients from (the first host of its province's NOC network):
    # provinces in one repository each admit only their own NOC. None: the lab's address.
    noc: str | None = None

    def __post_init__(self) -> None:
        if not self.driver:
            object.__setattr__(self, "driver", model_driver(self.model, self.role))
        if not self.interfaces:
            default = ROUTER_INTERFACES if self.role == "router" else SWITCH_INTERFACES
            object.__setattr__(self, "interfaces", default)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["interfaces"] = list(self.interfaces)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabDeviceSpec:
        data = dict(data)
        data["interfaces"] = tuple(data.get("interfaces") or ())
        data["links"] = tuple(tuple(link) for link in data.get("links") or ())
        return cls(**data)


@dataclass
class DeviceFaults:
    """Misbehaviour a device shows on demand; every field off by default.

    refuse_connections: the listener closes (clients get ECONNREFUSED).
    reject_credentials: every password is wrong.
    latency: seconds added before each command's answer.
    drop_after: the session is cut when it sends config command number N+1.
    reject_commands: regexes; a matching line answers `% Invalid input`.
    fail_replace: `configure replace` fails and restores the original config.
    flash_full: `flash:` has no free space; copies and uploads fail.
    ignore_commands: regexes; a matching config line is accepted without a word and not
        applied (typed, in a copied file or in a configure replace).
    fail_replace_partial: the next N `configure replace` apply half of the new config, then
        fail and do NOT restore the original.
    drop_after_replace: the next N `configure replace` apply the whole new config, then the
        session is cut before the device answers (the link drops while the device works).
    rtt: seconds of WAN round trip (half each way, pipelined data not serialised).
    """

    refuse_connections: bool = False
    reject_credentials: bool = False
    latency: float = 0.0
    drop_after: int | None = None
    reject_commands: list[str] = field(default_factory=list)
    fail_replace: bool = False
    flash_full: bool = False
    ignore_commands: list[str] = field(default_factory=list)
    fail_replace_partial: int = 0
    drop_after_replace: int = 0
    rtt: float = 0.0

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def update(self, **changes: Any) -> None:
        unknown = set(changes) - set(self.names())
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        for key, value in changes.items():
            if key in ("reject_commands", "ignore_commands") and isinstance(value, str):
                value = [value]
            setattr(self, key, value)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def active(self) -> dict[str, Any]:
        default = DeviceFaults()
        return {k: v for k, v in asdict(self).items() if getattr(default, k) != v}
