"""The variables a device template sees: derived facts plus hashed secrets, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nornir_config.secrets import Secrets, hashed, required_secrets, reversible
from nornir_config.sot.names import ascii_name
from nornir_config.sot.province import Device, expand_interfaces
from nornir_config.sot.schema import Defaults

# The zones of the last commune seen: its devices come one after another and share their
# settings and address plan, so the addresses are printed once per commune, not per device.
_last_zones: tuple[object, object, list[dict[str, Any]]] | None = None


def _zones(device: Device) -> list[dict[str, Any]]:
    """The zones as templates see them (each call gets its own dicts)."""
    global _last_zones
    last = _last_zones
    if last is None or last[0] is not device.settings or last[1] is not device.plan:
        last = _last_zones = (device.settings, device.plan, _zones_of(device))
    return [dict(zone) for zone in last[2]]


def _zones_of(device: Device) -> list[dict[str, Any]]:
    zones = []
    for key, zone in sorted(device.settings.zones.items(), key=lambda kv: kv[1].vlan):
        plan = device.plan.zones[key]
        zones.append(
            {
                "key": key,
                "vlan": zone.vlan,
                "name": zone.name,
                "network": str(plan.subnet.network_address),
                "netmask": str(plan.netmask),
                "wildcard": str(plan.wildcard),
                "prefix": str(plan.subnet),
                "gateway": str(plan.gateway),
                "dhcp": zone.dhcp,
                "excluded_first": str(plan.gateway),
                "excluded_last": str(plan.reserved_last),
                "tslcd": zone.tslcd,
                "internet": zone.internet,
                "arp_inspection": zone.arp_inspection,
                "recorder": str(plan.host(zone.recorder_offset)) if zone.recorder_offset else None,
            }
        )
    return zones


def device_context(device: Device, defaults: Defaults, secrets: Secrets) -> dict[str, Any]:
    """Template variables for `device`; secrets appear only in its driver's hashed and
    reversible forms, interface names in its driver's naming."""
    settings = device.settings
    platform = device.driver
    naming = platform.naming
    scope = f"province-{device.province.code}"
    zones = _zones(device)
    mgmt = next(z for z in zones if z["key"] == "mgmt")
    services = device.province.services
    router_ports = settings.router_ports
    model = defaults.models.get(device.model)
    switch_ports = expand_interfaces(model.switch_ports) if model is not None else ()
    # an 8xx's LAN port is a switch port: the zones' gateways are SVIs, not sub-interfaces
    lan_switched = device.role == "router" and router_ports.lan in switch_ports
    mgmt_interface = (
        naming.subinterface(router_ports.lan, mgmt["vlan"])
        if device.role == "router" and not lan_switched
        else naming.svi(mgmt["vlan"])
    )
    return {
        "hostname": device.name,
        "code": device.code,
        "commune_ascii": ascii_name(device.commune.name),
        "short_ascii": ascii_name(device.commune.short_name),
        "province_ascii": ascii_name(device.province.name),
        "domain": device.province.domain,
        "timezone": settings.timezone,
        "zones": zones,
        "zone": {z["key"]: z for z in zones},
        "mgmt_ip": str(device.mgmt_ip),
        "mgmt_interface": mgmt_interface,
        "parking_vlan": settings.parking_vlan,
        "native_vlan": settings.native_vlan,
        "trunk_vlans": ",".join(str(z["vlan"]) for z in zones),
        "ports": device.ports,
        "peers": device.peers,
        "router_ports": router_ports,
        "lan_switched": lan_switched,
        "switch_ports": switch_ports,
        "routed_ports": model is not None and model.routed_ports,
        "interfaces": device.interfaces,
        "wan": settings.wan,
        "tslcd": device.plan.tslcd,
        "internet": device.plan.internet,
        "services": services,
        "banner_lines": settings.banner.rstrip("\n").split("\n"),
        "snmp": settings.snmp,
        "enable_secret": hashed(platform, secrets.get("enable_secret"), scope, "enable_secret"),
        "users": [
            {
                "name": user,
                "secret": hashed(
                    platform, secrets.get(f"password_{user}"), scope, f"password_{user}"
                ),
            }
            for user in settings.local_users
        ],
        "ntp_key": reversible(platform, secrets.get("ntp_key"), scope, "ntp_key"),
        "tacacs_key": reversible(platform, secrets.get("tacacs_key"), scope, "tacacs_key"),
        # SNMPv3 user keys: used by templates whose device prints the user.
        "snmp_auth_key": reversible(platform, secrets.get("snmp_auth_key"), scope, "snmp_auth_key"),
        "snmp_priv_key": reversible(platform, secrets.get("snmp_priv_key"), scope, "snmp_priv_key"),
    }


SECRET_KEYS = ("enable_secret", "ntp_key", "tacacs_key", "snmp_auth_key", "snmp_priv_key")


def secret_forms(context: Mapping[str, Any]) -> dict[str, str]:
    """The secrets' forms in a device context, by name: all that differs between a render
    with the real secrets and lint's render with placeholders."""
    forms = {key: str(context[key]) for key in SECRET_KEYS}
    forms.update({f"password_{user['name']}": str(user["secret"]) for user in context["users"]})
    return forms


def secrets_needed(device: Device) -> list[str]:
    return required_secrets(device.settings.local_users)
