"""What `communelan lab up` starts: devices (booting from real configs with `--day0`), the
operator account the province's configs keep, and the address clients appear to come from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from nornir_config.errors import InputError
from nornir_config.lab.files import LabCredentials
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms import driver
from nornir_config.settings import RunSettings


@dataclass(frozen=True)
class LabPlan:
    specs: list[LabDeviceSpec]
    credentials: LabCredentials | None  # None: no secrets store names the operator
    client_address: str | None


def lab_plan(
    settings: RunSettings, specs: list[LabDeviceSpec], day0_dir: Path | None = None
) -> LabPlan:
    """The inventory devices `specs`, each booting from `day0_dir/<name>.cfg` when there is
    one (a file naming no device adds a device with the ports, role and model its config
    shows); the operator is the province's first local user with its password and the
    enable secret from the secrets store, so that pushed configs keep letting the lab's
    clients in; clients come from the first host of the NOC network (with several provinces,
    each device's own: `LabDeviceSpec.noc`)."""
    from nornir_config.inventory import build_nornir, province_of
    from nornir_config.secrets import load_secrets

    province = province_of(build_nornir(settings))
    texts = {p.stem: read_day0(p) for p in sorted(day0_dir.glob("*.cfg"))} if day0_dir else {}
    planned = [boot_from(spec, texts.pop(spec.name, None)) for spec in specs]
    for name, text in texts.items():  # a device only the folder knows: as its config shows
        vendor = LabDeviceSpec(name, name).driver  # the bundled default model's driver
        facts = driver(vendor).lab.day0_facts(text)
        spec = LabDeviceSpec(name, name, facts.model, facts.role, driver=vendor)
        planned.append(boot_from(spec, text))
    users = province.defaults.site.get("local_users") or []
    user = str(users[0]) if isinstance(users, list) and users else None
    values = load_secrets(root=settings.root).values
    credentials = None
    if user and values.get(f"password_{user}") and values.get("enable_secret"):
        credentials = LabCredentials(user, values[f"password_{user}"], values["enable_secret"])
    services = province.defaults.services  # None with several provinces: each device's own
    client = services.noc_host if services is not None else None
    return LabPlan(planned, credentials, client)


def read_day0(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError.one(
            str(path), "day-0 config", f"cannot be read ({exc.strerror})", "check the file"
        ) from exc


def boot_from(spec: LabDeviceSpec, day0: str | None) -> LabDeviceSpec:
    """`spec` booting from a real config: with that config's hostname and ports."""
    if day0 is None:
        return spec
    facts = driver(spec.driver).lab.day0_facts(day0)
    return dataclasses.replace(
        spec,
        hostname=facts.hostname or spec.hostname,
        interfaces=facts.interfaces or spec.interfaces,
        day0=day0,
    )
